"""Errors a user can act on: the entry scripts print their message as one line and exit non-zero.

Raise ``UserError`` (or a subclass) where the cause is the user's input, files or options; the
message names the file (and row, option or key) and says what to do. Anything else is a bug
and keeps its traceback.
"""
import os
import sys


class UserError(Exception):
    """A problem with the user's input; its message is one line naming the file/option and the fix."""


def run_reporting_user_errors(main, argv=None):
    """Run an entry script's ``main(argv)``; a UserError prints as one line on stderr and exits with status 1."""
    try:
        return main(argv)
    except UserError as error:
        sys.exit(f"{os.path.basename(sys.argv[0])}: error: {error}")
