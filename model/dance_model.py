"""Pose-guided person image animation on FashionVideo and iPER (``dance``, original: model/dance_model.py, Dance).

A person video is generated from a reference photo and a sequence of skeletons, frame after
frame, each from the reference and the frame generated before it. The recurrent training step and
the video test are the animation models' (model/animation_model.py); this file says what is
particular to person animation: the clip's items, the ground-truth previous frame as the source
of the previous-frame correctness loss (face uses the generated one), the foreground masks of
iPER in the correctness losses, the temporal discriminator on stacked frames, the results with
their skeletons.
"""
import torch

from data.skeleton_maps import keypoint_pictures
from model.animation_model import AnimationClip, AnimationModel
from model.model_options import add_video_options
from model.networks import build_network, full_generator, res_discriminator
from model.networks.dance_generator import DanceGenerator
from model.networks.discriminators import TemporalDiscriminator
from util.distributed import print0
from util.image_io import save_image
from util.skeleton_formats import LIMBS_COCO_17, LIMBS_HUMAN36M_17
from util.video_results import frame_result_path, save_frames, video_of
from util.visuals import draw_flow, draw_image, draw_mask, draw_structure, frame_strip

MASKED_LAMBDA_CORRECT = 2.0  # the original's correctness weight when foreground masks restrict the loss (iPER)


class DanceModel(AnimationModel):
    visual_drawers = {"P_reference": draw_image, "BP_reference": draw_structure,
                      "P_frame_step": frame_strip(draw_image), "BP_frame_step": frame_strip(draw_structure),
                      "img_gen": frame_strip(draw_image), "flow_fields": frame_strip(draw_flow),
                      "masks": frame_strip(draw_mask)}
    # <video>_gt_vis_skeleton_in_skeleton_out_.mp4: ground truth, generated frame and both skeletons
    video_kinds = ("gt", "vis", "skeleton_in", "skeleton_out")
    min_frames_D_V = 5  # TemporalDiscriminator: its two 3-D blocks shorten a clip by 4 frames

    @staticmethod
    def modify_options(parser, is_train):
        add_video_options(parser, is_train, frames_d_v=6)
        parser.add_argument("--write_ext", type=str, default="png", help="extension of written frames")
        if is_train:
            parser.set_defaults(display_freq=2, eval_iters_freq=500, print_freq=2,
                                save_latest_freq=2, save_iters_freq=1000)
        return parser

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``DanceGenerator``; D: ``ResDiscriminator`` on single frames; D_V: a
        ``TemporalDiscriminator`` on clips of ``frames_D_V`` frames."""
        nets = {"G": full_generator(DanceGenerator, opt)}
        if discriminators:
            nets["D"] = res_discriminator(opt)
            nets["D_V"] = build_network(TemporalDiscriminator, opt, input_length=opt.frames_D_V, ndf=32,
                                        img_f=128, layers=4, use_spect=opt.use_spect_d)
        return nets

    def __init__(self, opt):
        if opt.isTrain and getattr(opt, "use_mask", False):  # set by the dataset: training on iPER
            print0(f"--model=dance with iPER's foreground masks: the correctness weight is "
                   f"{MASKED_LAMBDA_CORRECT}, overriding --lambda_correct={opt.lambda_correct} (as the original)")
            opt.lambda_correct = MASKED_LAMBDA_CORRECT
        super().__init__(opt)

    @property
    def result_ext(self):
        return self.opt.write_ext

    # ----------------------------------------------------------------------- inputs
    def read_clip(self, batch):
        """A dance item's frames, clean skeletons and foreground masks (stacked on channels), and
        its reference frame with its (noisy) skeleton."""
        images, structures = batch["gen_images"], batch["gen_skeleton"]
        batch_size, _, height, width = images.shape
        images = images.view(batch_size, -1, self.opt.image_nc, height, width)
        frames = images.size(1)
        structures = structures.view(batch_size, frames, -1, height, width)
        masks = batch.get("gen_masks")
        masks = None if masks is None else masks.view(batch_size, frames, 1, height, width)
        return AnimationClip(images, structures, batch["ref_image"], batch["ref_skeleton"], batch["gen_paths"],
                             masks)

    def set_input(self, batch):
        """As the base; a test chunk also keeps its keypoints (for the skeleton pictures) and, at a
        video's first chunk, the reference frame's file (for the result folder's name)."""
        super().set_input(batch)
        if self.first_chunk:
            self.reference_path = batch["ref_path"][0]
        if not self.isTrain:
            self.keypoints_in, self.keypoints_out = batch["gen_kps_noise"][0], batch["gen_kps_clean"][0]

    # ----------------------------------------------------------------------- training
    def temporal_input(self, frames):
        """The frames stacked on a time axis: [B, image_nc, frames_D_V, H, W] (original: Dance.backward_D)."""
        return torch.stack(frames, 2)

    def previous_correctness_sources(self):
        """The ground-truth previous frames: the reference before the clip's first frame, then the
        clip's frames (original: Dance.update, P_gt_previous_recoder)."""
        start = self.chunk_start
        first = self.P_reference if start == 0 else self.clip_images[:, start - 1].to(self.device)
        return [first] + self.real_frames()[:-1]

    # ----------------------------------------------------------------------- test
    def result_video(self):
        """``<video>``, or ``<video>_with_<reference video>`` when the reference frame comes from
        another video (the cross-identity test)."""
        video, reference = video_of(self.frame_paths[0][0]), video_of(self.reference_path)
        return video if reference == video else f"{video}_with_{reference}"

    def save_test_results(self, folder, generated):
        """Per frame ``<frame>_vis`` (generated), ``_gt``, ``_skeleton_in`` (the noisy skeleton,
        COCO-17) and ``_skeleton_out`` (the clean one, Human3.6M-17); at a video's first chunk also
        ``<frame>_ref``, the reference frame, under its first frame's name (original: Dance.test).

        Deliberate difference: the skeletons are drawn as the training visuals draw keypoints
        (grey limbs, joints in label colours, on black), not in the original's blue-on-white style.
        """
        paths, ext = self.frame_paths[0], self.result_ext
        if self.first_chunk:
            save_frames(folder, paths[:1], self.P_reference[:1], "ref", ext)
        save_frames(folder, paths, generated, "vis", ext)
        save_frames(folder, paths, self.P_frame_step[0], "gt", ext)
        size = tuple(generated.shape[-2:])
        for kind, keypoints, limbs in (("skeleton_in", self.keypoints_in, LIMBS_COCO_17),
                                       ("skeleton_out", self.keypoints_out, LIMBS_HUMAN36M_17)):
            for path, picture in zip(paths, keypoint_pictures(keypoints, limbs, size)):
                save_image(picture, frame_result_path(folder, path, kind, ext))
