"""Flow-estimator pre-training for pose-guided generation (``pose_flow``, original: model/poseflownet_model.py, PoseFlowNet).

Stage one of GFLA: the global flow estimator learns, from the sampling correctness and affine
regularisation losses alone, flows that carry source features to the target pose. Stage two
(``--model=pose --continue_train`` with the same ``--name``) loads these weights into the
full generator's ``flow_net``.
"""
import torch

from model.model_options import add_flow_stage_options
from model.pose_pair_model import PosePairModel, warp_image


class PoseFlowModel(PosePairModel):
    @staticmethod
    def modify_options(parser, is_train):
        return add_flow_stage_options(parser, is_train)

    def __init__(self, opt):
        super().__init__(opt)
        self.loss_names = ["correctness", "regularization"]
        self.visual_names = ["input_P1", "input_P2", "warp", "flow_fields", "masks", "input_BP1", "input_BP2"]
        self.model_names = ["G"]
        if self.isTrain:
            self.build_flow_losses()
            self.optimizer_G = torch.optim.Adam(
                [p for p in self.net_G.parameters() if p.requires_grad], lr=opt.lr, betas=(0.0, 0.999))
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
        self.loss_correctness, self.loss_regularization = self.flow_losses(
            self.flow_fields, self.opt.lambda_correct, self.opt.lambda_regularization)
        self.optimizer_G.zero_grad(set_to_none=True)
        (self.loss_correctness + self.loss_regularization).backward()
        self.optimizer_G.step()
