"""View synthesis flow pre-training (``shapenetflow``, original: model/shapenetflow_model.py, ShapeNetFlow).

Stage one of view synthesis, the ``pose_flow`` stage with view codes for poses: the flow
estimator (which sees only the source image and the difference of the two view codes) learns
from the sampling correctness and affine regularisation losses alone, with the same weights and
step (the original repeats PoseFlowNet's code). Stage two (``--model=shapenet --continue_train``
with the same ``--name``) loads these weights into the full generator's ``flow_net``.
"""
from model.networks import flow_generator
from model.networks.shapenet_generator import ShapeNetFlowNetGenerator
from model.pose_flow_model import PoseFlowModel
from model.shapenet_input import ViewCodeInput
from util.visuals import draw_flow, draw_image, draw_mask, draw_view_code


class ShapeNetFlowModel(ViewCodeInput, PoseFlowModel):
    visual_drawers = {"input_P1": draw_image, "input_P2": draw_image, "warp": draw_image, "flow_fields": draw_flow,
                      "masks": draw_mask, "input_BP1": draw_view_code, "input_BP2": draw_view_code}

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``ShapeNetFlowNetGenerator`` alone (this stage has no discriminator)."""
        return {"G": flow_generator(ShapeNetFlowNetGenerator, opt)}
