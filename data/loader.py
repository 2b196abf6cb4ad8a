"""The DataLoader of the entry points, with reproducible, per-worker and per-rank random streams.

torch's worker processes would otherwise start from copies of the same augmentation generator
(original: data/__init__.py, the DataLoader factory). The loader's generator is seeded from ``opt.seed`` and the rank; each
epoch it gives the workers a fresh base seed, and ``seed_worker`` seeds numpy and ``random`` from
torch's per-worker seed (base seed + worker id). The dataset's augmentation seed is set per epoch
by the training loop (util.reproducibility.epoch_batches).
"""
import random

import numpy as np
import torch
from torch.utils.data import DataLoader, DistributedSampler

from data.registry import create_dataset
from util.cpus import worker_count
from util.distributed import get_rank, is_initialized, print0
from util.errors import BadInputError
from util.reproducibility import derive_seed


def seed_worker(worker_id):
    """``worker_init_fn``: seed numpy's and ``random``'s global generators from torch's worker seed.

    The dataset's own augmentation seed is not touched: it comes with the dataset copy from the
    main process, so augmentation does not depend on which worker loads a sample.
    """
    seed = torch.initial_seed()  # base seed drawn from the loader's generator + worker_id
    np.random.seed(seed % 2 ** 32)
    random.seed(seed)


def create_dataloader(opt):
    """Build the dataset ``opt.dataset_mode`` and its DataLoader.

    ``batch_size=opt.batchSize`` (per process), shuffled unless ``opt.serial_batches`` (through a
    DistributedSampler when torch.distributed is initialised: call its ``set_epoch`` each epoch),
    ``num_workers=opt.nThreads`` capped at the CPUs available, ``drop_last=opt.isTrain``; randomness
    seeded from ``opt.seed``. Prints the number of images (pairs) in the split.
    """
    dataset = create_dataset(opt)
    print0(f"#{'training' if opt.isTrain else opt.phase} images = {len(dataset)}")
    rank = get_rank() if is_initialized() else 0
    seed = derive_seed(opt.seed, rank)  # distinct per rank
    if hasattr(dataset, "reseed"):
        dataset.reseed(seed)
    workers = worker_count(opt.nThreads)
    if workers < opt.nThreads:
        print0(f"data loading: {workers} worker processes (--nThreads={opt.nThreads}, but only {workers} CPUs available)")
    generator = torch.Generator()
    generator.manual_seed(seed)
    sampler = None
    if is_initialized():
        sampler = DistributedSampler(dataset, shuffle=not opt.serial_batches, seed=opt.seed, drop_last=opt.isTrain)
    loader = DataLoader(dataset, batch_size=opt.batchSize, shuffle=sampler is None and not opt.serial_batches,
                        sampler=sampler, num_workers=workers, drop_last=opt.isTrain,
                        worker_init_fn=seed_worker, generator=generator, pin_memory=bool(opt.gpu_ids))
    if len(loader) == 0:
        raise BadInputError(f"--dataroot={opt.dataroot}: the {opt.phase} split has {len(dataset)} samples, no full "
                            f"batch of --batchSize={opt.batchSize}{' per process' if sampler else ''}; "
                            f"lower --batchSize")
    return loader
