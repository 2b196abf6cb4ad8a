"""FaceForensics face animation: ``--dataset_mode=face`` (original: data/face_dataset.py, FaceDataset).

On-disk layout (``<phase>`` = train or test)::

    <dataroot>/<phase>_data/<video>/<frame>.png        frames (any size; resized to --load_size)
    <dataroot>/<phase>_keypoints/<video>/<frame>.txt   68 lines 'x,y' in the frame's pixels (data.face_landmarks)

A video's frames and landmark files pair up in sorted order; both folders must list the same
videos with equal counts. Clips and test chunks: data.animation_dataset; the structure channels:
data.face_maps.
"""
import os

import numpy as np
import torch
import torchvision.transforms.functional as F

from data.animation_dataset import AnimationDataset
from data.base_dataset import as_size
from data.face_landmarks import read_landmarks
from data.face_maps import STRUCTURE_CHANNELS, face_structure
from data.pair_dataset import image_to_tensor
from data.video_files import IMAGE_EXTENSIONS, list_videos, pair_videos, read_frame
from options.errors import OptionError
from util.errors import UserError


class FaceDataset(AnimationDataset):
    """Face videos and their landmark structure.

    An item (T frames: ``--n_frames_total`` in training, ``--n_frames_pre_load_test`` in test):

    * ``BP``: float32 [16 T, H, W], per frame the edge map, 14 distance maps (both in [0, 1]) and
      the part labels (0..6), see data.face_maps; [2 T, H, W] with ``--no_dist_map``;
    * ``P``: float32 [3 T, H, W], the frames in [-1, 1] (bicubic resize);
    * ``BP_path``: the last frame's landmark file; ``P_path``: the T frame files;
    * ``change_seq``: test: this chunk ends its video (always False in training);
    * ``frame_idx``: test: the frame index after the chunk (0 in training).

    The landmarks of every frame of a clip are read in the size of the clip's first frame, as in
    the original. With ``--no_canny_edge`` the edge map holds the face curves only (the original
    crashed with it).
    """

    def __init__(self, opt):
        self.out_size = as_size(opt.load_size, "load_size")
        self.with_distance = not opt.no_dist_map
        self.with_background = not opt.no_canny_edge
        channels = STRUCTURE_CHANNELS if self.with_distance else 2
        if opt.structure_nc != channels:
            hint = " (edges and labels: --no_dist_map drops the 14 distance maps)" if not self.with_distance else ""
            raise OptionError(f"--structure_nc={opt.structure_nc}: the face dataset gives {channels} structure "
                              f"channels per frame{hint}; pass --structure_nc={channels}")
        super().__init__(opt)

    def find_videos(self):
        root, phase = self.opt.dataroot, self.opt.phase
        if not os.path.isdir(root):
            raise UserError(f"--dataroot: dataset folder not found: {root}")
        frames_root = os.path.join(root, f"{phase}_data")
        landmarks_root = os.path.join(root, f"{phase}_keypoints")
        frames = list_videos(frames_root, IMAGE_EXTENSIONS, "frames")
        landmarks = list_videos(landmarks_root, (".txt",), "landmark files")
        names = pair_videos(landmarks_root, landmarks, frames_root, frames)
        self.frame_paths = [frames[name] for name in names]
        self.landmark_paths = [landmarks[name] for name in names]
        return [(os.path.join(frames_root, name), len(frames[name])) for name in names]

    def __getitem__(self, index):
        plan = self.clip_plan(index)
        frame_paths = [self.frame_paths[plan.video][frame] for frame in plan.frames]
        landmark_paths = [self.landmark_paths[plan.video][frame] for frame in plan.frames]
        structures, images, frame_size = [], [], None
        for frame_path, landmark_path in zip(frame_paths, landmark_paths):
            frame = read_frame(frame_path)
            frame_size = frame_size or frame.size[::-1]  # (H, W) of the clip's first frame
            structures.append(face_structure(read_landmarks(landmark_path), frame, frame_size, self.out_size,
                                             self.with_distance, self.with_background))
            images.append(image_to_tensor(F.resize(frame, list(self.out_size),
                                                   interpolation=F.InterpolationMode.BICUBIC)))
        return {"BP": torch.from_numpy(np.concatenate(structures)), "P": torch.cat(images),
                "BP_path": landmark_paths[-1], "P_path": frame_paths,
                "change_seq": plan.change_seq, "frame_idx": plan.frame_idx}

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = AnimationDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--no_canny_edge", action="store_true", help="no background Canny edges")
        parser.add_argument("--no_dist_map", action="store_true", help="no landmark distance maps")
        if is_train:
            parser.set_defaults(load_size=(256, 256), batchSize=2, total_test_frames=None)
        else:
            parser.add_argument("--start_frame", type=int, default=0, help="first frame tested per video")
            parser.set_defaults(load_size=(256, 256), batchSize=1, total_test_frames=None,
                                n_frames_pre_load_test=6, nThreads=1)
        parser.set_defaults(structure_nc=16, image_nc=3, display_winsize=256, n_frames_total=30,
                            max_frames_per_gpu=6, max_t_step=1, debug=False)
        return parser
