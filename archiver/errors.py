"""One exception hierarchy; the CLI turns each into one clear line on stderr."""


class ArchiverError(Exception):
    """Base of every error the tool reports to the user (exit status 1)."""


class UsageError(ArchiverError):
    """Bad arguments or options (exit status 2)."""

    exit_code = 2


class InputError(ArchiverError):
    """A file or URL given by the user cannot be read as what it should be."""


class WarcError(ArchiverError):
    """A WARC file is missing, unreadable or not a WARC."""


class IndexError_(ArchiverError):
    """The citation index cannot be opened or queried."""


class NotFound(ArchiverError):
    """A lookup found nothing (for `show`: no capture of that URL)."""
