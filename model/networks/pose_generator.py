"""Pose-guided person image generation: ``PoseGenerator`` (registry ``pose``) and the flow
pre-training generator ``PoseFlowNetGenerator`` (registry ``poseflownet``).

Ported from GFLA ``model/networks/generator.py`` (``PoseSourceNet``, ``PoseTargetNet``,
``PoseFlowNet``, ``PoseGenerator``, ``PoseFlowNetGenerator``; snapshot 3afa8fe). Equivalent:
same sub-networks, keys, shapes and forward (original: model/networks/generator.py, PoseGenerator). Kept: the flow estimator
inside ``PoseGenerator`` is hard-wired to ngf 32, img_f 256 and 5 encoder stages, so that the
pre-trained ``PoseFlowNetGenerator`` checkpoint (its ``flow_net.*`` keys) loads into it;
``PoseFlowNetGenerator`` accepts ``layers`` and ignores it, as the original.
"""
import types

import torch
from torch import nn

from model.networks.base_network import BaseNetwork
from model.networks.flow_estimator import FlowEstimator
from model.networks.norm_act import get_nonlinearity_layer, get_norm_layer
from model.networks.stages import add_encoder, run_encoder
from model.networks.target_decoder import TargetDecoder

# The original's default attention kernels (read-only: a default must not be mutable).
DEFAULT_EXTRACTOR_KZ = types.MappingProxyType({'1': 5, '2': 5})
# Flow estimator of the full generators (hard-coded in the original).
FLOW_NGF, FLOW_IMG_F, FLOW_ENCODER_LAYER = 32, 256, 5


class PoseSourceNet(nn.Module):
    """Encoder of the source image.

    Args:
        input_nc, ngf, img_f, layers: input channels, base/max channels, number of stages.
        norm, activation, use_spect: as ``FlowEstimator``.
    Forward: [B, input_nc, H, W] -> list ``[f_{layers-1}, ..., f_0, source]``, deepest first,
    f_i at H / 2**(i+1) (the raw image last).
    """

    def __init__(self, input_nc=3, ngf=64, img_f=1024, layers=6, norm='batch', activation='ReLU',
                 use_spect=True):
        super().__init__()
        self.layers = layers
        add_encoder(self, input_nc, ngf, img_f, layers, get_norm_layer(norm),
                    get_nonlinearity_layer(activation), use_spect)

    def forward(self, source):
        return list(reversed([source] + run_encoder(self, source, self.layers)))


class PoseTargetNet(TargetDecoder):
    """Encoder of the target pose plus the attention decoder that renders the image.

    Args:
        structure_nc: channels of the target pose map.
        output_nc: image channels.
        ngf, img_f, layers, num_blocks: channel schedule, stages, ResBlocks per decoder stage.
        norm, activation, use_spect: as ``FlowEstimator``.
        attn_layer: attention layers, each in [1, layers].
        extractor_kz: attention kernel size per layer, {'2': 5, '3': 3}.
    """

    def __init__(self, structure_nc=18, output_nc=3, ngf=64, img_f=1024, layers=6, num_blocks=2,
                 norm='batch', activation='ReLU', attn_layer=(1, 2), extractor_kz=DEFAULT_EXTRACTOR_KZ,
                 use_spect=True):
        super().__init__()
        norm_layer = get_norm_layer(norm)
        nonlinearity = get_nonlinearity_layer(activation)
        add_encoder(self, structure_nc, ngf, img_f, layers, norm_layer, nonlinearity, use_spect)
        self.add_decoder(output_nc, ngf, img_f, layers, num_blocks, attn_layer, extractor_kz,
                         norm_layer, nonlinearity, use_spect)

    def encode(self, structure):
        """Deepest feature [B, C, H/2**layers, W/2**layers] of the target pose."""
        return run_encoder(self, structure, self.layers)[-1]

    def forward(self, target_B, source_feature, flow_fields, masks):
        """[B, structure_nc, H, W] pose, ``PoseSourceNet`` features, flows, masks -> [B, output_nc, H, W]."""
        return self.decode(self.encode(target_B), [source_feature], flow_fields, masks)


class PoseFlowNet(FlowEstimator):
    """Flow estimator on ``cat(source image, source pose, target pose)``.

    Arguments as ``FlowEstimator``, with ``input_nc = 2 * structure_nc + image_nc``.
    """

    def __init__(self, image_nc, structure_nc, ngf=64, img_f=1024, encoder_layer=5, attn_layer=(1,),
                 norm='batch', activation='ReLU', use_spect=True):
        super().__init__(2 * structure_nc + image_nc, ngf, img_f, encoder_layer, attn_layer, norm,
                         activation, use_spect)

    def forward(self, source, source_B, target_B):
        """[B, image_nc, H, W], [B, structure_nc, H, W] x 2 -> (flows, masks), coarse to fine."""
        return super().forward(torch.cat((source, source_B, target_B), dim=1))


class PoseGenerator(BaseNetwork):
    """GFLA's person image generator: source encoder, flow estimator, attention target net.

    Args: ``image_nc`` source image channels; the rest as ``PoseTargetNet``.
    Forward ``(source [B, 3, H, W], source_B [B, 18, H, W], target_B [B, 18, H, W])`` returns
    ``(image [B, output_nc, H, W], flows, masks)``; flows/masks coarse to fine, e.g. for
    attn_layer (2, 3) at 256x256: flows [B, 2, 32, 32], [B, 2, 64, 64]; masks [B, 1, ...].
    """

    # the view-synthesis generator swaps these two (model/networks/shapenet_generator.py)
    target_net_class = PoseTargetNet
    flow_net_class = PoseFlowNet

    def __init__(self, image_nc=3, structure_nc=18, output_nc=3, ngf=64, img_f=1024, layers=6,
                 num_blocks=2, norm='batch', activation='ReLU', attn_layer=(1, 2),
                 extractor_kz=DEFAULT_EXTRACTOR_KZ, use_spect=True):
        super().__init__()
        self.source = PoseSourceNet(image_nc, ngf, img_f, layers, norm, activation, use_spect)
        self.target = self.target_net_class(structure_nc, output_nc, ngf, img_f, layers, num_blocks,
                                            norm, activation, attn_layer, extractor_kz, use_spect)
        self.flow_net = self.flow_net_class(image_nc, structure_nc, FLOW_NGF, FLOW_IMG_F, FLOW_ENCODER_LAYER,
                                            attn_layer, norm, activation, use_spect)

    def forward(self, source, source_B, target_B):
        feature_list = self.source(source)
        flow_fields, masks = self.flow_net(source, source_B, target_B)
        image_gen = self.target(target_B, feature_list, flow_fields, masks)
        return image_gen, flow_fields, masks


class PoseFlowNetGenerator(BaseNetwork):
    """Flow-estimator pre-training network: only ``flow_net`` (a ``PoseFlowNet``).

    Args: as ``PoseFlowNet``; ``layers`` is accepted and ignored, as in the original (the
    released configuration passes it). Forward as ``PoseFlowNet``.
    """

    def __init__(self, image_nc=3, structure_nc=18, ngf=64, img_f=1024, layers=6, norm='batch',
                 activation='ReLU', encoder_layer=5, attn_layer=(1, 2), use_spect=True):
        super().__init__()
        self.flow_net = PoseFlowNet(image_nc, structure_nc, ngf, img_f, encoder_layer, attn_layer,
                                    norm, activation, use_spect)

    def forward(self, source, source_B, target_B):
        return self.flow_net(source, source_B, target_B)
