"""Rank helpers that are safe to call whether or not torch.distributed is initialised.

Before ``init_process_group`` (or without torchrun at all) the rank and world size come from
torchrun's ``RANK`` / ``WORLD_SIZE`` environment variables, defaulting to a single process, so
that code run early in start-up (option printing, logging set-up) already knows whether it is
the main process. Collectives (``barrier``, ``all_reduce_mean``, ``any_rank``) are no-ops in a
single process.
"""
import os
from collections import OrderedDict

import torch
import torch.distributed as dist


def is_initialized():
    """True when a default process group exists."""
    return dist.is_available() and dist.is_initialized()


def get_rank():
    """Global rank of this process (0 without distributed training)."""
    if is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", 0))


def get_world_size():
    """Number of processes (1 without distributed training)."""
    if is_initialized():
        return dist.get_world_size()
    return int(os.environ.get("WORLD_SIZE", 1))


def is_main_process():
    """True on rank 0, the only process that writes logs, images and checkpoints."""
    return get_rank() == 0


def print0(*args, **kwargs):
    """``print`` on rank 0 only."""
    if is_main_process():
        print(*args, **kwargs)


def launched_by_torchrun():
    """True in a process started by torchrun (or any launcher setting its rendezvous variables)."""
    return all(name in os.environ for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"))


def init_from_env(backend=None):
    """Join the process group when launched by torchrun (even with one process, so that a
    one-GPU torchrun run exercises the same path as a multi-GPU one).

    Args:
        backend: 'nccl', 'gloo', ...; default NCCL when CUDA is available, else Gloo.
    Does nothing without torchrun or when a group already exists, so scripts may call it
    unconditionally.
    """
    if is_initialized() or not launched_by_torchrun():
        return
    dist.init_process_group(backend=backend or ("nccl" if torch.cuda.is_available() else "gloo"))


def wrap_data_parallel(net, device, find_unused_parameters=False):
    """``net`` inside DistributedDataParallel when a process group exists, else ``net`` itself.

    Args:
        net: module already on ``device``.
        device: this process's device.
        find_unused_parameters: let DDP skip parameters that get no gradient (e.g. the Market
            generator's ``source.encoder1``, whose feature no attention layer reads).
    Buffers (spectral-norm vectors) are broadcast from rank 0 at every forward, as DDP does by
    default; checkpoints are written from the unwrapped module (model.base_model.unwrap).
    """
    if not is_initialized():
        return net
    device_ids = [device.index] if device.type == "cuda" else None
    return torch.nn.parallel.DistributedDataParallel(net, device_ids=device_ids,
                                                     find_unused_parameters=find_unused_parameters)


def barrier():
    """Wait for every rank (e.g. until rank 0 has written a checkpoint)."""
    if is_initialized():
        dist.barrier()


def _collective_device():
    """NCCL reduces CUDA tensors only; other backends take CPU tensors."""
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def all_reduce_mean(values):
    """Average a dict of floats over all ranks (every rank must call it, with the same keys).

    Args:
        values: mapping name -> float (e.g. ``model.get_current_errors()``).
    Returns:
        OrderedDict name -> float, the mean over ranks, in the order of ``values``.
    """
    values = OrderedDict((name, float(value)) for name, value in values.items())
    if not is_initialized() or get_world_size() == 1 or not values:
        return values
    summed = torch.tensor(list(values.values()), dtype=torch.float64, device=_collective_device())
    dist.all_reduce(summed)
    means = (summed / get_world_size()).tolist()
    return OrderedDict(zip(values.keys(), means))


def any_rank(flag):
    """True when ``flag`` is true on at least one rank (e.g. one rank caught Ctrl-C)."""
    if not is_initialized() or get_world_size() == 1:
        return bool(flag)
    value = torch.tensor([1.0 if flag else 0.0], device=_collective_device())
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item() > 0)
