"""Novel view synthesis generators: ``ShapeNetGenerator`` (registry ``shapenet``) and the flow
pre-training generator ``ShapeNetFlowNetGenerator`` (registry ``shapenetflownet``).

Ported from GFLA ``model/networks/generator.py`` (``ShapeNetFlowNet``, ``ShapeNetTargetNet``,
``ShapeNetGenerator``, ``ShapeNetFlowNetGenerator``; snapshot 3afa8fe). Equivalent: same keys,
shapes and forward (original: model/networks/generator.py, ShapeNetGenerator). The "structures" are one-hot view codes [B, 21, 1, 1].
Kept: the flow encoder sees only the source image, the view difference ``source_B - target_B``
is tiled onto its bottleneck; the target decoder starts from the target code tiled to 8x8
(hard-coded, giving 256x256 images with 3 layers).
"""
from model.networks.base_network import BaseNetwork
from model.networks.blocks import ResBlockDecoder
from model.networks.flow_estimator import FlowEstimator
from model.networks.norm_act import get_nonlinearity_layer, get_norm_layer
from model.networks.pose_generator import DEFAULT_EXTRACTOR_KZ, PoseGenerator
from model.networks.target_decoder import TargetDecoder

CODE_TILE = 8  # spatial size the target view code is tiled to before decoding


class ShapeNetFlowNet(FlowEstimator):
    """Flow estimator on the source image, conditioned on the view difference at the bottleneck.

    Arguments as ``FlowEstimator`` (``input_nc = image_nc``, ``code_nc = structure_nc``).
    """

    def __init__(self, image_nc, structure_nc, ngf=64, img_f=1024, encoder_layer=5, attn_layer=(1,),
                 norm='batch', activation='ReLU', use_spect=True):
        super().__init__(image_nc, ngf, img_f, encoder_layer, attn_layer, norm, activation, use_spect,
                         code_nc=structure_nc)

    def forward(self, source, source_B, target_B):
        """[B, 3, H, W] image and [B, structure_nc, 1, 1] view codes -> (flows, masks)."""
        return super().forward(source, source_B - target_B)


class ShapeNetTargetNet(TargetDecoder):
    """Attention decoder driven by the target view code instead of a pose encoder.

    ``block0`` (structure_nc -> ngf) and ``block1`` (ngf -> ngf * min(2**(layers-1), img_f//ngf))
    upsample the tiled code; then the decoder as ``PoseTargetNet``. Arguments as ``PoseTargetNet``.
    """

    def __init__(self, structure_nc=18, output_nc=3, ngf=64, img_f=1024, layers=6, num_blocks=2,
                 norm='batch', activation='ReLU', attn_layer=(1, 2), extractor_kz=DEFAULT_EXTRACTOR_KZ,
                 use_spect=True):
        super().__init__()
        norm_layer = get_norm_layer(norm)
        nonlinearity = get_nonlinearity_layer(activation)
        self.block0 = ResBlockDecoder(structure_nc, ngf, None, norm_layer, nonlinearity, use_spect)
        self.block1 = ResBlockDecoder(ngf, ngf * min(2 ** (layers - 1), img_f // ngf), None, norm_layer,
                                      nonlinearity, use_spect)
        self.add_decoder(output_nc, ngf, img_f, layers, num_blocks, attn_layer, extractor_kz,
                         norm_layer, nonlinearity, use_spect)

    def forward(self, target_B, source_feature, flow_fields, masks):
        """[B, structure_nc, 1, 1] code, source features, flows, masks -> [B, output_nc, H, W]."""
        out = self.block1(self.block0(target_B.repeat(1, 1, CODE_TILE, CODE_TILE)))
        return self.decode(out, [source_feature], flow_fields, masks)


class ShapeNetGenerator(PoseGenerator):
    """View synthesis generator. Args and forward as ``PoseGenerator`` (codes instead of poses)."""

    target_net_class = ShapeNetTargetNet
    flow_net_class = ShapeNetFlowNet


class ShapeNetFlowNetGenerator(BaseNetwork):
    """Flow-estimator pre-training network: only ``flow_net`` (a ``ShapeNetFlowNet``).

    Args and forward as ``ShapeNetFlowNet``.
    """

    def __init__(self, image_nc=3, structure_nc=18, ngf=64, img_f=1024, norm='batch', activation='ReLU',
                 encoder_layer=5, attn_layer=(1, 2), use_spect=True):
        super().__init__()
        self.flow_net = ShapeNetFlowNet(image_nc, structure_nc, ngf, img_f, encoder_layer, attn_layer,
                                        norm, activation, use_spect)

    def forward(self, source, source_B, target_B):
        return self.flow_net(source, source_B, target_B)
