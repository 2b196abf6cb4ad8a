"""Device choice, full float32 precision and data loading shared by the network metrics."""
import contextlib

import torch

from options.errors import OptionError
from util.cpus import worker_count


def resolve_device(name):
    """``'auto'`` -> the first GPU when there is one, else the CPU; anything else as torch reads it."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise OptionError(f"--device {name!r} asks for a GPU, but CUDA is not available; "
                         f"expected 'cpu' or 'auto'")
    return device


@contextlib.contextmanager
def full_fp32():
    """Disable TF32 inside the block: the published numbers come from GPUs without it."""
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def make_loader(dataset, batch_size, num_workers, device):
    """An in-order DataLoader that keeps every sample (batching never changes a score); at most
    one worker per available CPU."""
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False,
                                       num_workers=worker_count(num_workers), drop_last=False,
                                       pin_memory=device.type == "cuda")
