"""Flow-guided local attention (GFLA ``ExtractorAttn``, ORIGINAL.md §3.2).

For each target position (i, j), a softmax over the k x k source neighbourhood around the
flow-displaced point weights those source features:

    Bs = block_extractor(source, flow, k)              [B, C, kH, kW]
    Bt = block_extractor(target, 0, k)                 [B, C, kH, kW]
    a  = fully_connect_layer(cat(Bt, Bs))              [B, k*k, H, W], softmax over k*k
    out[b, c, i, j] = 1/k^2 * sum_{u,v} a[b, u*k+v, i, j] * Bs[b, c, i*k+u, j*k+v]

The 1/k^2 factor is a kept quirk (the original averaged the weighted cell with avg_pool2d).

``forward`` computes exactly this, more cheaply:
  - the target blocks are never built: with zero flow they are the replicate-padded k x k
    neighbourhoods, so the target half of the first conv (kernel k, stride k over Bt) is an
    ordinary k x k convolution of the replicate-padded target (pad k//2 before, k-1-k//2 after:
    asymmetric for even k, like the block offsets);
  - the first conv is split into its target and source halves, so cat(Bt, Bs) is never built;
  - the weights are applied to Bs through a reshape to [B, C, H, k, W, k] and a broadcast,
    instead of pixel_shuffle to a k*k-upsampled map and avg_pool2d.
``forward_composition`` is the straightforward composition above, kept as the reference that
tests compare ``forward`` with and that ``script/benchmark_ops.py`` measures.
"""
import torch
import torch.nn.functional as F
from torch import nn

from model.networks.block_extractor.block_extractor import block_extractor
from model.networks.local_attn_reshape.local_attn_reshape import local_attn_reshape

HIDDEN_NC = 128


class ExtractorAttn(nn.Module):
    """Local attention block; state_dict keys ``fully_connect_layer.{0,2}.{weight,bias}`` as released.

    Args:
        feature_nc: channels C of source and target features.
        kernel_size: neighbourhood size k.
        nonlinearity: activation module after the first conv.
        softmax: True (all GFLA models): softmax over the k*k weights; False or None: the
            ``nonlinearity`` module instead (the original tested ``is not None``).
    """

    def __init__(self, feature_nc, kernel_size, nonlinearity, softmax=True):
        super().__init__()
        self.feature_nc = feature_nc
        self.kernel_size = kernel_size
        last = nn.Softmax(dim=1) if softmax else nonlinearity
        self.fully_connect_layer = nn.Sequential(
            nn.Conv2d(2 * feature_nc, HIDDEN_NC, kernel_size=kernel_size, stride=kernel_size, padding=0),
            nonlinearity,
            nn.Conv2d(HIDDEN_NC, kernel_size * kernel_size, kernel_size=1, stride=1, padding=0),
            last,
        )

    def forward(self, source, target, flow_field):
        """Attend to ``source`` around ``flow_field``-displaced points, steered by ``target``.

        Args:
            source: [B, C, H, W] features to sample.
            target: [B, C, H, W] features of the target.
            flow_field: [B, 2, H, W] backward flow in pixels (channel 0 = x).
        Returns:
            [B, C, H, W].
        """
        return self.hook_attn_param(source, target, flow_field)[1]

    def hook_attn_param(self, source, target, flow_field):
        """Like ``forward``, also returning the attention weights (for visualisation).

        Returns:
            (weights [B, k*k, H, W], output [B, C, H, W]).
        """
        self._check_inputs(source, target, flow_field)
        k = self.kernel_size
        conv1, activation, conv2, last = self.fully_connect_layer
        target_weight, source_weight = conv1.weight.split(self.feature_nc, dim=1)
        source_blocks = block_extractor(source, flow_field, k)
        before, after = k // 2, k - 1 - k // 2
        padded_target = F.pad(target, (before, after, before, after), mode="replicate")
        hidden = (F.conv2d(source_blocks, source_weight, conv1.bias, stride=k)
                  + F.conv2d(padded_target, target_weight))
        weights = last(conv2(activation(hidden)))
        return weights, _weighted_cell_mean(source_blocks, weights, k)

    def forward_composition(self, source, target, flow_field):
        """The original's computation step by step (see the module docstring); equal to
        ``forward``, slower and larger. Arguments and result as ``forward``."""
        self._check_inputs(source, target, flow_field)
        k = self.kernel_size
        source_blocks = block_extractor(source, flow_field, k)
        target_blocks = block_extractor(target, torch.zeros_like(flow_field), k)
        # target first, then source: the original concatenation order
        weights = self.fully_connect_layer(torch.cat([target_blocks, source_blocks], dim=1))
        cells = local_attn_reshape(weights, k)
        return F.avg_pool2d(cells * source_blocks, k, k)

    def _check_inputs(self, source, target, flow_field):
        b, c, h, w = source.shape
        if c != self.feature_nc or target.shape != source.shape:
            raise ValueError(f"ExtractorAttn: source and target must both have shape [B, {self.feature_nc}, "
                             f"H, W], got {tuple(source.shape)} and {tuple(target.shape)}")
        if flow_field.shape != (b, 2, h, w):
            raise ValueError(f"ExtractorAttn: flow_field must have shape {(b, 2, h, w)} (source's batch "
                             f"and size), got {tuple(flow_field.shape)}")


def _weighted_cell_mean(blocks, weights, k):
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
