"""Hand-made dance videos on disk: plain frames with a green marker at the left wrist, known skeletons, masks."""
import csv
import os

import numpy as np
from PIL import Image

from data.skeleton_json import write_skeleton
from util.skeleton_formats import COCO_17, HUMAN36M_17, OPENPOSE_18

FRAME_SIZE = (64, 48)  # (H, W): not square, so the scaling to --load_size differs per axis

# A standing figure in the frame's pixels (x, y), Human3.6M-17 order.
CLEAN = np.array([(24, 36), (20, 36), (20, 46), (20, 56), (28, 36), (28, 46), (28, 56), (24, 28), (24, 20),
                  (24, 16), (24, 10), (30, 20), (34, 28), (36, 34), (18, 20), (14, 28), (12, 34)], dtype=np.float64)
LEFT_WRIST = HUMAN36M_17.index("LWrist")
MARKER = (0, 255, 0)  # the colour of the 4x4 square drawn at the left wrist
# The same figure's OpenPose-18 joints (x, y), eyes and ears beside the head; the left ear is missing (0, 0).
_OPENPOSE = {"Nose": (24, 14), "Neck": (24, 20), "RShoulder": (18, 20), "RElbow": (14, 28), "RWrist": (12, 34),
             "LShoulder": (30, 20), "LElbow": (34, 28), "LWrist": (36, 34), "RHip": (20, 36), "RKnee": (20, 46),
             "RAnkle": (20, 56), "LHip": (28, 36), "LKnee": (28, 46), "LAnkle": (28, 56), "REye": (22, 12),
             "LEye": (26, 12), "REar": (20, 13), "LEar": (0, 0)}
NOISY = np.array([_OPENPOSE[name] for name in OPENPOSE_18], dtype=np.float64)
NOISY_AS_COCO = np.array([_OPENPOSE[name] for name in COCO_17], dtype=np.float64)


def clean_joints(frame):
    """The clean skeleton of frame ``frame``: the figure moves one pixel right per frame."""
    return CLEAN + [frame, 0]


def noisy_joints(frame):
    moved = NOISY + [frame, 0]
    moved[OPENPOSE_18.index("LEar")] = 0
    return moved


def write_dance_video(root, split, name, frames, background=(40, 90, 160), with_masks=False):
    """One video of ``frames`` frames under ``<root>/<split>``; returns the frame folder."""
    folders = {kind: os.path.join(root, split, f"train_{kind}", name) for kind in ("A", "video2d", "alphapose", "C")}
    for kind, folder in folders.items():
        if kind != "C" or with_masks:
            os.makedirs(folder, exist_ok=True)
    height, width = FRAME_SIZE
    for frame in range(frames):
        picture = np.empty((height, width, 3), dtype=np.uint8)
        picture[:] = background
        picture[:, :, 0] = np.arange(width) * 4 + frame  # a horizontal ramp: frames differ
        x, y = clean_joints(frame)[LEFT_WRIST].astype(int)
        picture[y - 2:y + 2, x - 2:x + 2] = MARKER
        Image.fromarray(picture).save(os.path.join(folders["A"], f"{frame:05d}.png"))
        write_skeleton(os.path.join(folders["video2d"], f"{frame:05d}.json"), clean_joints(frame))
        write_skeleton(os.path.join(folders["alphapose"], f"{frame:05d}.json"), noisy_joints(frame),
                       scores=np.full(18, 0.8))
        if with_masks:
            mask = np.zeros((height, width), dtype=np.uint8)
            mask[8:58, 10 + frame:38 + frame] = 255
            Image.fromarray(mask).save(os.path.join(folders["C"], f"{frame:05d}.png"))
    return folders["A"]


def write_test_list(path, rows):
    """A test list CSV; ``rows``: (gen frame folder, ref frame folder, number of ref frames) per video."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["A_paths", "B_paths_noise", "B_paths_clean"])
        for gen, ref, count in rows:
            writer.writerow([_cell(gen, ref, "train_A", count), _cell(gen, ref, "train_alphapose", count),
                             _cell(gen, ref, "train_video2d", count)])


def _cell(gen, ref, kind, count):
    files = {}
    for key, folder, limit in (("gen", gen, None), ("ref", ref, count)):
        folder = folder.replace("train_A", kind)
        files[key] = [os.path.join(folder, name) for name in sorted(os.listdir(folder))[:limit]]
    return repr(files)
