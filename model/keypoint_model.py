"""Motion extraction: the net that cleans noisy 2-D skeleton sequences (``keypoint``, original:
model/keypoint_model.py, Keypoint).

The skeletons AlphaPose finds in the dance videos jitter and lose joints; this temporal net turns
81 frames of noisy COCO-17 skeletons into the clean Human3.6M-17 skeleton of the middle frame
(a sequence of T + 80 frames into T clean ones), and the person animation model is trained on
its output. Keypoints are columns of 17 y then 17 x rows in [-1, 1].

* Training (``--dataset_mode=keypoint``, Human3.6M): the net maps the 104 noisy frames around 24
  frames to their 24 ground-truth skeletons; the loss is their mean squared error, logged as
  ``mpjpe`` (the original's name); Adam (``--lr``, betas 0, 0.999). The original's
  ``--lambda_mpjpe`` was never applied and is not offered.
* Cleaning a set (``test.py --dataset_mode=keypointtest``, as the original): each chunk of 24
  frames becomes one OpenPose-style JSON file per frame, ``<results_dir>/<video>/<frame>.json``
  (the noisy file's name), ``{"version": "Video to Pose 2D", "people": [{"pose_keypoints_2d":
  [x0, y0, 1, ...]}]}``: 17 joints in Human3.6M order in the frame's pixels, the dance dataset's
  ``train_video2d`` files. With ``--write_image`` (which the original could not switch on) also
  ``<frame>_skeleton_in.png`` / ``_skeleton_out.png`` (the noisy and the cleaned skeleton drawn
  over the frame) and, after a video's last chunk, ``<video>_skeleton_in_skeleton_out_.mp4``.
* Evaluating on Human3.6M (``test.py --dataset_mode=keypoint``, new: the original tested only
  keypointtest): every test sequence (S9, S11) is cleaned chunk by chunk as above, the result is
  saved as ``<results_dir>/<subject>/<action>.<camera>.npy`` (float32 [T, 17, 2] (x, y) pixels)
  and ``<results_dir>/keypoint_errors.csv`` lists each sequence's MSE (the training loss) and
  mean per-joint error in pixels, then their frame-weighted means.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

from data.skeleton_json import write_skeleton
from data.skeleton_maps import NUM_JOINTS, keypoint_pictures
from data.video_files import read_frame
from model.base_model import BaseModel
from model.keypoint_evaluation import SequenceErrors, cleaned_sequence
from model.model_options import IGNORED_ARCHITECTURE
from model.networks import build_network
from model.networks.base_network import INIT_TYPES
from model.networks.keypoint_generator import KPInput2DGenerator, receptive_field
from options.actions import add_bool
from options.errors import OptionError
from util.image_io import save_image, tensor_to_uint8
from util.skeleton_formats import LIMBS_COCO_17, LIMBS_HUMAN36M_17
from util.video_io import write_video
from util.visuals import keypoint_drawer

CHANNELS, LAYERS = 256, 4  # the shipped net (original: model/keypoint_model.py, Keypoint.__init__)
JSON_VERSION = "Video to Pose 2D"
VIDEO_FPS = 15
PICTURE_NAMES = ("skeleton_in", "skeleton_out")


class KeypointModel(BaseModel):
    visual_drawers = {"current_skeleton": keypoint_drawer(LIMBS_COCO_17),
                      "output_skeleton": keypoint_drawer(LIMBS_HUMAN36M_17),
                      "gt_skeleton": keypoint_drawer(LIMBS_HUMAN36M_17)}

    @staticmethod
    def modify_options(parser, is_train):
        parser.add_argument("--init_type", type=str, default="orthogonal", choices=INIT_TYPES,
                            help="weight initialisation")
        parser.add_argument("--netG", type=str, default=None, help=IGNORED_ARCHITECTURE)
        if is_train:
            parser.set_defaults(display_freq=1000, eval_iters_freq=1000, print_freq=1000, save_latest_freq=1000,
                                save_iters_freq=50000)
        else:
            add_bool(parser, "--write_image", False, "keypointtest: also draw the noisy and cleaned skeletons "
                                                     "over each frame and write a video of each")
        return parser

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``KPInput2DGenerator`` with 256 channels and 4 layers (no discriminator)."""
        return {"G": build_network(KPInput2DGenerator, opt, structure_nc=opt.structure_nc, channels=CHANNELS,
                                   layers=LAYERS)}

    def __init__(self, opt):
        super().__init__(opt)
        _check_options(opt)
        self.add_networks(self.build_networks(opt, discriminators=False))
        self.loss_names = ["mpjpe"]
        self.pad = opt.n_receptive // 2
        if self.isTrain:
            self.optimizer_G = self.adam(self.net_G.parameters(), lr=opt.lr)
            self.optimizers = [self.optimizer_G]
        elif opt.dataset_mode == "keypoint":
            self.errors = SequenceErrors(os.path.join(opt.results_dir, "keypoint_errors.csv"))
        self.picture_stems = {}  # --write_image: video folder -> its frames drawn so far, in order

    def set_input(self, batch):
        """A training window, a Human3.6M test sequence or a chunk of a set to clean (keypointtest)."""
        if self.opt.dataset_mode == "keypointtest":
            self.input_skeleton = batch["gen_keypoints"].to(self.device)
            self.current_skeleton = batch["current_keypoints"]
            self.frames, self.videos, self.change_seq = batch["gen_images"], batch["video"], batch["change_seq"]
            self.frame_sizes = list(zip(*(side.tolist() for side in batch["shape"])))  # (w, h) per sample
            self.skeleton_paths = [list(paths) for paths in zip(*batch["gen_paths"])]  # per sample
            self.image_paths = [path for paths in self.skeleton_paths for path in paths]
            return
        self.input_skeleton = batch["input_data"].to(self.device)
        self.gt_skeleton = batch["gt_data"].to(self.device)
        self.current_skeleton = self.input_skeleton[:, :, self.pad:self.input_skeleton.shape[2] - self.pad]
        self.image_widths = batch["camera"]["res_w"].tolist()
        self.sequences = ([f"{s}/{a}.{c}" for s, a, c in zip(*(batch["out_path"][key] for key in
                                                               ("subject", "action", "camera")))]
                          if "out_path" in batch else [])
        self.image_paths = list(self.sequences)

    def forward(self):
        self.output_skeleton = self.net_G(self.input_skeleton)

    def optimize_parameters(self):
        self.forward()
        self.loss_mpjpe = F.mse_loss(self.output_skeleton, self.gt_skeleton)
        self.optimizer_G.zero_grad(set_to_none=True)
        self.loss_mpjpe.backward()
        self.optimizer_G.step()

    # ----------------------------------------------------------------------- test
    def test(self):
        if self.opt.dataset_mode == "keypointtest":
            self.clean_chunk()
        else:
            self.evaluate_sequence()

    def clean_chunk(self):
        """Write the cleaned skeletons of the chunk's frames (module docstring)."""
        self.forward()
        for sample, (video, paths) in enumerate(zip(self.videos, self.skeleton_paths)):
            width, height = self.frame_sizes[sample]
            folder = os.path.join(self.opt.results_dir, video)
            stems = [os.path.splitext(os.path.basename(path))[0] for path in paths]
            for stem, points in zip(stems, skeleton_points(self.output_skeleton[sample], width, height)):
                write_skeleton(os.path.join(folder, stem + ".json"), points, version=JSON_VERSION)
            if self.opt.write_image:
                self.draw_skeletons(sample, folder, stems)
                if self.change_seq[sample]:
                    self.write_video(folder, self.picture_stems.pop(folder))

    def draw_skeletons(self, sample, folder, stems):
        """``<frame>_skeleton_in.png`` / ``_skeleton_out.png``: the noisy (COCO-17) and cleaned
        (Human3.6M-17) skeletons over the loaded frame (original: model/keypoint_model.py, Keypoint.test)."""
        frames = self.frames[sample].reshape(len(stems), 3, *self.frames.shape[-2:])
        size = tuple(frames.shape[-2:])
        pictures = zip(keypoint_pictures(self.current_skeleton[sample], LIMBS_COCO_17, size),
                       keypoint_pictures(self.output_skeleton[sample], LIMBS_HUMAN36M_17, size))
        for stem, frame, skeletons in zip(stems, frames, pictures):
            image = tensor_to_uint8(frame)
            for name, skeleton in zip(PICTURE_NAMES, skeletons):
                save_image(overlay(skeleton, image), os.path.join(folder, f"{stem}_{name}.png"))
        self.picture_stems.setdefault(folder, {}).update(dict.fromkeys(stems))

    @staticmethod
    def write_video(folder, stems):
        """``<video>_skeleton_in_skeleton_out_.mp4``: each frame's two pictures side by side, in frame order."""
        frames = (np.concatenate([np.asarray(read_frame(os.path.join(folder, f"{stem}_{name}.png")))
                                  for name in PICTURE_NAMES], axis=1) for stem in stems)
        write_video(f"{folder}_{'_'.join(PICTURE_NAMES)}_.mp4", frames, fps=VIDEO_FPS)

    def evaluate_sequence(self):
        """Clean each Human3.6M test sequence of the batch; save it and its errors (module docstring)."""
        length = self.opt.n_frames_pre_load_test
        for sample, (sequence, width) in enumerate(zip(self.sequences, self.image_widths)):
            output = cleaned_sequence(self.net_G, self.input_skeleton[sample], length, self.pad)
            pixels = (output.T.reshape(-1, 2, NUM_JOINTS).flip(1).transpose(1, 2) + 1) / 2 * width
            path = os.path.join(self.opt.results_dir, sequence + ".npy")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            np.save(path, pixels.cpu().numpy().astype(np.float32))
            self.errors.add(sequence, output, self.gt_skeleton[sample], width)


def skeleton_points(keypoints, width, height):
    """[T, 17, 2] (x, y) pixels of one sample's keypoint columns [34, T]: ``(v + 1) / 2`` times the
    frame's height (y rows) and width (x rows), as the original wrote them."""
    scaled = (keypoints.detach().cpu() + 1) / 2
    y, x = scaled[:NUM_JOINTS] * height, scaled[NUM_JOINTS:] * width
    return torch.stack([x.T, y.T], dim=2).numpy()


def overlay(skeleton, image):
    """``skeleton`` [H, W, 3] drawn over ``image``: its non-zero values replace the image's, channel
    by channel, as the original."""
    return np.where(skeleton != 0, skeleton, image)


def _check_options(opt):
    """The datasets this model reads, and the window they cut, must fit the net."""
    allowed = ("keypoint",) if opt.isTrain else ("keypoint", "keypointtest")
    if opt.dataset_mode not in allowed:
        raise OptionError(f"--dataset_mode={opt.dataset_mode}: the keypoint model trains on --dataset_mode=keypoint "
                          f"(Human3.6M) and tests on keypoint or keypointtest (cleaning a set of skeleton videos)")
    if opt.structure_nc != NUM_JOINTS:
        raise OptionError(f"--structure_nc={opt.structure_nc}: the motion extraction net reads {NUM_JOINTS} joints; "
                          f"pass --structure_nc={NUM_JOINTS}")
    if opt.n_receptive != receptive_field(LAYERS):
        raise OptionError(f"--n_receptive={opt.n_receptive}: the motion extraction net sees "
                          f"{receptive_field(LAYERS)} frames per output frame; pass --n_receptive={receptive_field(LAYERS)}")
    if not opt.isTrain and opt.dataset_mode == "keypoint" and opt.batchSize != 1:
        raise OptionError(f"--batchSize={opt.batchSize}: Human3.6M test sequences differ in length; "
                          f"test them with --batchSize=1")
