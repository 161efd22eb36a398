"""Modal dialogs of the TUI: record forms, column filters, confirmations."""
