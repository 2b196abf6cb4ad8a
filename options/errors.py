"""The one exception type for bad option values, caught by the entry scripts."""
from util.errors import UserError


class OptionError(UserError, ValueError):
    """An option value is invalid; the message names the option, the value and what is expected."""

    exit_status = 2  # as argparse's own errors
