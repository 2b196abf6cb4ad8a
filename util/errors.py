"""Errors a user can act on: the entry scripts print their message as one line and exit non-zero.

Raise ``UserError`` (or a subclass) where the cause is the user's input, files or options; the
message names the file (and row, option or key) and says what to do. Anything else is a bug
and keeps its traceback. The subclasses below are also the built-in exception they name, so that
callers catching ``ValueError``, ``FileNotFoundError``, ... keep working.
"""


class UserError(Exception):
    """A problem with the user's input; its message is one line naming the file/option and the fix."""

    exit_status = 1  # what the entry scripts exit with


class BadInputError(UserError, ValueError):
    """A user's file or value has the wrong content (a malformed row, a wrong size, ...)."""


class MissingPathError(UserError, FileNotFoundError):
    """A file or folder the user named, or that the layout requires, does not exist."""


class ExistingPathError(UserError, FileExistsError):
    """An output file or folder already exists and would be overwritten."""


class UnreadableFileError(UserError, OSError):
    """A file exists but cannot be read or decoded (truncated, corrupt, wrong encoding)."""
