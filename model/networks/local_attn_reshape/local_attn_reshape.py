"""Local attention reshape: [B, k*k, H, W] weights to [B, 1, k*H, k*W] cells (ORIGINAL.md §6.2).

Channel ``u * k + v`` of position (i, j) goes to output (i * k + u, j * k + v): exactly
``pixel_shuffle``, the same cell layout as the block extractor.
"""
import torch.nn.functional as F
from torch import nn


def local_attn_reshape(inputs, kernel_size, impl=None):
    """Reshape per-position k*k attention weights into k x k cells.

    Args:
        inputs: [B, k*k, H, W].
        kernel_size: k.
    Returns:
        [B, 1, k*H, k*W].
    """
    return F.pixel_shuffle(inputs, kernel_size)


class LocalAttnReshape(nn.Module):
    """Module form with the original signature: ``LocalAttnReshape()(inputs, kernel_size)``."""

    def forward(self, inputs, kernel_size=3):
        return local_attn_reshape(inputs, kernel_size)
