"""Reusable widgets of the Workbench TUI."""
