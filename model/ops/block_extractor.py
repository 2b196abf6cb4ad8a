"""Block extraction: the k x k neighbourhood of a flow-displaced point, laid out as k x k cells.

Semantics (original: model/networks/block_extractor/): for output position (y, x) with cell (i, j) = (y // k, x // k) and
in-cell offset (u, v) = (y % k, x % k), the value is the bilinear sample of ``source`` at
row ``i + flow[:, 1, i, j] + u - k // 2`` and column ``j + flow[:, 0, i, j] + v - k // 2``, with
each corner index clamped to the map (edge replication). Flow is in pixels of the source map,
channel 0 = x; source and flow may differ in size (the original allowed it). For even k the
offsets are asymmetric (-k/2 .. k/2 - 1), as in the original.

Two implementations with identical results: the pure-PyTorch twin (``grid_sample``, bilinear,
border padding, align_corners=True, on the k x k grid of absolute positions; any device) and
the CUDA extension (block_extractor.cpp/.cu). ``custom_ops.select_extension`` picks one per
call. Half-precision inputs are computed in float32 on both paths (a bfloat16 coordinate can be
off by a quarter pixel) and returned in the source's dtype. Both give the true gradient; the
original CUDA backward read the batch index from the memory layout of the incoming gradient,
which was wrong for non-contiguous gradients with batch > 1. A NaN or infinite flow gives NaN
blocks on both paths (the original clamped it into the map and returned finite samples).
"""
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from model.ops import custom_ops

_HERE = Path(__file__).parent
EXTENSION = custom_ops.CudaExtension(
    "gfla_block_extractor", [_HERE / "block_extractor.cpp", _HERE / "block_extractor.cu"])


def block_extractor(source, flow, kernel_size, impl=None):
    """Extract the k x k blocks of ``source`` around ``flow``-displaced points.

    Args:
        source: [B, C, Hs, Ws] floating tensor.
        flow: [B, 2, H, W] floating tensor on the same device: backward flow in pixels of
            ``source`` (channel 0 = x, 1 = y).
        kernel_size: block size k >= 1.
        impl: 'torch', 'cuda', 'auto' or None (then ``$GFLA_OPS_IMPL``, default 'auto').
    Returns:
        [B, C, k*H, k*W] in source's dtype: cell (i, j) holds the block of flow position (i, j).
    """
    kernel_size = _check_inputs(source, flow, kernel_size)
    custom_ops.check_finite("block_extractor", source=source, flow=flow)
    extension = custom_ops.select_extension("block_extractor", EXTENSION, impl, source)
    if extension is None:
        return block_extractor_reference(source, flow, kernel_size)
    return OP(source, flow, kernel_size)


def block_extractor_reference(source, flow, kernel_size):
    """The pure-PyTorch twin (arguments and result as ``block_extractor``): ``grid_sample``
    with bilinear interpolation, border padding and align_corners=True."""
    compute_dtype = _compute_dtype(source.dtype)
    hs, ws = source.shape[-2:]
    grid = _absolute_grid(flow.to(compute_dtype), kernel_size)
    # align_corners=True maps -1 / +1 to pixel 0 / size-1; a size-1 axis has every point at 0.
    # Python scalars, not a tensor made from a list: that is a host-to-device copy, which a CUDA
    # graph capture refuses
    x_scale, y_scale = 2.0 / max(ws - 1, 1), 2.0 / max(hs - 1, 1)
    normalised = torch.stack((grid[..., 0] * x_scale, grid[..., 1] * y_scale), dim=-1) - 1
    # grid_sample must not see a NaN/inf coordinate (its CPU kernels index memory with it): sample
    # at 0 there, then make those blocks NaN
    blocks = F.grid_sample(source.to(compute_dtype), normalised.nan_to_num(0.0, 0.0, 0.0),
                           mode="bilinear", padding_mode="border", align_corners=True)
    return custom_ops.nan_where_non_finite(blocks, flow, kernel_size).to(source.dtype)


class BlockExtractor(nn.Module):
    """Module form with the original signature: ``BlockExtractor(k)(source, flow_field)``."""

    def __init__(self, kernel_size=3):
        super().__init__()
        self.kernel_size = kernel_size

    def forward(self, source, flow_field):
        return block_extractor(source, flow_field, self.kernel_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}"


def _absolute_grid(flow, kernel_size):
    """Absolute sampling coordinates [B, k*H, k*W, 2] (x, y) of every block element."""
    _, _, h, w = flow.shape
    k = kernel_size
    offsets = torch.arange(k, device=flow.device, dtype=flow.dtype) - k // 2
    rows = torch.arange(h, device=flow.device, dtype=flow.dtype)
    cols = torch.arange(w, device=flow.device, dtype=flow.dtype)
    # cell index + in-cell offset, laid out along the k-times upsampled axis
    base_y = (rows[:, None] + offsets[None, :]).reshape(h * k)
    base_x = (cols[:, None] + offsets[None, :]).reshape(w * k)
    flow_up = flow.repeat_interleave(k, dim=2).repeat_interleave(k, dim=3)
    x = flow_up[:, 0] + base_x[None, None, :]
    y = flow_up[:, 1] + base_y[None, :, None]
    return torch.stack((x, y), dim=-1)


def _compute_dtype(dtype):
    """float32 for half types (coordinates need the precision), else the dtype itself."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def _check_inputs(source, flow, kernel_size):
    """Raise ValueError naming the bad argument; returns kernel_size as an int."""
    custom_ops.check_source_and_flow("block_extractor", "source", source, flow)
    return custom_ops.check_kernel_size("block_extractor", kernel_size)


def _output_like(source, flow, kernel_size):
    return source.new_empty(source.shape[0], source.shape[1], kernel_size * flow.shape[2], kernel_size * flow.shape[3])


# the CUDA path as a registered op (torch.ops.gfla.block_extractor); first-order gradient
OP = custom_ops.register_op("block_extractor", "Tensor source, Tensor flow, int kernel_size",
                            block_extractor_reference, _output_like, EXTENSION)
