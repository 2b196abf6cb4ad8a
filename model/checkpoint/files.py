"""Atomic checkpoint files: a save killed at any point leaves the previous file intact.

Each file is written to a hidden temporary file beside the target (``.<name>.tmp-*``, which no
loader looks at), flushed to disk, then renamed over the target (``util.atomic``). Temporary
files left by a killed save of the same target are removed by the next save of it.
"""
import glob
import os

import torch

from util.atomic import atomic_path


def network_path(save_dir, which, name):
    """``<save_dir>/<which>_net_<name>.pth``: the plain state_dict of network ``name``."""
    return os.path.join(save_dir, f"{which}_net_{name}.pth")


def training_state_path(save_dir, which):
    """``<save_dir>/<which>_train_state.pth``: optimizers, schedulers, iteration and RNG."""
    return os.path.join(save_dir, f"{which}_train_state.pth")


def atomic_save(obj, path):
    """``torch.save(obj, path)`` atomically (see module docstring)."""
    folder, base = os.path.split(os.path.abspath(path))
    for stale in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(base)}.tmp-*")):
        os.remove(stale)
    with atomic_path(path) as temp_path:
        torch.save(obj, temp_path)


def load_file(path):
    """Load a checkpoint file onto the CPU with the safe (weights-only) unpickler."""
    return torch.load(path, map_location="cpu", weights_only=True)
