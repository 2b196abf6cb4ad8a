"""Pose-guided person image animation generator ``DanceGenerator`` (registry ``dance``).

Ported from GFLA ``model/networks/generator.py`` (``DanceGenerator``; snapshot 3afa8fe).
Equivalent: same keys, shapes and forward (ORIGINAL.md §4.8). Kept: two independent
``PoseFlowNet``s (previous -> current, reference -> current) whose norm and activation are
forced to instance / LeakyReLU whatever the generator's; their outputs are interleaved per
layer for the ``FaceTargetNet``.
"""
from model.networks.base_network import BaseNetwork
from model.networks.face_generator import FaceTargetNet, generate_sequence
from model.networks.pose_generator import (DEFAULT_EXTRACTOR_KZ, FLOW_ENCODER_LAYER, FLOW_IMG_F,
                                           FLOW_NGF, PoseFlowNet, PoseSourceNet)

FLOW_NORM, FLOW_ACTIVATION = 'instance', 'LeakyReLU'


def interleave(first, second):
    """[a0, b0, a1, b1, ...] from [a0, a1, ...] and [b0, b1, ...]."""
    return [item for pair in zip(first, second) for item in pair]


class DanceGenerator(BaseNetwork):
    """Person animation generator. Args: as ``PoseGenerator`` (``structure_nc`` 20).

    Forward ``(BP_frame_step, P_reference, BP_reference, P_previous, BP_previous)`` as
    ``face_generator.generate_sequence``.
    """

    def __init__(self, image_nc=3, structure_nc=18, output_nc=3, ngf=64, img_f=1024, layers=6,
                 num_blocks=2, norm='batch', activation='ReLU', attn_layer=(1, 2),
                 extractor_kz=DEFAULT_EXTRACTOR_KZ, use_spect=True):
        super().__init__()
        self.source_previous = PoseSourceNet(image_nc, ngf, img_f, layers, norm, activation, use_spect)
        self.source_reference = PoseSourceNet(image_nc, ngf, img_f, layers, norm, activation, use_spect)
        self.target = FaceTargetNet(structure_nc, output_nc, ngf, img_f, layers, num_blocks, norm,
                                    activation, attn_layer, extractor_kz, use_spect)
        flow_args = (image_nc, structure_nc, FLOW_NGF, FLOW_IMG_F, FLOW_ENCODER_LAYER, attn_layer,
                     FLOW_NORM, FLOW_ACTIVATION, use_spect)
        self.flow_net_previous = PoseFlowNet(*flow_args)
        self.flow_net_reference = PoseFlowNet(*flow_args)

    def flows(self, BP, P_previous, BP_previous, P_reference, BP_reference):
        """Interleaved (previous, reference) flows and masks of one frame."""
        flows_p, masks_p = self.flow_net_previous(P_previous, BP_previous, BP)
        flows_r, masks_r = self.flow_net_reference(P_reference, BP_reference, BP)
        return interleave(flows_p, flows_r), interleave(masks_p, masks_r)

    def forward(self, BP_frame_step, P_reference, BP_reference, P_previous=None, BP_previous=None):
        return generate_sequence(self, BP_frame_step, P_reference, BP_reference, P_previous, BP_previous)
