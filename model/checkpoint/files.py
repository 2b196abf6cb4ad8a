"""Checkpoint files on disk: their names, the one reader, and saving a set of files as one unit.

A save writes several files (``<which>_net_<Name>.pth`` per network and, when training,
``<which>_train_state.pth``); they must change together, or a resume would mix two iterations.
``StagedFiles`` makes them one unit with a two-phase commit:

1. stage: each file is written to a hidden temporary file beside its target (``.<name>.tmp``,
   which no loader looks at) and flushed to disk;
2. commit: a small journal naming the renames is written atomically (``.checkpoint-commit.json``,
   the commit point), the temporary files are renamed over their targets, the journal removed.

``recover_interrupted_save`` runs before the next save and before a resume: a journal present
means the set was complete on disk, so its renames are finished (roll forward); temporary files
without a journal are the debris of a save killed while staging, and are deleted. A kill at any
instant therefore leaves either the previous set or the new one, never a mix and never a
permanent temporary file.
"""
import glob
import hashlib
import json
import os

import torch

from util.distributed import print0
from util.errors import UserError

JOURNAL = ".checkpoint-commit.json"
TEMP_SUFFIX = ".tmp"


class CheckpointError(UserError, ValueError):
    """A checkpoint that cannot be used; the message is one line naming the file and the fix."""


class MissingCheckpointError(UserError, FileNotFoundError):
    """A checkpoint file that should be there is not."""


def network_path(save_dir, which, name):
    """``<save_dir>/<which>_net_<name>.pth``: the plain state_dict of network ``name``."""
    return os.path.join(save_dir, f"{which}_net_{name}.pth")


def training_state_path(save_dir, which):
    """``<save_dir>/<which>_train_state.pth``: optimizers, schedulers, iteration, RNG, file digests."""
    return os.path.join(save_dir, f"{which}_train_state.pth")


def numbered_saves(save_dir):
    """Iterations of the numbered training states in ``save_dir``, ascending."""
    names = (os.path.basename(path) for path in glob.glob(os.path.join(glob.escape(save_dir), "*_train_state.pth")))
    return sorted(int(name.split("_")[0]) for name in names if name.split("_")[0].isdigit())


def load_file(path, advice=""):
    """Load a checkpoint file onto the CPU with the safe (weights-only) unpickler.

    Args:
        path: the file.
        advice: what to do if it cannot be read, appended to the error.
    Raises:
        MissingCheckpointError: no such file.
        CheckpointError: the file is unreadable (truncated, corrupt, not a PyTorch file).
    """
    if not os.path.isfile(path):
        raise MissingCheckpointError(f"checkpoint: no such file {path!r}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0].split(". ")[0]  # its first sentence
        raise CheckpointError(f"checkpoint {path!r} cannot be read: it is corrupt or truncated ({reason})"
                              + (f"; {advice}" if advice else "")) from error


def file_sha256(path, flush=False):
    """Hex SHA-256 of a file's bytes; ``flush`` also forces the file to disk (one pass)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
        if flush:
            os.fsync(handle.fileno())
    return digest.hexdigest()


def _sync_folder(folder):
    """Make renames and removals in ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _temp_name(name):
    return f".{name}{TEMP_SUFFIX}"


def _apply_journal(folder, renames):
    """Finish the renames of a committed set (each done once; a rename already done is skipped)."""
    for temp, target in renames:
        if os.path.exists(os.path.join(folder, temp)):
            os.replace(os.path.join(folder, temp), os.path.join(folder, target))
    _sync_folder(folder)
    os.remove(os.path.join(folder, JOURNAL))
    _sync_folder(folder)


def recover_interrupted_save(folder):
    """Finish a committed save or delete the debris of an uncommitted one (see module docstring).

    Call it on the process that writes checkpoints, while no save is in progress.
    """
    journal = os.path.join(folder, JOURNAL)
    if os.path.exists(journal):
        with open(journal) as handle:
            renames = json.load(handle)["renames"]
        _apply_journal(folder, renames)
        print0(f"completed an interrupted save in {folder}: {', '.join(target for _, target in renames)}")
    debris = (glob.glob(os.path.join(glob.escape(folder), f".*.pth{TEMP_SUFFIX}"))
              + glob.glob(os.path.join(glob.escape(folder), _temp_name(JOURNAL))))
    for path in debris:
        os.remove(path)
    if debris:
        print0(f"removed the unfinished files of an interrupted save in {folder}: "
               f"{', '.join(sorted(os.path.basename(path) for path in debris))}")


class StagedFiles:
    """Files saved as one unit (see module docstring)::

        with StagedFiles(folder) as files:
            digest = files.stage("latest_net_G.pth", state_dict)
            files.stage("latest_train_state.pth", state)
        # committed here; an error while staging leaves the folder as it was
    """

    def __init__(self, folder):
        self.folder = folder
        self.renames = []

    def __enter__(self):
        os.makedirs(self.folder, exist_ok=True)
        recover_interrupted_save(self.folder)
        return self

    def stage(self, name, obj):
        """``torch.save(obj)`` to the temporary file of ``name``; returns the file's SHA-256."""
        temp = _temp_name(name)
        self.renames.append((temp, name))
        path = os.path.join(self.folder, temp)
        torch.save(obj, path)
        return file_sha256(path, flush=True)

    def commit(self):
        """Write the journal (the commit point), then rename every staged file over its target."""
        journal = os.path.join(self.folder, JOURNAL)
        temp_journal = os.path.join(self.folder, _temp_name(JOURNAL))
        with open(temp_journal, "w") as handle:
            json.dump({"renames": self.renames}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_journal, journal)
        _apply_journal(self.folder, self.renames)

    def discard(self):
        for temp, _ in self.renames:
            path = os.path.join(self.folder, temp)
            if os.path.exists(path):
                os.remove(path)

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.commit()
        elif issubclass(exc_type, Exception):  # a failed write (disk full ...); a kill leaves them to recovery
            self.discard()
        return False
