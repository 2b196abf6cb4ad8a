"""What every entry script (train.py, test.py, script/*) does with an error.

A ``UserError`` (bad options, data, paths, checkpoints) is printed as one line,
``<script>: error: <message>``, and the script exits with the error's status (2 for options, 1
otherwise); a second Ctrl-C during set-up exits with 130. Any other exception is a bug and keeps
its traceback. Set ``GFLA_DEBUG=1`` to get the full traceback of a user error too.

A run folder (``<checkpoints_dir>/<name>``) that this process created is removed when the script
fails before it holds anything worth keeping (no checkpoint, no logged loss), so that a failed
first attempt does not leave a half-made folder behind.
"""
import glob
import os
import shutil
import sys

from tqdm import tqdm

from util.errors import UserError

DEBUG_VARIABLE = "GFLA_DEBUG"
_new_run_folders = []


def integer_list(text):
    """argparse type for "0,2,4": the integers, in order (an empty text gives none).

    Raises:
        argparse.ArgumentTypeError: a part that is not an integer, named.
    """
    import argparse
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def debugging():
    """True when ``GFLA_DEBUG`` asks for tracebacks."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def make_run_folder(path):
    """Create the run folder ``path`` (and missing parents, e.g. ``./result``) and remember the topmost
    folder this made, to be removed if the script fails before it holds anything worth keeping."""
    if os.path.isdir(path):
        return
    topmost = os.path.abspath(path)
    while not os.path.isdir(os.path.dirname(topmost)):
        topmost = os.path.dirname(topmost)
    os.makedirs(path)
    _new_run_folders.append(topmost)


def _worth_keeping(folder):
    """A folder holds a checkpoint or a logged loss (at any depth)."""
    if glob.glob(os.path.join(folder, "**", "*.pth"), recursive=True):
        return True
    logs = glob.glob(os.path.join(folder, "**", "loss_log.jsonl"), recursive=True)
    return any(os.path.getsize(log) > 0 for log in logs)


def _remove_new_run_folders():
    while _new_run_folders:
        folder = _new_run_folders.pop()
        if os.path.isdir(folder) and not _worth_keeping(folder):
            shutil.rmtree(folder, ignore_errors=True)


def one_line(error):
    """The message of ``error`` as one line.

    An error raised in a DataLoader worker reaches the main process as the same type with the
    worker's traceback as message ("Caught X in DataLoader worker process 0. Original Traceback
    ..."): its last line holds the original message.
    """
    message = str(error).strip()
    if "in DataLoader worker process" in message.split("\n", 1)[0]:
        last = message.splitlines()[-1]
        message = last.split(": ", 1)[1] if ": " in last else last
    return " ".join(message.split())


def _close_progress_bars():
    """End open tqdm bars, so that the error starts a line of its own and stays the last one."""
    for bar in list(getattr(tqdm, "_instances", ())):
        bar.close()


def _report(program, text):
    _close_progress_bars()
    print(f"{program}: {text}", file=sys.stderr)


def run_entry_point(main, *args):
    """Call ``main(*args)`` and return its result; report errors as the module docstring says."""
    program = os.path.basename(sys.argv[0])
    try:
        return main(*args)
    except UserError as error:
        _remove_new_run_folders()
        if debugging():
            raise
        _report(program, f"error: {one_line(error)}")
        sys.exit(error.exit_status)
    except KeyboardInterrupt:
        _remove_new_run_folders()
        if debugging():
            raise
        _report(program, "interrupted")
        sys.exit(130)
    except BaseException as error:  # a bug (or an exit with a status): the traceback stays
        if not (isinstance(error, SystemExit) and error.code in (0, None)):
            _remove_new_run_folders()
        raise
