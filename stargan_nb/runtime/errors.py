"""The error of a setting that cannot work here, defined below config so that runtime can raise it too."""


class ConfigError(ValueError):
    """A configuration value that cannot work; the message names the parameter."""
