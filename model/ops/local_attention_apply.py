"""Applying local attention weights to flow-displaced source neighbourhoods, without building them.

    out[b, c, i, j] = 1/k^2 * sum_{u,v} weights[b, u*k+v, i, j]
                      * bilinear(source[b, c], i + flow_y + u - k//2, j + flow_x + v - k//2)

with each bilinear corner index clamped to the map (edge replication), flow = flow[b, :, i, j]
(channel 0 = x). This is ``ExtractorAttn``'s weighted cell mean over the block extractor's
k x k cells (original: model/networks/base_function.py; model/networks/block_extractor/; the 1/k^2 is the original's avg_pool quirk), computed
without the [B, C, k*H, k*W] block tensor.

Two implementations with matching results (``custom_ops.select_extension`` picks one per call):
  - the pure-PyTorch twin: block extraction (``grid_sample``) and the weighted cell mean, any
    device; it builds the block tensor;
  - the CUDA extension (local_attention_apply.cpp/.cu, registered as
    ``torch.ops.gfla.local_attention_apply``): all k*k samples of a position share
    their bilinear fractions and their corners tile a (k+1) x (k+1) source window, so a thread
    folds the weights into (k+1)^2 window coefficients once and reads each window pixel once
    per channel. Its backward saves only the inputs. Kernel sizes up to
    ``CUDA_MAX_KERNEL_SIZE`` (the kernels keep the window in registers); larger ones run the twin.
Half-precision inputs are computed in float32 on both paths and returned in their dtype;
source and weights of different dtypes are both promoted to the common dtype first.
"""
from pathlib import Path

import torch

from model.ops import custom_ops
from model.ops.block_extractor import block_extractor_reference

_HERE = Path(__file__).parent
EXTENSION = custom_ops.CudaExtension(
    "gfla_local_attention_apply", [_HERE / "local_attention_apply.cpp", _HERE / "local_attention_apply.cu"])
CUDA_MAX_KERNEL_SIZE = 8  # keep in sync with kMaxKernelSize in local_attention_apply.cu


def local_attention_apply(source, weights, flow, kernel_size, impl=None):
    """Weighted mean of the k x k bilinear samples around each flow-displaced point.

    Args:
        source: [B, C, H, W] floating tensor.
        weights: [B, k*k, H, W] floating tensor; channel u*k+v weights in-block offset (u, v).
        flow: [B, 2, H, W] floating tensor: backward flow in pixels (channel 0 = x, 1 = y).
        kernel_size: k >= 1.
        impl: 'torch', 'cuda', 'auto' or None (then ``$GFLA_OPS_IMPL``, default 'auto').
    Returns:
        [B, C, H, W] in the common dtype of source and weights.
    """
    kernel_size = _check_inputs(source, weights, flow, kernel_size)
    custom_ops.check_finite("local_attention_apply", source=source, weights=weights, flow=flow)
    dtype = torch.promote_types(source.dtype, weights.dtype)
    source, weights = source.to(dtype), weights.to(dtype)
    extension = EXTENSION if kernel_size <= CUDA_MAX_KERNEL_SIZE else None
    if custom_ops.select_extension("local_attention_apply", extension, impl, source) is None:
        return local_attention_apply_reference(source, weights, flow, kernel_size)
    return OP(source, weights, flow, kernel_size)


def local_attention_apply_reference(source, weights, flow, kernel_size):
    """The pure-PyTorch twin (arguments and result as ``local_attention_apply``, one dtype):
    the block extractor's ``grid_sample`` twin followed by ``weighted_cell_mean``."""
    return weighted_cell_mean(block_extractor_reference(source, flow, kernel_size), weights, kernel_size)


def weighted_cell_mean(blocks, weights, k):
    """out[b, c, i, j] = 1/k^2 * sum_{u,v} weights[b, u*k+v, i, j] * blocks[b, c, i*k+u, j*k+v].

    Args:
        blocks: [B, C, k*H, k*W].
        weights: [B, k*k, H, W].
    Returns:
        [B, C, H, W].
    """
    b, c, kh, kw = blocks.shape
    h, w = kh // k, kw // k
    cells = blocks.view(b, c, h, k, w, k)
    # [B, k, k, H, W] -> [B, 1, H, k, W, k], a view broadcast against the cells
    cell_weights = weights.view(b, 1, k, k, h, w).permute(0, 1, 4, 2, 5, 3)
    return (cells * cell_weights).sum(dim=(3, 5)) / (k * k)


def _check_inputs(source, weights, flow, kernel_size):
    """Raise ValueError naming the bad argument; returns kernel_size as an int."""
    kernel_size = custom_ops.check_kernel_size("local_attention_apply", kernel_size)
    if not isinstance(source, torch.Tensor) or source.dim() != 4 or not source.is_floating_point():
        raise ValueError("local_attention_apply: source must be a 4-D floating tensor [B, C, H, W], got "
                         f"{custom_ops.describe(source)}")
    b, _, h, w = source.shape
    for name, value, channels in (("weights", weights, kernel_size ** 2), ("flow", flow, 2)):
        if (not isinstance(value, torch.Tensor) or not value.is_floating_point()
                or value.shape != (b, channels, h, w)):
            raise ValueError(f"local_attention_apply: {name} must be a floating tensor of shape "
                             f"{(b, channels, h, w)} (source's batch and size), got {custom_ops.describe(value)}")
        if value.device != source.device:
            raise ValueError(f"local_attention_apply: {name} and source must be on one device, got "
                             f"{value.device} and {source.device}")
    return kernel_size


def _output_like(source, weights, flow, kernel_size):
    return torch.empty_like(source, memory_format=torch.contiguous_format)


# the CUDA path as a registered op (torch.ops.gfla.local_attention_apply); first-order gradient
OP = custom_ops.register_op("local_attention_apply", "Tensor source, Tensor weights, Tensor flow, int kernel_size",
                            local_attention_apply_reference, _output_like, EXTENSION)
