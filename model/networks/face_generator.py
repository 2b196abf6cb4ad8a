"""Face image animation generator ``FaceGenerator`` (registry ``face``).

Ported from GFLA ``model/networks/generator.py`` (``FaceFlowNet``, ``FaceTargetNet``,
``FaceGenerator``; snapshot 3afa8fe). Equivalent: same keys, shapes and forward
(original: model/networks/generator.py, FaceGenerator). Kept quirks: one flow head predicts both flows of a layer (4 channels: the
previous-frame flow, then the reference flow) and one mask head both masks; the target feature
is the sum of the two blends; within one call the generated frame becomes the next "previous"
frame without detaching. Changed: the reference features are computed once per call instead of
once per frame (same values and gradients; only BatchNorm running statistics, unused by every
shipped model, would be updated fewer times).
"""
import torch

from model.networks.base_network import BaseNetwork
from model.networks.flow_estimator import FlowEstimator
from model.networks.pose_generator import (DEFAULT_EXTRACTOR_KZ, FLOW_ENCODER_LAYER, FLOW_IMG_F,
                                           FLOW_NGF, PoseSourceNet, PoseTargetNet)


class FaceFlowNet(FlowEstimator):
    """Flows from the previous and the reference frame to the current one.

    Input ``cat(BP, P_previous, BP_previous, P_reference, BP_reference)``: ``3 * structure_nc +
    2 * image_nc`` channels. Returns (flows, masks) interleaved per layer, coarse to fine:
    ``[previous(L), reference(L), previous(L-1), reference(L-1), ...]``. Other arguments as
    ``FlowEstimator``.
    """

    def __init__(self, image_nc, structure_nc, ngf=64, img_f=1024, encoder_layer=5, attn_layer=(1,),
                 norm='batch', activation='ReLU', use_spect=True):
        super().__init__(3 * structure_nc + 2 * image_nc, ngf, img_f, encoder_layer, attn_layer, norm,
                         activation, use_spect, flows_per_layer=2)

    def forward(self, BP, P_previous, BP_previous, P_reference, BP_reference):
        return super().forward(torch.cat((BP, P_previous, BP_previous, P_reference, BP_reference), dim=1))


class FaceTargetNet(PoseTargetNet):
    """``PoseTargetNet`` attending to two sources: ``attn_p{i}`` (previous) and ``attn_r{i}`` (reference).

    Same arguments as ``PoseTargetNet``; flows and masks interleaved as ``FaceFlowNet`` returns them.
    """

    ATTN_PREFIXES = ('attn_p', 'attn_r')

    def forward(self, BP, previous_feature_list, reference_feature_list, flow_fields, masks):
        return self.decode(self.encode(BP), [previous_feature_list, reference_feature_list],
                           flow_fields, masks)


def generate_sequence(net, BP_frame_step, P_reference, BP_reference, P_previous, BP_previous):
    """Shared recurrent frame loop of the animation generators (face and dance).

    Args:
        net: generator with ``source_previous``, ``source_reference``, ``target`` and a
            ``flows(BP, P_previous, BP_previous, P_reference, BP_reference)`` method.
        BP_frame_step: [B, T, structure_nc, H, W] target structures of T frames.
        P_reference, BP_reference: [B, 3, H, W], [B, structure_nc, H, W] reference frame.
        P_previous, BP_previous: frame before the first one, or None to use the reference.
    Returns:
        Lists over the T frames: images [B, 3, H, W], flow lists, mask lists, and the
        previous images that were fed to the generator.
    """
    images, flow_lists, mask_lists, previous_images = [], [], [], []
    P_previous = P_reference if P_previous is None else P_previous
    BP_previous = BP_reference if BP_previous is None else BP_previous
    reference_features = None
    for t in range(BP_frame_step.size(1)):
        BP = BP_frame_step[:, t]
        previous_images.append(P_previous)
        previous_features = net.source_previous(P_previous)
        if reference_features is None:  # the reference is the same for every frame
            reference_features = net.source_reference(P_reference)
        flows, masks = net.flows(BP, P_previous, BP_previous, P_reference, BP_reference)
        image = net.target(BP, previous_features, reference_features, flows, masks)
        P_previous, BP_previous = image, BP
        images.append(image)
        flow_lists.append(flows)
        mask_lists.append(masks)
    return images, flow_lists, mask_lists, previous_images


class FaceGenerator(BaseNetwork):
    """Face animation generator: two source encoders, ``FaceFlowNet``, ``FaceTargetNet``.

    Args: as ``PoseGenerator`` (``structure_nc`` 16 for edge maps).
    Forward ``(BP_frame_step, P_reference, BP_reference, P_previous, BP_previous)`` as
    ``generate_sequence``.
    """

    def __init__(self, image_nc=3, structure_nc=18, output_nc=3, ngf=64, img_f=1024, layers=6,
                 num_blocks=2, norm='batch', activation='ReLU', attn_layer=(1, 2),
                 extractor_kz=DEFAULT_EXTRACTOR_KZ, use_spect=True):
        super().__init__()
        self.source_previous = PoseSourceNet(image_nc, ngf, img_f, layers, norm, activation, use_spect)
        self.source_reference = PoseSourceNet(image_nc, ngf, img_f, layers, norm, activation, use_spect)
        self.target = FaceTargetNet(structure_nc, output_nc, ngf, img_f, layers, num_blocks, norm,
                                    activation, attn_layer, extractor_kz, use_spect)
        self.build_flow_nets(image_nc, structure_nc, attn_layer, norm, activation, use_spect)

    def build_flow_nets(self, image_nc, structure_nc, attn_layer, norm, activation, use_spect):
        """One ``FaceFlowNet`` predicting both flows (registered after ``target``: key order)."""
        self.flow_net = FaceFlowNet(image_nc, structure_nc, FLOW_NGF, FLOW_IMG_F, FLOW_ENCODER_LAYER,
                                    attn_layer, norm, activation, use_spect)

    def flows(self, BP, P_previous, BP_previous, P_reference, BP_reference):
        """Interleaved (previous, reference) flows and masks of one frame."""
        return self.flow_net(BP, P_previous, BP_previous, P_reference, BP_reference)

    def forward(self, BP_frame_step, P_reference, BP_reference, P_previous=None, BP_previous=None):
        return generate_sequence(self, BP_frame_step, P_reference, BP_reference, P_previous, BP_previous)
