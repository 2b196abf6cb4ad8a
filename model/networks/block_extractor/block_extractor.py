"""Block extraction: the k x k neighbourhood of a flow-displaced point, laid out as k x k cells.

Semantics (ORIGINAL.md §6.1): for output position (y, x) with cell (i, j) = (y // k, x // k) and
in-cell offset (u, v) = (y % k, x % k), the value is the bilinear sample of ``source`` at
row ``i + flow[:, 1, i, j] + u - k // 2`` and column ``j + flow[:, 0, i, j] + v - k // 2``, with
each corner index clamped to the map (edge replication). Flow is in pixels of the map,
channel 0 = x. For even k the offsets are asymmetric (-k/2 .. k/2 - 1), as in the original.
"""
import torch
import torch.nn.functional as F
from torch import nn


def _absolute_grid(flow, kernel_size):
    """Absolute sampling coordinates [B, kH, kW, 2] (x, y) of every block element."""
    b, _, h, w = flow.shape
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


def block_extractor_reference(source, flow, kernel_size):
    """Pure-PyTorch block extraction: grid_sample (bilinear, border, align_corners=True)."""
    hs, ws = source.shape[-2:]
    grid = _absolute_grid(flow.to(source.dtype), kernel_size)
    scale = grid.new_tensor([2.0 / max(ws - 1, 1), 2.0 / max(hs - 1, 1)])
    return F.grid_sample(source, grid * scale - 1, mode="bilinear", padding_mode="border",
                         align_corners=True)


def block_extractor(source, flow, kernel_size, impl=None):
    """Extract k x k blocks of ``source`` around ``flow``-displaced points.

    Args:
        source: [B, C, H, W] feature map.
        flow: [B, 2, H, W] backward flow in pixels (channel 0 = x, 1 = y).
        kernel_size: block size k.
        impl: ``'torch'``, ``'cuda'`` or None (automatic; see ``GFLA_OPS_IMPL``).
    Returns:
        [B, C, k*H, k*W] blocks, cell (i, j) holding the block of flow position (i, j).
    """
    return block_extractor_reference(source, flow, kernel_size)


class BlockExtractor(nn.Module):
    """Module form with the original signature: ``BlockExtractor(k)(source, flow_field)``."""

    def __init__(self, kernel_size=3):
        super().__init__()
        self.kernel_size = kernel_size

    def forward(self, source, flow_field):
        return block_extractor(source, flow_field, self.kernel_size)
