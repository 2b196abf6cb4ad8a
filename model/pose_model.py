"""Pose-guided person image generation, the full GFLA model (``pose``, original: model/pose_model.py, Pose).

Per iteration, on one forward pass: a discriminator step, then a generator step with the L1,
sampling correctness, VGG content and style, affine regularisation and adversarial losses.
"""
import torch

from model.base_model import unwrap
from model.loss_bundle import LossBundle
from model.model_options import add_generation_options
from model.networks import full_generator, res_discriminator
from model.networks.pose_generator import PoseGenerator
from model.pose_pair_model import PosePairModel
from options.actions import add_bool
from util.visuals import draw_flow, draw_image, draw_mask, draw_pose


class PoseModel(PosePairModel):
    # discriminator depth by dataset (original: model/pose_model.py, Pose; other datasets had no D)
    D_LAYERS = {"fashion": 4, "market": 3}
    cuda_graph_safe = True  # model.fast_path may replay optimize_parameters() as a CUDA graph
    visual_drawers = {"input_P1": draw_image, "input_BP2": draw_pose, "img_gen": draw_image, "input_P2": draw_image,
                      "flow_fields": draw_flow, "masks": draw_mask}

    @staticmethod
    def modify_options(parser, is_train):
        add_generation_options(parser, is_train)
        add_bool(parser, "--save_input", False, "test.py also saves source, ground truth and a side-by-side image")
        return parser

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``PoseGenerator``; D: ``ResDiscriminator``, 4 stages for fashion, 3 for market."""
        if discriminators and opt.dataset_mode not in cls.D_LAYERS:
            raise ValueError(f"--dataset_mode: the pose model has a discriminator for "
                             f"{sorted(cls.D_LAYERS)}, got {opt.dataset_mode!r}")
        nets = {"G": full_generator(PoseGenerator, opt)}
        if discriminators:
            nets["D"] = res_discriminator(opt, layers=cls.D_LAYERS[opt.dataset_mode])
        return nets

    def __init__(self, opt):
        super().__init__(opt)
        self.loss_names = ["app_gen", "correctness_gen", "content_gen", "style_gen", "regularization",
                           "ad_gen", "dis_img_gen"]
        if self.isTrain:
            self.losses = LossBundle(
                opt, ["rec", "correctness", "regularization", "adversarial", "perceptual"]).to(self.device)
            # GFLA: Adam with beta1 = 0; D learns ratio_g2d (0.1) times slower than G
            self.optimizer_G = self.adam(self.net_G.parameters(), lr=opt.lr)
            self.optimizer_D = self.adam(self.net_D.parameters(), lr=opt.lr * opt.ratio_g2d)
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
        self.loss_dis_img_gen, total = self.losses.discriminator(self.net_D, self.input_P2, self.img_gen)
        total.backward()

    def backward_G(self):
        """All generator losses with their weights, in the original's order; D is frozen meanwhile."""
        self.set_requires_grad(self.net_D, False)
        losses, fake, real = self.losses, self.img_gen, self.input_P2
        self.loss_app_gen = losses.rec(fake, real)
        self.loss_correctness_gen = losses.correctness(real, self.input_P1, self.flow_fields)
        self.loss_regularization = losses.regularization(self.flow_fields)
        # D is only a fixed critic here: the bare module, so that DDP expects no D gradients
        self.loss_ad_gen = losses.adversarial(unwrap(self.net_D), fake)
        self.loss_content_gen, self.loss_style_gen = losses.perceptual(fake, real)
        total = sum(getattr(self, "loss_" + name) for name in self.loss_names if name != "dis_img_gen")
        total.backward()

    def optimize_parameters(self):
        self.forward()
        self.discriminator_then_generator_step()

    def test(self):
        """Generate the target and save ``<P1 stem>_2_<P2 stem>_vis.jpg`` under --results_dir
        (with --save_input or in phase val also ``_ref``, ``_gt`` and ``_all`` = [P1 | gen | P2])."""
        self.forward()
        self.save_results(self.img_gen, "vis")
        if self.opt.save_input or self.opt.phase == "val":
            self.save_results(self.input_P1, "ref")
            self.save_results(self.input_P2, "gt")
            self.save_results(torch.cat([self.input_P1, self.img_gen, self.input_P2], dim=3), "all")
