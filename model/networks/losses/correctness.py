"""Sampling correctness loss ``PerceptualCorrectness`` (GFLA's flow supervision, original: model/networks/external_function.py, PerceptualCorrectness).

Ported from GFLA ``model/networks/external_function.py`` (``PerceptualCorrectness``; snapshot
3afa8fe). Equivalent, kept quirks included: flows are paired with VGG layers through
``sorted(used_layers, reverse=True)`` (with attention layers [2, 3]: flow 0 <-> relu4_1,
flow 1 <-> relu3_1); the source features are warped by Gaussian 4x4 resampling (sigma 2);
the loss is ``exp(-c_s / (c_max + eps)) - e^-1``. Not ported: the ``use_bilinear_sampling``
switch (off in every model).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from model.networks.losses.vgg import shared_vgg
from model.ops.resample2d import resample2d

# attention layer -> VGG19 layer at the same resolution; layer 0 was unusable in the original
# (its name was misspelt 'rel1_1')
CORRECTNESS_LAYERS = {1: 'relu2_1', 2: 'relu3_1', 3: 'relu4_1'}
EPS = 1e-8


def correctness_loss(target_features, source_features, flow, mask=None):
    """Correctness of one flow at one VGG layer.

    Args:
        target_features, source_features: [B, C, H, W] VGG features.
        flow: [B, 2, h, w] backward flow in pixels of the feature map (nearest-resized to H x W,
            values unchanged, as the original).
        mask: optional [B, 1, H0, W0] weights (nearest-resized to H x W).
    Returns:
        Scalar: the mean (or mask-weighted mean) of ``exp(-c_s / (c_max + eps)) - e^-1``, where
        c_s is the cosine similarity of the warped source and the target features and c_max the
        best cosine similarity of the target feature to any source position.
    """
    b, c, h, w = target_features.shape
    flow = F.interpolate(flow, size=(h, w))
    target = target_features.reshape(b, c, h * w)
    source = source_features.reshape(b, c, h * w)
    target_unit = target / (target.norm(dim=1, keepdim=True) + EPS)
    source_unit = source / (source.norm(dim=1, keepdim=True) + EPS)
    best = (source_unit.transpose(1, 2) @ target_unit).amax(dim=1)           # [B, N_target]
    warped = resample2d(source_features, flow, kernel_size=4, dilation=1, sigma=2.0).reshape(b, c, h * w)
    sampled = F.cosine_similarity(warped, target, dim=1, eps=EPS)             # [B, N_target]
    loss_map = torch.exp(-sampled / (best + EPS)) - math.exp(-1)
    if mask is None:
        return loss_map.mean()
    mask = F.interpolate(mask, size=(h, w)).reshape(b, h * w)
    return (mask * loss_map).sum() / (mask.sum() + EPS)


class PerceptualCorrectness(nn.Module):
    """Sum of ``correctness_loss`` over the flows of the attention layers.

    Args:
        vgg: a ``VGG19`` to share with other losses, or None for a new one.
    Forward ``(target, source, flow_list, used_layers, mask=None)``:
        target, source: [B, 3, H, W] images in [-1, 1] (target = ground truth);
        flow_list: flows coarse to fine, as the generators return them;
        used_layers: the attention layers (e.g. ``opt.attn_layer`` = [2, 3]);
        mask: optional [B, 1, H, W] foreground weights.
    Returns a scalar.
    """

    def __init__(self, vgg=None):
        super().__init__()
        self.vgg = shared_vgg(vgg)

    def forward(self, target, source, flow_list, used_layers, mask=None):
        layers = sorted(used_layers, reverse=True)
        if len(flow_list) > len(layers):
            raise ValueError(f"flow_list: got {len(flow_list)} flows for attention layers {list(used_layers)}")
        unknown = [layer for layer in layers if layer not in CORRECTNESS_LAYERS]
        if unknown:
            raise ValueError(f"used_layers: no correctness layer for {unknown}; "
                             f"expected layers in {sorted(CORRECTNESS_LAYERS)}")
        names = [CORRECTNESS_LAYERS[layer] for layer in layers[:len(flow_list)]]
        target_vgg, source_vgg = self.vgg(target, names), self.vgg(source, names)
        return sum(correctness_loss(target_vgg[name], source_vgg[name], flow, mask)
                   for name, flow in zip(names, flow_list))
