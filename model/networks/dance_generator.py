"""Pose-guided person image animation generator ``DanceGenerator`` (registry ``dance``).

Ported from GFLA ``model/networks/generator.py`` (``DanceGenerator``; snapshot 3afa8fe).
Equivalent: same keys, shapes and forward (original: model/networks/generator.py, DanceGenerator). Kept: two independent
``PoseFlowNet``s (previous -> current, reference -> current) whose norm and activation are
forced to instance / LeakyReLU whatever the generator's; their outputs are interleaved per
layer for the ``FaceTargetNet``.
"""
from model.networks.face_generator import FaceGenerator
from model.networks.pose_generator import FLOW_ENCODER_LAYER, FLOW_IMG_F, FLOW_NGF, PoseFlowNet

FLOW_NORM, FLOW_ACTIVATION = 'instance', 'LeakyReLU'


def interleave(first, second):
    """[a0, b0, a1, b1, ...] from [a0, a1, ...] and [b0, b1, ...]."""
    return [item for pair in zip(first, second) for item in pair]


class DanceGenerator(FaceGenerator):
    """Person animation generator. Args: as ``PoseGenerator`` (``structure_nc`` 20).

    As ``FaceGenerator`` but with two ``PoseFlowNet``s instead of one ``FaceFlowNet``. Forward
    ``(BP_frame_step, P_reference, BP_reference, P_previous, BP_previous)`` as
    ``face_generator.generate_sequence``.
    """

    def build_flow_nets(self, image_nc, structure_nc, attn_layer, norm, activation, use_spect):
        """Previous -> current and reference -> current flow nets, always instance / LeakyReLU."""
        flow_args = (image_nc, structure_nc, FLOW_NGF, FLOW_IMG_F, FLOW_ENCODER_LAYER, attn_layer,
                     FLOW_NORM, FLOW_ACTIVATION, use_spect)
        self.flow_net_previous = PoseFlowNet(*flow_args)
        self.flow_net_reference = PoseFlowNet(*flow_args)

    def flows(self, BP, P_previous, BP_previous, P_reference, BP_reference):
        """Interleaved (previous, reference) flows and masks of one frame."""
        flows_p, masks_p = self.flow_net_previous(P_previous, BP_previous, BP)
        flows_r, masks_r = self.flow_net_reference(P_reference, BP_reference, BP)
        return interleave(flows_p, flows_r), interleave(masks_p, masks_r)
