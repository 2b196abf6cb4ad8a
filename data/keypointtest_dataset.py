"""AlphaPose skeleton sequences of a video set, for the motion-extraction net to clean: ``--dataset_mode=keypointtest``
(original: data/keypointtest_dataset.py, KeypointTestDataset). Test only.

On-disk layout (``<set>`` = ``--eval_set``, ``<extractor>`` = ``--pose_extractor``)::

    <dataroot>/<set>_256/train_A/<video>/<frame>.png               frames
    <dataroot>/<set>_256/train_<extractor>/<video>/<frame>.json    noisy skeletons, OpenPose-18 order

Each video is cut into chunks of ``--n_frames_pre_load_test`` (24) frames from ``--start_frame``;
the last chunk is moved back to end at the video's last frame (data.animation_dataset). The net
sees the chunk with ``--n_receptive // 2`` (40) more frames either side, the video's first and
last frames repeated where it runs out.

Deliberate differences: the original's length was the number of frames (iterating to the end ran
past the last video) and its ``change_seq`` flagged the first chunk of the next video; here the
items are the chunks and ``change_seq`` flags a video's last chunk, as in the other animation
datasets.
"""
import os

import numpy as np
import torch
import torchvision.transforms.functional as F

from data.animation_dataset import AnimationDataset
from data.base_dataset import as_size
from data.keypoint_dataset import KeypointDataset
from data.pair_dataset import image_to_tensor
from data.skeleton_json import read_skeleton
from data.skeleton_maps import skeleton_coordinates, skeleton_vector
from data.video_files import IMAGE_EXTENSIONS, list_videos, pair_videos, read_frame
from options.errors import OptionError
from util.skeleton_formats import OPENPOSE_18, OPENPOSE_18_TO_COCO_17


class KeypointTestDataset(AnimationDataset):
    """Chunks of noisy skeletons (and their frames) of every video.

    An item (n = ``--n_frames_pre_load_test``, r = ``--n_receptive // 2``):

    * ``gen_keypoints``: float32 [34, n + 2 r] ([34, 104] by default), the chunk's skeletons and
      the r frames either side; ``current_keypoints``: float32 [34, n], the chunk's. Columns: 17 y
      then 17 x rows in COCO-17 order, as ``2 p / size - 1`` in the loaded image (-1: missing
      joint; all zeros: nobody found);
    * ``gen_images``: float32 [3 n, H, W] in [-1, 1];
    * ``shape``: (width, height) of the chunk's first frame, to bring the net's output back to pixels;
    * ``gen_paths``: the chunk's n skeleton files (the net's output files take their names);
      ``video``: the video's name (its folder under the skeleton folder, where the output goes);
    * ``frame_idx``: the frame index after the chunk; ``change_seq``: this chunk ends its video.
    """

    pad_last_test_chunk = False

    def __init__(self, opt):
        if opt.isTrain:
            raise OptionError("--dataset_mode=keypointtest is a test set (test.py); train the motion-extraction "
                              "net with --dataset_mode=keypoint")
        self.out_size = as_size(opt.load_size, "load_size")
        super().__init__(opt)

    def find_videos(self):
        split = os.path.join(self.opt.dataroot, f"{self.opt.eval_set}_256")
        frames_root = os.path.join(split, "train_A")
        skeletons_root = os.path.join(split, f"train_{self.opt.pose_extractor}")
        frames = list_videos(frames_root, IMAGE_EXTENSIONS, "frames")
        skeletons = list_videos(skeletons_root, (".json",), "skeleton files")
        names = pair_videos(frames_root, frames, skeletons_root, skeletons)
        self.video_names = names
        self.frame_paths = [frames[name] for name in names]
        self.skeleton_paths = [skeletons[name] for name in names]
        return [(os.path.join(frames_root, name), len(frames[name])) for name in names]

    def __getitem__(self, index):
        plan = self.clip_plan(index)
        frame_paths, skeleton_paths = self.frame_paths[plan.video], self.skeleton_paths[plan.video]
        images = [read_frame(frame_paths[frame]) for frame in plan.frames]
        frame_size = images[0].size[::-1]  # (h, w) of the chunk's first frame scales every skeleton
        first, last, pad = plan.frames[0], plan.frames[-1], self.opt.n_receptive // 2
        window = ([max(frame, 0) for frame in range(first - pad, first)] + list(plan.frames)
                  + [min(frame, len(frame_paths) - 1) for frame in range(last + 1, last + 1 + pad)])
        columns = np.concatenate([self._column(skeleton_paths[frame], frame_size) for frame in window], axis=1)
        keypoints = torch.from_numpy(columns)
        return {"gen_keypoints": keypoints, "current_keypoints": keypoints[:, pad:pad + len(plan.frames)].clone(),
                "gen_images": torch.from_numpy(np.concatenate([image_to_tensor(F.resize(
                    image, list(self.out_size), interpolation=F.InterpolationMode.BICUBIC)).numpy() for image in images])),
                "shape": tuple(frame_size[::-1]), "gen_paths": [skeleton_paths[frame] for frame in plan.frames],
                "video": self.video_names[plan.video],
                "frame_idx": plan.frame_idx, "change_seq": plan.change_seq}

    def _column(self, path, frame_size):
        joints = read_skeleton(path, len(OPENPOSE_18), "OpenPose-18")
        if joints is None:
            return skeleton_vector(None, self.out_size)
        coco = joints[list(OPENPOSE_18_TO_COCO_17)]
        return skeleton_vector(skeleton_coordinates(coco, frame_size, self.out_size), self.out_size)

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = KeypointDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--pose_extractor", type=str, default="alphapose",
                            help="skeleton folder: <eval_set>_256/train_<pose_extractor>")
        parser.add_argument("--sub_dataset", type=str, default="iper", help="accepted for compatibility (no effect)")
        parser.add_argument("--eval_set", type=str, default="train", help="split to clean: train, test or val")
        parser.add_argument("--start_frame", type=int, default=0, help="first frame per video")
        parser.add_argument("--total_test_frames", type=int, default=None, help="frames per video (default: all)")
        parser.set_defaults(load_size=(256, 256), nThreads=1)
        return parser
