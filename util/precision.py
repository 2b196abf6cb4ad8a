"""``--precision``: float32 (the original's arithmetic) or bfloat16 autocast.

bf16 runs the convolutions and matrix products in bfloat16 (about twice as fast on a recent GPU)
while weights, gradients, optimizer state, the flow heads (``FlowEstimator``) and every sampling
coordinate (the custom ops, ``grid_sample``) stay float32.
"""
import contextlib

import torch

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16}


def autocast_dtype(opt):
    """The autocast dtype ``opt.precision`` asks for (None: plain float32; options without the
    attribute mean fp32)."""
    return PRECISIONS[getattr(opt, "precision", "fp32")]


def autocast(device_type, dtype):
    """``torch.autocast`` to ``dtype`` on ``device_type``, or a no-op context for None. The weight
    cast cache is off: a captured CUDA graph must not read cached casts that are freed later."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type, dtype=dtype, cache_enabled=False)
