"""Config, errors, domain records and events: the layer everything else stands on."""
