"""Flow-estimator pre-training for pose-guided generation (``pose_flow``, original: model/poseflownet_model.py, PoseFlowNet).

Stage one of GFLA: the global flow estimator learns, from the sampling correctness and affine
regularisation losses alone, flows that carry source features to the target pose. Stage two
(``--model=pose --continue_train`` with the same ``--name``) loads these weights into the
full generator's ``flow_net``.
"""
import torch

from model.loss_bundle import LossBundle
from model.model_options import add_flow_stage_options
from model.networks import flow_generator
from model.networks.pose_generator import PoseFlowNetGenerator
from model.pose_pair_model import PosePairModel, warp_image
from util.visuals import draw_flow, draw_image, draw_mask, draw_pose


class PoseFlowModel(PosePairModel):
    cuda_graph_safe = True  # model.fast_path may replay optimize_parameters() as a CUDA graph
    visual_drawers = {"input_P1": draw_image, "input_P2": draw_image, "warp": draw_image, "flow_fields": draw_flow,
                      "masks": draw_mask, "input_BP1": draw_pose, "input_BP2": draw_pose}

    @staticmethod
    def modify_options(parser, is_train):
        return add_flow_stage_options(parser, is_train)

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``PoseFlowNetGenerator`` alone (this stage has no discriminator)."""
        return {"G": flow_generator(PoseFlowNetGenerator, opt)}

    def __init__(self, opt):
        super().__init__(opt)
        self.loss_names = ["correctness", "regularization"]
        if self.isTrain:
            self.losses = LossBundle(opt, ["correctness", "regularization"]).to(self.device)
            self.optimizer_G = self.adam(self.net_G.parameters(), lr=opt.lr)
            self.optimizers = [self.optimizer_G]

    def has_unused_parameters(self, name):
        """The mask heads get no gradient here: no loss of this stage reads the masks."""
        return name == "G"

    def forward(self):
        """Flows and masks (coarse to fine) for the current pair, and the warped-source visual."""
        self.flow_fields, self.masks = self.net_G(self.input_P1, self.input_BP1, self.input_BP2)
        with torch.no_grad():
            self.warp = warp_image(self.input_P1, self.flow_fields[-1])

    def optimize_parameters(self):
        self.forward()
        self.loss_correctness = self.losses.correctness(self.input_P2, self.input_P1, self.flow_fields)
        self.loss_regularization = self.losses.regularization(self.flow_fields)
        self.optimizer_G.zero_grad(set_to_none=True)
        (self.loss_correctness + self.loss_regularization).backward()
        self.optimizer_G.step()
