"""The TUI's screens: dashboard, one per record kind, a record's detail view, compliance, import."""
