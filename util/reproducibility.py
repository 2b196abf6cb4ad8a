"""Reproducible randomness for exact resume: seeds, RNG snapshots and a resumable data order.

Exact resume needs three things to continue as if training had never stopped:
1. the model's random streams: :func:`capture_rng_state` / :func:`restore_rng_state` save and
   restore Python's, NumPy's and torch's (CPU and every CUDA device) global generators;
2. the data order: :func:`epoch_batches` seeds the sampler from ``(seed, epoch)`` alone, so the
   order of an epoch does not depend on how the run got there, and the loader never draws from
   the global generators (which would shift the model's streams);
3. the position in the epoch: training after ``n`` steps with ``L`` batches per epoch is at
   batch ``n % L`` of epoch ``n // L``; :func:`epoch_batches` skips the batches already used by
   their indices, without loading them.

Random augmentation is exact too. A dataset drawing from the global generators in the main
process (``num_workers=0``) gets them restored. A dataset with ``reseed(seed)`` (all of data/,
see data/base_dataset.py) is reseeded from ``(seed, epoch, rank)`` at every epoch and seeds each
sample's augmentation from that seed and the sample's index, so a sample is augmented the same
way whether or not the run was interrupted, and whichever worker loads it. A worker's global
generators are seeded per epoch too, but restart at the epoch's beginning: a dataset drawing from
them in workers would differ in the epoch where a run resumes.
"""
import itertools
import random
import warnings

import numpy as np
import torch
from torch.utils.data import DataLoader, SequentialSampler


def derive_seed(*keys):
    """A 63-bit seed mixed from non-negative integers, e.g. ``derive_seed(seed, epoch)``."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def seed_everything(seed):
    """Seed Python's, NumPy's and torch's (CPU and CUDA) global generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def capture_rng_state():
    """Snapshot of every global generator, made of tensors and plain Python values only
    (so that it loads with ``torch.load(weights_only=True)``)."""
    numpy_state = np.random.get_state(legacy=False)
    return {
        "python": random.getstate(),
        "numpy": {
            "bit_generator": numpy_state["bit_generator"],
            "key": torch.from_numpy(numpy_state["state"]["key"].astype(np.int64)),
            "pos": int(numpy_state["state"]["pos"]),
            "has_gauss": int(numpy_state["has_gauss"]),
            "gauss": float(numpy_state["gauss"]),
        },
        "torch": torch.get_rng_state(),
        # the current device's only: the one this process computes on (a DDP rank has one GPU);
        # reading every device's would create a CUDA context on each of them
        "cuda": torch.cuda.get_rng_state() if torch.cuda.is_available() and torch.cuda.is_initialized() else None,
    }


def restore_rng_state(state):
    """Restore a :func:`capture_rng_state` snapshot.

    The CUDA state goes to the current device. A snapshot with a CUDA state restored where CUDA
    is not available (a GPU run resumed on the CPU) skips it with a warning: those streams cannot
    continue anyway.
    """
    random.setstate(state["python"])
    numpy_state = state["numpy"]
    np.random.set_state({
        "bit_generator": numpy_state["bit_generator"],
        "state": {"key": numpy_state["key"].numpy().astype(np.uint32), "pos": numpy_state["pos"]},
        "has_gauss": numpy_state["has_gauss"],
        "gauss": numpy_state["gauss"],
    })
    torch.set_rng_state(state["torch"])
    if state["cuda"] is None:
        return
    if not torch.cuda.is_available():
        warnings.warn("the training state holds a CUDA RNG state but CUDA is not available: "
                      "CUDA random streams restart instead of continuing", stacklevel=2)
        return
    torch.cuda.set_rng_state(state["cuda"])


def _seed_epoch_order(loader, seed, epoch, rank):
    """Make the sampler's order and the workers' seeds functions of (seed, epoch, rank) only."""
    sampler = loader.sampler
    if hasattr(sampler, "set_epoch"):  # DistributedSampler: shuffles with its own seed + epoch
        sampler.set_epoch(epoch)
    elif hasattr(sampler, "generator"):  # RandomSampler and friends
        sampler.generator = torch.Generator().manual_seed(derive_seed(seed, epoch))
    elif not isinstance(sampler, SequentialSampler):
        warnings.warn(f"sampler {type(sampler).__name__} has neither set_epoch() nor a generator: "
                      "the data order of a resumed run may differ from an uninterrupted one", stacklevel=3)
    # The loader draws its workers' base seed from this generator (global RNG when None); the
    # workers seed their global generators from it (data.loader.seed_worker).
    loader.generator = torch.Generator().manual_seed(derive_seed(seed, epoch, rank, 1))
    if hasattr(loader.dataset, "reseed"):
        # per-sample augmentation seeds of this epoch; workers get the dataset copy made at iter()
        loader.dataset.reseed(derive_seed(seed, epoch, rank, 2))


def epoch_batches(loader, seed, epoch, skip_batches=0, rank=0):
    """Iterate over one epoch of ``loader`` in an order fixed by ``(seed, epoch)``.

    Args:
        loader: torch DataLoader with automatic batching (``batch_size`` set).
        seed: run seed (``opt.seed``).
        epoch: 0-based epoch number.
        skip_batches: batches of this epoch already used (resume); they are skipped by index,
            without loading them.
        rank: process rank, mixed into the workers' seeds.
    Returns:
        An iterable of batches: the loader itself, or for ``skip_batches > 0`` a loader over the
        remaining batches with the same dataset, workers and collation.
    """
    if not 0 <= skip_batches <= len(loader):
        raise ValueError(f"skip_batches must be in 0..{len(loader)} (batches per epoch), got {skip_batches}")
    _seed_epoch_order(loader, seed, epoch, rank)
    if skip_batches == 0:
        return loader
    remaining = list(itertools.islice(iter(loader.batch_sampler), skip_batches, None))
    return DataLoader(loader.dataset, batch_sampler=remaining, num_workers=loader.num_workers,
                      collate_fn=loader.collate_fn, pin_memory=loader.pin_memory, timeout=loader.timeout,
                      worker_init_fn=loader.worker_init_fn, multiprocessing_context=loader.multiprocessing_context,
                      generator=loader.generator, prefetch_factor=loader.prefetch_factor,
                      pin_memory_device=loader.pin_memory_device)
