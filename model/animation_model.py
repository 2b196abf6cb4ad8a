"""What the animation models (face, dance) share: the recurrent training step over a clip's chunks and the video test.

The original's step (original: model/face_model.py, Face.update, backward_D, backward_G; the same
in model/dance_model.py, Dance): a training clip of T frames is cut into chunks of
``--max_frames_per_gpu`` frames, and for each chunk, in order,

1. the generator runs over the chunk frame by frame: each frame from the reference frame (the
   clip's first frame for faces) and the previous frame (the reference for the clip's first
   frame, then the generated one, not detached within the chunk);
2. D step, one Adam over D and D_V: the spatial D on one random frame (real against generated)
   and the temporal D_V on ``--frames_D_V`` consecutive frames from a random start
   (``temporal_input`` says how D_V sees them);
3. G step: L1, VGG content and style summed over the chunk's frames; the sampling correctness and
   the affine regularisation of the flows from the previous frame (``_p``) and from the
   reference (``_r``), summed over the frames; the adversarial terms of D on a random frame and of
   D_V on a random start, drawn anew; the sum of these nine, in ``loss_names`` order;
4. the last generated frame and its structure, detached, become the next chunk's previous frame.

The random frames are drawn from torch's global generator (the original drew them from NumPy's):
a checkpoint restores it, so a resumed run draws what an uninterrupted one would.

Test (batch 1, the test set's chunks in order): at a video's first chunk (``frame_idx`` =
``--start_frame + --n_frames_pre_load_test``) the reference becomes the chunk's reference and the
previous frame is cleared; the chunk is generated, its results written (``save_test_results``) and
its last frame carried over; after a video's last chunk (``change_seq``) the video of the
``video_kinds`` images is written (util/video_results.py).

A subclass gives ``modify_options``, ``build_networks`` (G, D, D_V), ``visual_drawers``,
``video_kinds``, and implements ``read_clip``, ``temporal_input`` and ``save_test_results``;
``previous_correctness_sources`` (face: the previous frames fed to G; dance: the ground-truth
ones), ``result_video`` (the frames' folder name), ``result_ext`` (png) and ``min_frames_D_V`` (2)
can be overridden.
"""
import os
from itertools import chain
from typing import NamedTuple, Optional

import torch
from tqdm import tqdm

from model.base_model import BaseModel, unwrap
from model.loss_bundle import LossBundle
from options.errors import OptionError
from util.video_results import video_of, write_result_video

LOSS_NAMES = ["app_gen", "correctness_p", "correctness_r", "content_gen", "style_gen", "regularization_p",
              "regularization_r", "ad_gen", "dis_img_gen", "ad_gen_v", "dis_img_gen_v"]
DISCRIMINATOR_LOSSES = ("dis_img_gen", "dis_img_gen_v")


class AnimationClip(NamedTuple):
    """One batch of an animation dataset as the model uses it (tensors on the CPU)."""

    images: torch.Tensor               # [B, T, image_nc, H, W] frames in [-1, 1]
    structures: torch.Tensor           # [B, T, structure_nc, H, W] their structure (edge maps, skeletons)
    reference_image: torch.Tensor      # [B, image_nc, H, W] the source of the animation
    reference_structure: torch.Tensor  # [B, structure_nc, H, W]
    frame_paths: list                  # T lists of B frame files (the loader's collation)
    masks: Optional[torch.Tensor] = None  # [B, T, 1, H, W] where the correctness loss counts, or None


def random_index(high):
    """A uniform integer in [0, high) from torch's global generator."""
    return int(torch.randint(high, ()).item())


class AnimationModel(BaseModel):
    """Base of ``FaceModel`` and ``DanceModel``; see the module docstring."""

    configuration_options = BaseModel.configuration_options + ("frames_D_V",)
    video_kinds = ()  # the per-frame images side by side in the result video, e.g. ('edge', 'vis')
    result_ext = "png"  # the format of the per-frame result images
    min_frames_D_V = 2  # the fewest frames D_V can judge

    def __init__(self, opt):
        super().__init__(opt)
        self._check_options(opt)
        self.add_networks(self.build_networks(opt, discriminators=self.isTrain))
        self.loss_names = list(LOSS_NAMES)
        self.P_previous = self.BP_previous = None
        if self.isTrain:
            self.losses = LossBundle(
                opt, ["rec", "correctness", "regularization", "adversarial", "perceptual"]).to(self.device)
            # GFLA: Adam with beta1 = 0; one optimizer for both discriminators, 0.1 times G's lr
            self.optimizer_G = self.adam(self.net_G.parameters(), lr=opt.lr)
            self.optimizer_D = self.adam(chain(self.net_D.parameters(), self.net_D_V.parameters()),
                                         lr=opt.lr * opt.ratio_g2d)
            self.optimizers = [self.optimizer_G, self.optimizer_D]

    def _check_options(self, opt):
        if not opt.isTrain:
            if opt.batchSize != 1:
                raise OptionError(f"--batchSize={opt.batchSize}: the animation test generates one video at a time, "
                                  f"chunk after chunk; expected 1")
            return
        chunk = min(opt.max_frames_per_gpu, opt.n_frames_total)
        if not self.min_frames_D_V <= opt.frames_D_V <= chunk:
            raise OptionError(f"--frames_D_V={opt.frames_D_V}: the temporal discriminator sees consecutive frames "
                              f"of one chunk of {chunk} (--max_frames_per_gpu, --n_frames_total); expected "
                              f"{self.min_frames_D_V}..{chunk}")

    # ----------------------------------------------------------------------- subclass interface
    def read_clip(self, batch):
        """The ``AnimationClip`` of a batch of the model's dataset."""
        raise NotImplementedError

    def temporal_input(self, frames):
        """D_V's input from ``--frames_D_V`` consecutive frames (a list of [B, image_nc, H, W])."""
        raise NotImplementedError

    def save_test_results(self, folder, generated):
        """Write the results of the current test chunk into ``folder`` (``<results_dir>/<video>``;
        ``self.first_chunk`` says whether it is the video's first); ``generated``: [T, image_nc, H, W]."""
        raise NotImplementedError

    def previous_correctness_sources(self):
        """Per frame of the chunk, the image its previous-frame flow samples in the correctness loss:
        the previous frame fed to G (generated), detached (original: Face.backward_G)."""
        return [image.detach() for image in self.previous_inputs]

    def result_video(self):
        """The name of the current test video's result folder and video: the frames' folder name."""
        return video_of(self.frame_paths[0][0])

    def has_unused_parameters(self, name):
        """As the pose model: source encoder stages below the deepest attention layer feed nothing."""
        return name == "G" and max(self.opt.attn_layer) < self.opt.layers

    # ----------------------------------------------------------------------- inputs
    def set_input(self, batch):
        """Keep the clip on the CPU (training moves one chunk at a time to the device); a training clip
        starts from its reference, a test chunk continues its video unless it is the video's first."""
        clip = self.read_clip(batch)
        self.clip_images, self.clip_structures, self.clip_masks = clip.images, clip.structures, clip.masks
        self.frame_paths = [list(paths) for paths in zip(*clip.frame_paths)]  # per sample: its T frames
        self.image_paths = [paths[0] for paths in self.frame_paths]
        self.first_chunk = self.isTrain or self._first_chunk_of_a_video(batch)
        if self.first_chunk:
            self.P_reference = clip.reference_image.to(self.device, non_blocking=True)
            self.BP_reference = clip.reference_structure.to(self.device, non_blocking=True)
            self.P_previous = self.BP_previous = None
        if not self.isTrain:
            self.change_seq = bool(batch["change_seq"][0])
            self.load_chunk(0, clip.images.size(1))

    def _first_chunk_of_a_video(self, batch):
        """The original's test: the frame after the chunk is --start_frame + --n_frames_pre_load_test."""
        return int(batch["frame_idx"][0]) == self.opt.start_frame + self.opt.n_frames_pre_load_test

    def load_chunk(self, start, stop):
        """Move frames ``start:stop`` of the clip to the device."""
        self.chunk_start = start
        self.P_frame_step = self.clip_images[:, start:stop].to(self.device, non_blocking=True)
        self.BP_frame_step = self.clip_structures[:, start:stop].to(self.device, non_blocking=True)
        self.mask_frame_step = None if self.clip_masks is None else \
            self.clip_masks[:, start:stop].to(self.device, non_blocking=True)

    # ----------------------------------------------------------------------- training
    def forward(self):
        """Generate the chunk's frames (lists over its T frames; flows and masks interleaved per
        layer: previous, reference)."""
        self.generated_frames, self.frame_flows, self.frame_masks, self.previous_inputs = self.net_G(
            self.BP_frame_step, self.P_reference, self.BP_reference, self.P_previous, self.BP_previous)

    def optimize_parameters(self):
        """One D step and one G step per chunk of the clip, the previous frame carried across chunks."""
        frames = self.clip_images.size(1)
        chunk = min(self.opt.max_frames_per_gpu, frames)
        for start in range(0, frames, chunk):
            self.load_chunk(start, start + chunk)
            self.forward()
            self.discriminator_then_generator_step()
            self.P_previous = self.generated_frames[-1].detach()
            self.BP_previous = self.BP_frame_step[:, -1].detach()

    def real_frames(self):
        """The chunk's ground-truth frames, a list of [B, image_nc, H, W]."""
        return list(self.P_frame_step.unbind(1))

    def backward_D(self):
        """D on a random frame, then D_V on a random run of ``--frames_D_V`` frames (each half weighted 0.5)."""
        self.set_requires_grad([self.net_D, self.net_D_V], True)
        fakes, reals, length = self.generated_frames, self.real_frames(), self.opt.frames_D_V
        t = random_index(len(fakes))
        self.loss_dis_img_gen, total = self.losses.discriminator(self.net_D, reals[t], fakes[t])
        total.backward()
        s = random_index(len(fakes) - length + 1)
        self.loss_dis_img_gen_v, total = self.losses.discriminator(
            self.net_D_V, self.temporal_input(reals[s:s + length]), self.temporal_input(fakes[s:s + length]))
        total.backward()

    def backward_G(self):
        """The generator's nine losses over the chunk, in the original's order; D and D_V are frozen."""
        self.set_requires_grad([self.net_D, self.net_D_V], False)
        losses, fakes, reals = self.losses, self.generated_frames, self.real_frames()
        masks = [None] * len(fakes) if self.mask_frame_step is None else list(self.mask_frame_step.unbind(1))
        self.loss_app_gen = losses.rec.weigh(sum(losses.rec.raw(fake, real) for fake, real in zip(fakes, reals)))
        perceptual = [losses.perceptual.raw(fake, real) for fake, real in zip(fakes, reals)]
        self.loss_content_gen, self.loss_style_gen = losses.perceptual.weigh(
            (sum(content for content, _ in perceptual), sum(style for _, style in perceptual)))
        previous_flows = [flows[0::2] for flows in self.frame_flows]
        reference_flows = [flows[1::2] for flows in self.frame_flows]
        self.loss_correctness_p = losses.correctness.weigh(sum(
            losses.correctness.raw(real, source, flows, mask)
            for real, source, flows, mask in zip(reals, self.previous_correctness_sources(), previous_flows, masks)))
        self.loss_correctness_r = losses.correctness.weigh(sum(
            losses.correctness.raw(real, self.P_reference, flows, mask)
            for real, flows, mask in zip(reals, reference_flows, masks)))
        self.loss_regularization_p = losses.regularization.weigh(sum(map(losses.regularization.raw, previous_flows)))
        self.loss_regularization_r = losses.regularization.weigh(sum(map(losses.regularization.raw, reference_flows)))
        # the critics only judge here: the bare modules, so that DDP expects no D gradients
        self.loss_ad_gen = losses.adversarial(unwrap(self.net_D), fakes[random_index(len(fakes))])
        s = random_index(len(fakes) - self.opt.frames_D_V + 1)
        self.loss_ad_gen_v = losses.adversarial(unwrap(self.net_D_V),
                                                self.temporal_input(fakes[s:s + self.opt.frames_D_V]))
        total = sum(getattr(self, "loss_" + name) for name in self.loss_names if name not in DISCRIMINATOR_LOSSES)
        total.backward()

    # ----------------------------------------------------------------------- visuals ([B, T, ...] clips)
    @property
    def img_gen(self):
        return torch.stack(self.generated_frames, 1)

    @property
    def flow_fields(self):
        """Per flow (previous and reference, per layer), its frames: a list of [B, T, 2, h, w]."""
        return [torch.stack(flows, 1) for flows in zip(*self.frame_flows)]

    @property
    def masks(self):
        """As ``flow_fields``, the occlusion masks: a list of [B, T, 1, h, w]."""
        return [torch.stack(masks, 1) for masks in zip(*self.frame_masks)]

    # ----------------------------------------------------------------------- test
    def test(self):
        """Generate the chunk from the carried-over previous frame, write its results and, after the
        video's last chunk, the video."""
        self.forward()
        self.P_previous, self.BP_previous = self.generated_frames[-1], self.BP_frame_step[:, -1]
        folder = os.path.join(self.opt.results_dir, self.result_video())
        self.save_test_results(folder, torch.cat(self.generated_frames))
        if self.change_seq:
            path = write_result_video(self.opt.results_dir, self.result_video(), self.video_kinds, self.result_ext)
            tqdm.write(f"wrote {path}")
