"""FashionVideo / iPER person image animation: ``--dataset_mode=dance`` (original: data/dance_dataset.py, DanceDataset).

On-disk layout (``<split>`` = ``<phase>_256``; the subfolders are named ``train_*`` in every split)::

    <dataroot>/<split>/train_A/<video>/<frame>.png            frames (256x256 in the released data)
    <dataroot>/<split>/train_video2d/<video>/<frame>.json     clean skeletons, Human3.6M-17 order
    <dataroot>/<split>/train_alphapose/<video>/<frame>.json   noisy AlphaPose skeletons, OpenPose-18 order
    <dataroot>/<split>/train_C/<video>/<frame>.png            foreground masks (iPER training only)
    <dataroot>/<test_list>                                    test: the videos and references (data.dance_videos)

Skeleton files: data.skeleton_json (coordinates in the frame's pixels, 0 = missing); structure
channels: data.skeleton_maps; clips and test chunks: data.animation_dataset.

Generated frames are guided by the clean skeletons; the reference frame's skeleton comes from its
noisy file, in COCO-17 order (a mismatch of the original that the trained models expect). All
skeletons of an item, the reference's included, are scaled from the size of the clip's first
frame, as the original did.
Training augmentation (drawn once per item, shared by the clip's frames): FashionVideo rotates by
U(-5, 5) degrees, shifts by U(-20, 20) x U(-3, 3) pixels, scales by U(0.98, 1.02), fills white and
draws new parameters for the reference frame; iPER only rotates, fills black, and warps the
reference like the clip. ``--angle/--shift/--scale`` switch each off (false) or set a range
'low,high' (the shift's range then applies to both axes).
"""
import os

import numpy as np
import torch
import torchvision.transforms.functional as F

from data.affine import augmentation_center, sample_affine_params, warp_image
from data.animation_dataset import AnimationDataset
from data.base_dataset import as_size
from data.dance_videos import split_folder, videos_from_folders, videos_from_test_list
from data.pair_dataset import image_to_tensor
from data.skeleton_json import read_skeleton
from data.skeleton_maps import NUM_JOINTS, STRUCTURE_CHANNELS, skeleton_coordinates, skeleton_structure, skeleton_vector
from data.video_files import read_frame
from options.errors import OptionError
from util.skeleton_formats import LIMBS_COCO_17, LIMBS_HUMAN36M_17, OPENPOSE_18_TO_COCO_17

# Per sub-dataset: the ranges an enabled (True) --angle/--shift/--scale stands for (shift: x then y),
# the fill of the warped frames, and whether the reference frame gets its own augmentation.
AUGMENTATION = {
    "fashion": dict(angle=(-5.0, 5.0), shift=((-20.0, 20.0), (-3.0, 3.0)), scale=(0.98, 1.02),
                    fill=(255, 255, 255), own_reference_params=True),
    "iper": dict(angle=(-5.0, 5.0), shift=None, scale=None, fill=(0, 0, 0), own_reference_params=False),
}


def uses_masks(opt):
    """Foreground masks are loaded exactly when training on iPER (the original forced ``opt.use_mask`` so)."""
    return opt.sub_dataset == "iper" and bool(opt.isTrain)


class DanceDataset(AnimationDataset):
    """Person videos, their skeletons and reference frames.

    An item (T frames: ``--n_frames_total`` in training, ``--n_frames_pre_load_test`` in test; S =
    20 structure channels, 17 with ``--no_bone_map``; H, W = ``--load_size``):

    * ``gen_images``: float32 [3 T, H, W] in [-1, 1]; ``gen_skeleton``: float32 [S T, H, W], per
      frame 17 heatmaps in [0, 1] and 3 bone channels in [0, 255] (clean skeletons);
    * ``gen_masks``: float32 [T, H, W] in [0, 1], iPER training only;
    * ``ref_image``: [3, H, W]; ``ref_skeleton``: [S, H, W] (noisy skeleton, COCO-17 order);
    * ``gen_kps_clean``, ``gen_kps_noise``: float32 [34, T] keypoints (17 y then 17 x rows,
      ``2 p / size - 1``), with ``--use_kp`` (on by default in test);
    * ``gen_paths``: the T frame files; ``ref_path``: the reference frame file;
    * ``frame_idx``: test: the frame index after the chunk (0 in training);
    * ``change_seq``: test only: this chunk ends its video.

    Sets ``opt.use_mask`` (``uses_masks``) for the model, as the original did.
    """

    def __init__(self, opt):
        self.out_size = as_size(opt.load_size, "load_size")
        self.with_bones = not opt.no_bone_map
        channels = STRUCTURE_CHANNELS if self.with_bones else NUM_JOINTS
        if opt.structure_nc != channels:
            hint = " (--no_bone_map drops the 3 bone channels)" if self.with_bones else ""
            raise OptionError(f"--structure_nc={opt.structure_nc}: the dance dataset gives {channels} structure "
                              f"channels per frame{hint}; pass --structure_nc={channels}")
        opt.use_mask = uses_masks(opt)
        self.augmentation = AUGMENTATION[opt.sub_dataset]
        self.ranges = {name: self._range(opt, name) for name in ("angle", "shift", "scale")}
        super().__init__(opt)

    def find_videos(self):
        opt = self.opt
        test_list = None if opt.isTrain else str(opt.test_list)
        if test_list is not None and test_list.strip().lower() not in ("", "none"):
            self.videos = videos_from_test_list(os.path.join(opt.dataroot, test_list), opt.dataroot)
        else:
            self.videos = videos_from_folders(split_folder(opt), opt.use_mask, getattr(opt, "cross_eval", False),
                                              opt.seed)
        return [(video.name, len(video.frames)) for video in self.videos]

    def __getitem__(self, index):
        rng = self.sample_rng(index)
        plan = self.clip_plan(index, rng)
        video = self.videos[plan.video]
        affine = self._draw_affine(rng)
        images, frame_size = [], None
        for frame in plan.frames:
            image = read_frame(video.frames[frame])
            frame_size = frame_size or image.size[::-1]  # (h, w) of the clip's first frame scales every skeleton
            images.append(image_to_tensor(self._warped(image, affine, self.augmentation["fill"])).numpy())
        clean = [self._coordinates(video.clean[frame], frame_size, affine, noisy=False) for frame in plan.frames]
        # numpy concatenation: torch.cat of many frames is slow where loader threads share busy cores
        item = {"gen_images": torch.from_numpy(np.concatenate(images)),
                "gen_skeleton": self._structures(clean, LIMBS_HUMAN36M_17)}
        if self.opt.use_mask:
            item["gen_masks"] = torch.from_numpy(np.concatenate([self._mask(video.masks[frame], affine)
                                                                 for frame in plan.frames]))
        if self.opt.use_kp:
            noisy = [self._coordinates(video.noisy[frame], frame_size, affine, noisy=True) for frame in plan.frames]
            item["gen_kps_clean"] = _keypoint_columns(clean, self.out_size)
            item["gen_kps_noise"] = _keypoint_columns(noisy, self.out_size)
        if self.augmentation["own_reference_params"]:
            affine = self._draw_affine(rng)
        reference = int(rng.integers(len(video.ref_frames)))
        item["ref_image"] = image_to_tensor(self._warped(read_frame(video.ref_frames[reference]), affine,
                                                         self.augmentation["fill"]))
        ref_coordinates = self._coordinates(video.ref_noisy[reference], frame_size, affine, noisy=True)
        item["ref_skeleton"] = self._structures([ref_coordinates], LIMBS_COCO_17)
        item.update(gen_paths=[video.frames[frame] for frame in plan.frames], ref_path=video.ref_frames[reference],
                    frame_idx=plan.frame_idx)
        if not self.is_train:
            item["change_seq"] = plan.change_seq
        return item

    def _range(self, opt, name):
        """An augmentation option as a range (shift: a pair of x and y ranges), or None when off."""
        value = getattr(opt, name)
        if value is True:
            return self.augmentation[name]
        if not value:
            return None
        if not (isinstance(value, (tuple, list)) and len(value) == 2):
            raise OptionError(f"--{name}: expected a range 'low,high' or false, got {value!r}")
        low, high = (float(v) for v in value)
        return ((low, high), (low, high)) if name == "shift" else (low, high)

    def _draw_affine(self, rng):
        """The augmentation of one draw (None when every option is off, as the original)."""
        angle, shift, scale = (self.ranges[name] for name in ("angle", "shift", "scale"))
        if not (angle or shift or scale):
            return None
        return sample_affine_params(rng, angle, shift and shift[0], scale, shift and shift[1])

    def _warped(self, image, affine, fill):
        """A PIL image resized (bicubic) to the loaded size, then warped by ``affine`` with ``fill`` outside."""
        image = F.resize(image, list(self.out_size), interpolation=F.InterpolationMode.BICUBIC)
        if affine is None:
            return image
        return warp_image(image, affine, augmentation_center(self.out_size[1], self.out_size[0]), fill=fill)

    def _mask(self, path, affine):
        """A mask file as float32 [1, H, W] in [0, 1] (warped like the frames, black outside)."""
        mask = self._warped(read_frame(path, mode="L"), affine, (0,))
        return np.asarray(mask, dtype=np.float32)[None] / np.float32(255)

    def _coordinates(self, path, frame_size, affine, noisy):
        """(y, x) [2, 17] of a skeleton file in the loaded image (noisy files: OpenPose-18 -> COCO-17), or None."""
        joints = read_skeleton(path, 18 if noisy else NUM_JOINTS, "OpenPose-18" if noisy else "Human3.6M-17")
        if joints is None:
            return None
        if noisy:
            joints = joints[list(OPENPOSE_18_TO_COCO_17)]
        return skeleton_coordinates(joints, frame_size, self.out_size, affine)

    def _structures(self, coordinates, limbs):
        return torch.from_numpy(np.concatenate([skeleton_structure(frame, self.out_size, limbs, self.with_bones)
                                                for frame in coordinates]))

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = AnimationDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--no_bone_map", action="store_true", help="no 3-channel bone image")
        parser.add_argument("--sub_dataset", type=str, default="iper", choices=sorted(AUGMENTATION),
                            help="iper (iPER) or fashion (FashionVideo): augmentation ranges and fill")
        parser.add_argument("--use_kp", action="store_true", help="also return keypoint vectors")
        parser.add_argument("--use_mask", action="store_true",
                            help="ignored, as in the original: masks are loaded exactly when training on iPER")
        if is_train:
            # True: the sub-dataset's own augmentation ranges (AUGMENTATION)
            parser.set_defaults(load_size=(256, 256), batchSize=2, angle=True, shift=True, scale=True,
                                use_kp=False, total_test_frames=None)
        else:
            parser.add_argument("--start_frame", type=int, default=0, help="first frame tested per video")
            parser.add_argument("--test_list", type=str, default="./test_list.csv",
                                help="CSV of test videos and references, relative to --dataroot; none: every "
                                     "video of <phase>_256 with its own first frames as references")
            parser.add_argument("--cross_eval", action="store_true",
                                help="with --test_list=none: reference frames from another video")
            parser.set_defaults(load_size=(256, 256), batchSize=1, angle=False, shift=False, scale=False,
                                use_kp=True, total_test_frames=None, cross_eval=False,
                                n_frames_pre_load_test=6, nThreads=1)
        parser.set_defaults(image_nc=3, mask_nc=1, display_winsize=256, no_bone_map=False, debug=False,
                            structure_nc=STRUCTURE_CHANNELS)
        return parser


def _keypoint_columns(coordinates, out_size):
    """float32 [34, T]: the keypoint columns of T frames (data.skeleton_maps.skeleton_vector)."""
    return torch.from_numpy(np.concatenate([skeleton_vector(frame, out_size) for frame in coordinates], axis=1))
