"""Perceptual content and style losses on VGG19 features: ``VGGLoss``.

Ported from GFLA ``model/networks/external_function.py`` (``VGGLoss``; snapshot 3afa8fe).
Equivalent: content = weighted L1 over relu1_1, relu2_1, relu3_1, relu4_1, relu5_1; style = L1
between Gram matrices of relu2_2, relu3_4, relu4_4, relu5_2; all L1 terms are means.
"""
import torch
import torch.nn.functional as F
from torch import nn

from model.networks.losses.vgg import shared_vgg

CONTENT_LAYERS = ('relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1')
STYLE_LAYERS = ('relu2_2', 'relu3_4', 'relu4_4', 'relu5_2')


def gram_matrix(features):
    """Gram matrix ``F F^T / (C H W)`` of [B, C, H, W] features, F = features as [B, C, H*W] -> [B, C, C].

    Channels-last features (the fast path's VGG) are read as their [B, H*W, C] view: the same
    product without copying them to NCHW, which would also hand the VGG's backward pass an
    NCHW gradient to add to its channels-last ones (a slow mixed-layout addition).
    """
    b, c, h, w = features.shape
    if not features.is_contiguous() and features.is_contiguous(memory_format=torch.channels_last):
        positions = features.permute(0, 2, 3, 1).reshape(b, h * w, c)  # a view
        return positions.transpose(1, 2) @ positions / (c * h * w)
    flat = features.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


class VGGLoss(nn.Module):
    """Content and style losses between an image and its ground truth.

    Args:
        weights: content weights of the five CONTENT_LAYERS.
        vgg: a ``VGG19`` to share with other losses, or None for a new one.
    Forward ``(x, y)``, both [B, 3, H, W] in [-1, 1], returns ``(content, style)`` scalars.
    """

    def __init__(self, weights=(1.0, 1.0, 1.0, 1.0, 1.0), vgg=None):
        super().__init__()
        if len(weights) != len(CONTENT_LAYERS):
            raise ValueError(f"weights: expected {len(CONTENT_LAYERS)} content weights, got {len(weights)}")
        self.weights = tuple(weights)
        self.vgg = shared_vgg(vgg)

    def forward(self, x, y):
        names = CONTENT_LAYERS + STYLE_LAYERS
        x_vgg, y_vgg = self.vgg(x, names), self.vgg(y, names)
        content = sum(weight * F.l1_loss(x_vgg[name], y_vgg[name])
                      for weight, name in zip(self.weights, CONTENT_LAYERS))
        style = sum(F.l1_loss(gram_matrix(x_vgg[name]), gram_matrix(y_vgg[name])) for name in STYLE_LAYERS)
        return content, style
