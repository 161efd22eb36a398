"""Reusable widgets of the TUI: the paged table, the navigation sidebar, the dashboard panels."""
