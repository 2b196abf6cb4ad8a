"""Loading one epoch twice, as a run with worker processes and as a resumed run in this process:
a resumed epoch must see the very batches (and augmentation) of an uninterrupted one."""
import argparse

import torch

import data
from data.heatmaps import expand_poses
from util.reproducibility import epoch_batches


def assert_resumed_epoch_matches(opt, epoch, skip_batches, keys, seed=0):
    """Epoch ``epoch`` resumed after ``skip_batches`` batches (in this process) gives the batches that 2 worker
    processes load after them: ``batch[key]`` equal for every key, tensors exactly. Returns the full epoch's batches.
    """
    def loader(workers):
        return data.create_dataloader(argparse.Namespace(**{**vars(opt), "nThreads": workers}))
    full = list(epoch_batches(loader(2), seed, epoch))
    resumed = list(epoch_batches(loader(0), seed, epoch, skip_batches=skip_batches))
    assert len(resumed) == len(full) - skip_batches > 0
    for expected, got in zip(full[skip_batches:], resumed):
        expected, got = expand_poses(expected), expand_poses(got)  # poses compared as heatmaps
        for key in keys:
            value = expected[key]
            assert torch.equal(value, got[key]) if torch.is_tensor(value) else value == got[key], key
    return full
