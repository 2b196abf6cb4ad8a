"""Local attention reshape: [B, k*k, H, W] weights to [B, 1, k*H, k*W] cells (original: model/networks/local_attn_reshape/).

Channel ``u * k + v`` of position (i, j) goes to output (i * k + u, j * k + v): exactly
``pixel_shuffle``, the same cell layout as the block extractor; its backward is
``pixel_unshuffle``.

No CUDA kernel: on CUDA tensors ``pixel_shuffle`` is one permuting copy each way (one read, one
write), which a hand-written kernel can at best equal. ``script/benchmark_ops.py`` on an H200
(torch 2.11, B=8, fp32 and bf16, 0.3 to 3.3 MB of weights): forward+backward median 0.16 to 0.29
ms, the fixed cost of launching two copies through autograd (the bytes take about 2 us), so
there is nothing left for a kernel to win. ``ExtractorAttn`` does not call it at all: it reads
the weights in place through a reshape. The ``impl`` switch is still validated, so all three ops
accept the same arguments and raise the same errors.
"""
import torch
import torch.nn.functional as F
from torch import nn

from model.ops import custom_ops


def local_attn_reshape(inputs, kernel_size, impl=None):
    """Reshape per-position k*k attention weights into k x k cells.

    Args:
        inputs: [B, k*k, H, W].
        kernel_size: k >= 1.
        impl: 'torch', 'cuda', 'auto' or None (then ``$GFLA_OPS_IMPL``); all run
            ``pixel_shuffle``, 'cuda' requires a CUDA tensor.
    Returns:
        [B, 1, k*H, k*W].
    """
    kernel_size = custom_ops.check_kernel_size("local_attn_reshape", kernel_size)
    if not isinstance(inputs, torch.Tensor) or inputs.dim() != 4 or inputs.shape[1] != kernel_size ** 2:
        got = (f"shape {tuple(inputs.shape)}" if isinstance(inputs, torch.Tensor) else repr(inputs))
        raise ValueError(f"local_attn_reshape: inputs must be a 4-D tensor [B, {kernel_size ** 2}, H, W] "
                         f"(kernel_size ** 2 channels), got {got}")
    custom_ops.select_extension("local_attn_reshape", None, impl, inputs)
    return F.pixel_shuffle(inputs, kernel_size)


class LocalAttnReshape(nn.Module):
    """Module form with the original signature: ``LocalAttnReshape()(inputs, kernel_size=3)``."""

    def forward(self, inputs, kernel_size=3):
        return local_attn_reshape(inputs, kernel_size)
