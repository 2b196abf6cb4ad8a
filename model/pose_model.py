"""Pose-guided person image generation, the full GFLA model (``pose``, original: model/pose_model.py, Pose).

Per iteration, on one forward pass: a discriminator step, then a generator step with the L1,
sampling correctness, VGG content and style, affine regularisation and adversarial losses.
"""
import torch

from model.base_model import unwrap
from model.model_options import add_generation_options
from model.networks.losses import VGG19, AdversarialLoss, VGGLoss, gradient_penalty
from model.pose_pair_model import PosePairModel
from options.actions import add_bool


class PoseModel(PosePairModel):
    @staticmethod
    def modify_options(parser, is_train):
        add_generation_options(parser, is_train)
        add_bool(parser, "--save_input", False, "test.py also saves source, ground truth and a side-by-side image")
        return parser

    def __init__(self, opt):
        super().__init__(opt)
        self.loss_names = ["app_gen", "correctness_gen", "content_gen", "style_gen", "regularization",
                           "ad_gen", "dis_img_gen"]
        self.visual_names = ["input_P1", "input_BP2", "img_gen", "input_P2", "flow_fields", "masks"]
        self.model_names = ["G", "D"] if self.isTrain else ["G"]
        if self.isTrain:
            vgg = VGG19().to(self.device)  # one frozen VGG19 for the correctness and VGG losses
            self.build_flow_losses(vgg)
            self.gan_loss = AdversarialLoss(opt.gan_mode).to(self.device)
            self.vgg_loss = VGGLoss(vgg=vgg).to(self.device)
            # GFLA: Adam with beta1 = 0; D learns ratio_g2d (0.1) times slower than G
            self.optimizer_G = torch.optim.Adam(
                [p for p in self.net_G.parameters() if p.requires_grad], lr=opt.lr, betas=(0.0, 0.999))
            self.optimizer_D = torch.optim.Adam(
                [p for p in self.net_D.parameters() if p.requires_grad], lr=opt.lr * opt.ratio_g2d,
                betas=(0.0, 0.999))
            self.optimizers = [self.optimizer_G, self.optimizer_D]

    def has_unused_parameters(self, name):
        """The source encoder's stages below the deepest attention layer feed nothing (e.g. Market's
        ``source.encoder1`` with ``--attn_layer=2``), also in the released weights."""
        return name == "G" and max(self.opt.attn_layer) < self.opt.layers

    def forward(self):
        self.img_gen, self.flow_fields, self.masks = self.net_G(self.input_P1, self.input_BP1, self.input_BP2)

    def backward_D(self):
        """D learns real P2 against the detached generated image (each half weighted 0.5)."""
        self.set_requires_grad(self.net_D, True)
        fake = self.img_gen.detach()
        real_loss = self.gan_loss(self.net_D(self.input_P2), True, for_discriminator=True)
        fake_loss = self.gan_loss(self.net_D(fake), False, for_discriminator=True)
        self.loss_dis_img_gen = 0.5 * (real_loss + fake_loss)
        total = self.loss_dis_img_gen
        if self.gan_loss.needs_gradient_penalty:
            total = total + gradient_penalty(self.net_D, self.input_P2, fake)
        total.backward()

    def backward_G(self):
        """All generator losses with their weights; D is frozen meanwhile."""
        opt = self.opt
        self.set_requires_grad(self.net_D, False)
        self.loss_app_gen = opt.lambda_rec * torch.nn.functional.l1_loss(self.img_gen, self.input_P2)
        self.loss_correctness_gen, self.loss_regularization = self.flow_losses(
            self.flow_fields, opt.lambda_correct, opt.lambda_regularization)
        # D is only a fixed critic here: the bare module, so that DDP expects no D gradients
        self.loss_ad_gen = opt.lambda_g * self.gan_loss(unwrap(self.net_D)(self.img_gen), True)
        content, style = self.vgg_loss(self.img_gen, self.input_P2)
        self.loss_content_gen = opt.lambda_content * content
        self.loss_style_gen = opt.lambda_style * style
        total = sum(getattr(self, "loss_" + name) for name in self.loss_names if name != "dis_img_gen")
        total.backward()

    def optimize_parameters(self):
        self.forward()
        self.optimizer_D.zero_grad(set_to_none=True)
        self.backward_D()
        self.optimizer_D.step()
        self.optimizer_G.zero_grad(set_to_none=True)
        self.backward_G()
        self.optimizer_G.step()

    def test(self):
        """Generate the target and save ``<P1 stem>_2_<P2 stem>_vis.jpg`` under --results_dir
        (with --save_input or in phase val also ``_ref``, ``_gt`` and ``_all`` = [P1 | gen | P2])."""
        self.forward()
        self.save_results(self.img_gen, "vis")
        if self.opt.save_input or self.opt.phase == "val":
            self.save_results(self.input_P1, "ref")
            self.save_results(self.input_P2, "gt")
            self.save_results(torch.cat([self.input_P1, self.img_gen, self.input_P2], dim=3), "all")
