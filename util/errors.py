"""Errors a user can act on: the entry scripts print their message as one line and exit non-zero.

Raise ``UserError`` (or a subclass) where the cause is the user's input, files or options; the
message names the file (and row, option or key) and says what to do. Anything else is a bug
and keeps its traceback.
"""


class UserError(Exception):
    """A problem with the user's input; its message is one line naming the file/option and the fix."""
