"""What the synthetic dataset writers share: argument checks whose one-line message names the
argument, the train/test split of consecutively numbered figures or videos, and the progress bar.

The checks raise ``util.errors.BadInputError`` (a ``ValueError``), so that the command line prints
the message as one line and callers catching ``ValueError`` keep working.
"""
from tqdm import tqdm

from util.errors import BadInputError


def check_choice(name, value, choices):
    """``value`` must be one of ``choices``."""
    if value not in choices:
        raise BadInputError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")


def check_at_least(name, value, minimum, why=""):
    """``value >= minimum``; ``why`` follows the bound in the message (' pixels', ' (a training window)')."""
    if value < minimum:
        raise BadInputError(f"{name}: expected >= {minimum}{why}, got {value}")


def check_split_sizes(**counts):
    """Every split holds at least one item: ``check_split_sizes(num_train_videos=2, num_test_videos=1)``."""
    if min(counts.values()) < 1:
        raise BadInputError(f"{', '.join(counts)}: expected >= 1 each, got {', '.join(map(str, counts.values()))}")


def numbered_splits(num_train, num_test, first=0):
    """``(("train", ids), ("test", ids))``: consecutive numbers from ``first``, the train split's first."""
    return (("train", range(first, first + num_train)),
            ("test", range(first + num_train, first + num_train + num_test)))


def progress_bar(total, desc, unit, progress):
    """A tqdm bar over ``total`` items, shown only if ``progress``."""
    return tqdm(total=total, desc=desc, unit=unit, disable=not progress)
