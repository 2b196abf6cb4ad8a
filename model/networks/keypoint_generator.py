"""The motion extraction net ``KPInput2DGenerator`` (registry ``kpinput2d``): noisy 2-D skeleton
sequences in, clean ones out.

Ported from GFLA ``model/networks/generator.py`` (``KPInput2DGenerator``, ``KPInputNet2D``) and
``model/networks/base_function.py`` (``LayerNorm1d``, ``ADALN1d``); snapshot 3afa8fe. Same keys
(``kp_input.*``, in the original's registration order), shapes and forward.

A sequence is [B, 2J, T]: J y rows, then J x rows, coordinates in [-1, 1]. A VideoPose3D-style
stack of dilated temporal convolutions (dilations 1, 3, 9, 27 for 4 layers: receptive field 81
frames, no padding) maps it to [B, 2J, T - 80]; every layer norm after the first is adaptive,
modulated by a global context vector, the time mean of three strided convolutions of the input.
"""
import torch
import torch.nn.functional as F
from torch import nn

from model.networks.base_network import BaseNetwork

KERNEL_SIZE = 3
NEGATIVE_SLOPE = 0.1
ADAPTIVE_HIDDEN = 128


def receptive_field(layers):
    """Input frames per output frame of a net with ``layers`` layers (81 for 4)."""
    return KERNEL_SIZE ** layers


class LayerNorm1d(nn.Module):
    """Layer norm over all of (C, T) with a per-channel affine map (weight, bias [C, 1])."""

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels, 1))
        self.bias = nn.Parameter(torch.zeros(channels, 1))

    def forward(self, x):
        shape = x.shape[1:]
        return F.layer_norm(x, shape, self.weight.expand(shape), self.bias.expand(shape))


class ADALN1d(nn.Module):
    """Adaptive layer norm: ``layer_norm(x) * (1 + gamma) + beta`` over (C, T), with gamma and beta
    [B, C] computed from a context vector [B, feature_nc] by a small MLP."""

    def __init__(self, norm_nc, feature_nc):
        super().__init__()
        self.mlp_shared = nn.Sequential(nn.Linear(feature_nc, ADAPTIVE_HIDDEN), nn.ReLU())
        self.mlp_gamma = nn.Linear(ADAPTIVE_HIDDEN, norm_nc)
        self.mlp_beta = nn.Linear(ADAPTIVE_HIDDEN, norm_nc)

    def forward(self, x, context):
        hidden = self.mlp_shared(context.reshape(len(context), -1))
        gamma, beta = self.mlp_gamma(hidden)[:, :, None], self.mlp_beta(hidden)[:, :, None]
        return F.layer_norm(x, x.shape[1:]) * (1 + gamma) + beta


class KPInputNet2D(nn.Module):
    """The temporal net (attribute ``kp_input`` of the generator).

    Args:
        keypoint_nc: joints J (17).
        channels: hidden channels (256).
        layers: depth; layer j >= 1 is a residual pair (k3 conv with dilation 3^j, then 1x1 conv),
            each followed by an adaptive layer norm, LeakyReLU(0.1) and dropout.
        dropout: dropout probability (0.15).
    """

    def __init__(self, keypoint_nc, channels=256, layers=4, dropout=0.15):
        super().__init__()
        coordinates = 2 * keypoint_nc
        self.expand_conv = nn.Conv1d(coordinates, channels, KERNEL_SIZE, bias=False)
        self.expand_ln = LayerNorm1d(channels)
        self.shrink = nn.Conv1d(channels, coordinates, 1)
        self.drop = nn.Dropout(dropout)
        self.lrelu = nn.LeakyReLU(NEGATIVE_SLOPE)
        self.dilations = [KERNEL_SIZE ** layer for layer in range(1, layers)]
        self.layers_conv = nn.ModuleList(
            conv for dilation in self.dilations
            for conv in (nn.Conv1d(channels, channels, KERNEL_SIZE, dilation=dilation, bias=False),
                         nn.Conv1d(channels, channels, 1, bias=False)))
        self.layers_ln = nn.ModuleList(ADALN1d(channels, channels) for _ in range(2 * len(self.dilations)))
        self.feature_conv_1 = nn.Conv1d(coordinates, channels, KERNEL_SIZE, stride=2, bias=False)
        self.feature_conv_2 = nn.Conv1d(channels, channels, KERNEL_SIZE, stride=2, bias=False)
        self.feature_conv_3 = nn.Conv1d(channels, channels, KERNEL_SIZE, stride=2, bias=False)

    def context(self, keypoints):
        """The global context [B, channels]: time mean of three strided convolutions."""
        feature = keypoints
        for conv in (self.feature_conv_1, self.feature_conv_2, self.feature_conv_3):
            feature = self.lrelu(conv(feature))
        return feature.mean(dim=2)

    def forward(self, keypoints):
        context = self.context(keypoints)
        x = self.drop(self.lrelu(self.expand_ln(self.expand_conv(keypoints))))
        for index, dilation in enumerate(self.dilations):
            residual = x[:, :, dilation:x.shape[2] - dilation]
            dilated, pointwise = self.layers_conv[2 * index], self.layers_conv[2 * index + 1]
            x = self.drop(self.lrelu(self.layers_ln[2 * index](dilated(x), context)))
            x = residual + self.drop(self.lrelu(self.layers_ln[2 * index + 1](pointwise(x), context)))
        return self.shrink(x)


class KPInput2DGenerator(BaseNetwork):
    """The motion extraction net. ``forward(keypoints [B, 2J, T]) -> [B, 2J, T - receptive_field + 1]``.

    Args:
        structure_nc: joints J (the keypoint model passes 17).
        channels: hidden channels (256).
        layers: depth (4: receptive field 81).
    """

    def __init__(self, structure_nc=18, channels=256, layers=4):
        super().__init__()
        self.kp_input = KPInputNet2D(structure_nc, channels, layers)
        self.receptive_field = receptive_field(layers)

    def forward(self, keypoints):
        coordinates = self.kp_input.expand_conv.in_channels
        if keypoints.dim() != 3 or keypoints.shape[1] != coordinates or keypoints.shape[2] < self.receptive_field:
            raise ValueError(f"keypoints must be [B, {coordinates}, T] with T >= {self.receptive_field} (the "
                             f"receptive field), got shape {tuple(keypoints.shape)}")
        return self.kp_input(keypoints)
