"""Gaussian resampling (original: model/networks/resample2d_package/): a Gaussian-weighted average of the (2K) x (2K)
pixels around each flow-displaced point, K = kernel_size // 2, taps ``dilation`` apart.

For output (b, c, y, x) the sample point is (X, Y) = (x + flow_x, y + flow_y). Along x the taps
are ``floor(X) + t * dilation`` for t = -(K-1) .. K, with weight ``exp(-d^2 / (2 sigma^2))`` of
the signed distance d = tap - X; the same along y; a tap's weight is the product. Tap indices
are clamped to the map, distances are not. The output is the weighted sum divided by the sum of
the weights. An odd kernel_size loses a ring (3 behaves as 2), as in the original. ``input1``
may have any spatial size; the output has the flow's.

Two implementations with identical results: the pure-PyTorch twin (a loop over the taps, one
gather each; any device; autograd through the closed form) and the CUDA extension
(resample2d.cpp/.cu, registered as ``torch.ops.gfla.resample2d``). Half-precision inputs are
computed in float32 on both paths. Both give the true gradient; the original CUDA kernel took the
fraction by truncation (X - int(X)) in the input gradient, which was wrong wherever X < 0 or Y < 0.
A NaN or infinite flow gives NaN outputs on both paths, never an index error.
"""
import math
import numbers
from pathlib import Path

import torch
from torch import nn

from model.ops import custom_ops

_HERE = Path(__file__).parent
EXTENSION = custom_ops.CudaExtension(
    "gfla_resample2d", [_HERE / "resample2d.cpp", _HERE / "resample2d.cu"])


def resample2d(input1, flow, kernel_size=2, dilation=1, sigma=5.0, impl=None):
    """Gaussian-weighted sampling of ``input1`` at ``flow``-displaced points.

    Args:
        input1: [B, C, Hi, Wi] floating tensor to sample.
        flow: [B, 2, H, W] floating tensor on the same device: backward flow in pixels
            (channel 0 = x, 1 = y).
        kernel_size: int >= 2; taps per axis are ``2 * (kernel_size // 2)``.
        dilation: int >= 1, spacing of the taps in pixels.
        sigma: Gaussian width in pixels, > 0.
        impl: 'torch', 'cuda', 'auto' or None (then ``$GFLA_OPS_IMPL``, default 'auto').
    Returns:
        [B, C, H, W] in input1's dtype.
    """
    kernel_size, dilation, sigma = _check_inputs(input1, flow, kernel_size, dilation, sigma)
    custom_ops.check_finite("resample2d", input1=input1, flow=flow)
    extension = custom_ops.select_extension("resample2d", EXTENSION, impl, input1)
    if extension is None:
        return resample2d_reference(input1, flow, kernel_size, dilation, sigma)
    return OP(input1, flow, kernel_size, dilation, sigma)


def resample2d_reference(input1, flow, kernel_size=2, dilation=1, sigma=5.0):
    """The pure-PyTorch twin (arguments and result as ``resample2d``). Loops over the taps so
    that only [B, C, H, W]-sized tensors are created (autograd keeps one gather per tap)."""
    b, c, hi, wi = input1.shape
    h, w = flow.shape[-2:]
    half = kernel_size // 2
    compute_dtype = torch.float32 if input1.dtype in (torch.float16, torch.bfloat16) else input1.dtype
    flow = flow.to(compute_dtype)
    rows = torch.arange(h, device=flow.device, dtype=compute_dtype).view(1, h, 1)
    cols = torch.arange(w, device=flow.device, dtype=compute_dtype).view(1, 1, w)
    row_index, row_weight = _axis_taps(rows + flow[:, 1], hi, half, dilation, sigma)  # [2K, B, H, W]
    col_index, col_weight = _axis_taps(cols + flow[:, 0], wi, half, dilation, sigma)
    flat = input1.to(compute_dtype).reshape(b, c, hi * wi)
    out = 0
    for ty in range(2 * half):
        for tx in range(2 * half):
            index = (row_index[ty] * wi + col_index[tx]).reshape(b, 1, h * w).expand(b, c, h * w)
            sample = flat.gather(2, index).view(b, c, h, w)
            out = out + (row_weight[ty] * col_weight[tx]).unsqueeze(1) * sample
    return out.to(input1.dtype)


class Resample2d(nn.Module):
    """Module form with the original signature: ``Resample2d(k, dilation, sigma)(input1, flow)``."""

    def __init__(self, kernel_size=2, dilation=1, sigma=5):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.sigma = sigma

    def forward(self, input1, flow):
        return resample2d(input1, flow, self.kernel_size, self.dilation, self.sigma)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, sigma={self.sigma}"


def _axis_taps(coord, size, half, dilation, sigma):
    """Clamped tap indices [2K, ...] (long) and normalised Gaussian weights [2K, ...] of one axis."""
    base = torch.floor(coord)
    steps = (torch.arange(2 * half, device=coord.device) - half + 1) * dilation
    steps = steps.view(-1, *([1] * coord.dim()))
    # a NaN coordinate stays NaN through clamp: index it as 0 (its NaN weight makes the output NaN)
    index = (base.unsqueeze(0) + steps).clamp(0, size - 1).nan_to_num(0.0).long()
    distance = steps + base.unsqueeze(0) - coord.unsqueeze(0)
    weight = torch.exp(distance * distance * (-0.5 / sigma ** 2))
    return index, weight / weight.sum(0, keepdim=True)


def _check_inputs(input1, flow, kernel_size, dilation, sigma):
    """Raise ValueError naming the bad argument; returns (kernel_size, dilation, sigma) as
    (int, int, float)."""
    custom_ops.check_source_and_flow("resample2d", "input1", input1, flow)
    if not custom_ops.is_integer(kernel_size) or kernel_size < 2:
        raise ValueError(f"resample2d: kernel_size must be an int >= 2 (2 * (kernel_size // 2) taps "
                         f"per axis), got {kernel_size!r}")
    if not custom_ops.is_integer(dilation) or dilation < 1:
        raise ValueError(f"resample2d: dilation must be an int >= 1, got {dilation!r}")
    if (isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or not math.isfinite(sigma)
            or sigma <= 0):
        raise ValueError(f"resample2d: sigma must be a finite number > 0, got {sigma!r}")
    return int(kernel_size), int(dilation), float(sigma)


def _output_like(input1, flow, kernel_size, dilation, sigma):
    return input1.new_empty(input1.shape[0], input1.shape[1], flow.shape[2], flow.shape[3])


# the CUDA path as a registered op (torch.ops.gfla.resample2d); first-order gradient
OP = custom_ops.register_op("resample2d", "Tensor input1, Tensor flow, int kernel_size, int dilation, float sigma",
                            resample2d_reference, _output_like, EXTENSION)
