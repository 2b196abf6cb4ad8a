"""Loading one epoch twice, as a run with worker processes and as a resumed run in this process,
to check that a resumed epoch sees the very batches (and augmentation) of an uninterrupted one."""
import argparse

import torch

import data
from util.reproducibility import epoch_batches


def workers_and_resumed(opt, epoch, skip_batches, seed=0):
    """The batches of ``epoch`` loaded by 2 worker processes, and those after ``skip_batches`` loaded in this process."""
    def loader(workers):
        return data.create_dataloader(argparse.Namespace(**{**vars(opt), "nThreads": workers}))
    full = list(epoch_batches(loader(2), seed, epoch))
    resumed = list(epoch_batches(loader(0), seed, epoch, skip_batches=skip_batches))
    return full, resumed


def assert_same_batch(expected, got, keys):
    """``expected[key]`` equals ``got[key]`` for every key: tensors exactly, paths as lists."""
    for key in keys:
        value = expected[key]
        assert torch.equal(value, got[key]) if torch.is_tensor(value) else value == got[key], key
