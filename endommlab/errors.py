"""Exceptions that EndoMMLab's tools report as one clear line, not a traceback."""


class EndoMMLabError(Exception):
    """Base class of errors caused by the user's data, config or files."""


class DataError(EndoMMLabError, ValueError):
    """A data set, sample or annotation cannot be used."""


class DataRootNotFoundError(EndoMMLabError, FileNotFoundError):
    """A config points at a data root that has not been prepared."""


class CheckpointSafetyError(EndoMMLabError, RuntimeError):
    """A checkpoint needs objects that ``weights_only`` loading refuses."""


class ConfigError(EndoMMLabError, ValueError):
    """A config file or command-line option cannot be used."""
