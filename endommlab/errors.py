"""Exceptions that EndoMMLab's tools report as one clear line, not a traceback."""


class EndoMMLabError(Exception):
    """Base class of errors caused by the user's data, config or files."""


class DataError(EndoMMLabError, ValueError):
    """A data set, sample or annotation cannot be used."""


class DataRootNotFoundError(EndoMMLabError, FileNotFoundError):
    """A config points at a data root that has not been prepared."""


class CheckpointError(EndoMMLabError, RuntimeError):
    """A checkpoint cannot be read, or does not fit the model it is loaded into."""


class CheckpointSafetyError(CheckpointError):
    """A checkpoint needs objects that ``weights_only`` loading refuses."""


class ConfigError(EndoMMLabError, ValueError):
    """A config file or command-line option cannot be used."""


class OutputError(EndoMMLabError, OSError):
    """An output file or folder cannot be written, or writing there would destroy data."""
