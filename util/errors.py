"""Errors a user can act on: the entry scripts print their message as one line and exit non-zero.

Raise ``UserError`` (or a subclass) where the cause is the user's input, files or options; the
message names the file (and row, option or key) and says what to do. Anything else is a bug
and keeps its traceback.
"""
import os
import sys


class UserError(Exception):
    """A problem with the user's input; its message is one line naming the file/option and the fix."""


def exit_on_user_error(function, *args, **kwargs):
    """Call ``function``; a ``UserError`` is printed as one line ``<script>: error: <message>`` on
    stderr and exits with status 2 (the entry scripts' ``main``)."""
    try:
        return function(*args, **kwargs)
    except UserError as error:
        print(f"{os.path.basename(sys.argv[0])}: error: {error}", file=sys.stderr)
        sys.exit(2)
