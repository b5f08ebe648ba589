"""The live panels: widgets that load from the api, follow its events and act on it."""
