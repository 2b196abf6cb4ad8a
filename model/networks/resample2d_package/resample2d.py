"""Gaussian resampling (ORIGINAL.md §6.3): a Gaussian-weighted average of the (2K) x (2K)
pixels around each flow-displaced point, K = kernel_size // 2, taps ``dilation`` apart.

Tap indices are clamped to the map, tap distances are not. Output has the flow's spatial size.
"""
import torch
from torch import nn


def _taps(coord, size, half, dilation):
    """Clamped tap indices and their signed distances along one axis, each [2K, ...]."""
    base = torch.floor(coord)
    frac = coord - base
    steps = torch.cat([-torch.arange(half - 1, -1, -1), torch.arange(1, half + 1)]) * dilation
    steps = steps.to(coord).view(-1, *([1] * coord.dim()))
    index = (base.unsqueeze(0) + steps).clamp(0, size - 1).long()
    distance = steps - frac.unsqueeze(0)
    return index, distance


def resample2d_reference(input1, flow, kernel_size=2, dilation=1, sigma=5.0):
    """Pure-PyTorch Gaussian resampling; autograd gives the true gradients."""
    b, c, hi, wi = input1.shape
    h, w = flow.shape[-2:]
    half = kernel_size // 2
    flow = flow.to(input1.dtype)
    rows = torch.arange(h, device=flow.device, dtype=flow.dtype).view(1, h, 1)
    cols = torch.arange(w, device=flow.device, dtype=flow.dtype).view(1, 1, w)
    iy, dy = _taps(rows + flow[:, 1], hi, half, dilation)   # [2K, B, H, W]
    ix, dx = _taps(cols + flow[:, 0], wi, half, dilation)
    wy = torch.exp(-dy ** 2 / (2 * sigma ** 2))
    wx = torch.exp(-dx ** 2 / (2 * sigma ** 2))
    flat = input1.reshape(b, c, hi * wi)
    total = 0
    norm = 0
    for ty in range(2 * half):
        for tx in range(2 * half):
            weight = (wy[ty] * wx[tx]).unsqueeze(1)              # [B, 1, H, W]
            index = (iy[ty] * wi + ix[tx]).view(b, 1, h * w).expand(b, c, h * w)
            sample = flat.gather(2, index).view(b, c, h, w)
            total = total + weight * sample
            norm = norm + weight
    return total / norm


def resample2d(input1, flow, kernel_size=2, dilation=1, sigma=5.0, impl=None):
    """Gaussian-weighted sampling of ``input1`` at ``flow``-displaced points.

    Args:
        input1: [B, C, Hi, Wi] map to sample.
        flow: [B, 2, H, W] backward flow in pixels (channel 0 = x).
        kernel_size: taps per axis are ``2 * (kernel_size // 2)``.
        dilation: spacing of the taps in pixels.
        sigma: Gaussian width in pixels.
    Returns:
        [B, C, H, W].
    """
    return resample2d_reference(input1, flow, kernel_size, dilation, sigma)


class Resample2d(nn.Module):
    """Module form with the original signature: ``Resample2d(k, dilation, sigma)(input1, flow)``."""

    def __init__(self, kernel_size=2, dilation=1, sigma=5):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.sigma = float(sigma)

    def forward(self, input1, flow):
        return resample2d(input1, flow, self.kernel_size, self.dilation, self.sigma)
