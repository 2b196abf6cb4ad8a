"""Flow-guided local attention (GFLA ``ExtractorAttn``, ORIGINAL.md §3.2).

For each target position, a softmax over the k x k source neighbourhood around the
flow-displaced point weights those source features. Kept quirk: the result is divided by
k*k (the original averaged the weighted cell with avg_pool2d).
"""
import torch
import torch.nn.functional as F
from torch import nn

from model.networks.block_extractor.block_extractor import block_extractor
from model.networks.local_attn_reshape.local_attn_reshape import local_attn_reshape

HIDDEN_NC = 128


class ExtractorAttn(nn.Module):
    """Local attention block; state_dict keys ``fully_connect_layer.{0,2}.*`` as released.

    Args:
        feature_nc: channels C of source and target features.
        kernel_size: neighbourhood size k.
        nonlinearity: activation module between the two 1x1-per-cell convs.
        softmax: softmax over the k*k weights (all GFLA models); else ``nonlinearity``.
    """

    def __init__(self, feature_nc, kernel_size, nonlinearity, softmax=True):
        super().__init__()
        self.kernel_size = kernel_size
        last = nn.Softmax(dim=1) if softmax else nonlinearity
        self.fully_connect_layer = nn.Sequential(
            nn.Conv2d(2 * feature_nc, HIDDEN_NC, kernel_size=kernel_size, stride=kernel_size, padding=0),
            nonlinearity,
            nn.Conv2d(HIDDEN_NC, kernel_size * kernel_size, kernel_size=1, stride=1, padding=0),
            last,
        )

    def forward(self, source, target, flow_field):
        """[B, C, H, W] source/target features and [B, 2, H, W] flow -> [B, C, H, W]."""
        k = self.kernel_size
        source_blocks = block_extractor(source, flow_field, k)
        target_blocks = block_extractor(target, flow_field.new_zeros(flow_field.shape), k)
        # target first, then source: the original concatenation order
        weights = self.fully_connect_layer(torch.cat([target_blocks, source_blocks], dim=1))
        cells = local_attn_reshape(weights, k)
        return F.avg_pool2d(cells * source_blocks, k, k)

