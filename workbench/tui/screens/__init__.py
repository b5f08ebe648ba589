"""One module per screen of the Workbench TUI."""
