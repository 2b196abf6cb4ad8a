"""Hand-made face landmarks and tiny face videos on disk for the face dataset tests."""
import os

import numpy as np
from PIL import Image

from data.face_landmarks import write_landmarks

FRAME_SIZE = (64, 64)  # (H, W) of the hand-made frames


def _rectangle_face():
    """68 (x, y) points on a 64x64 frame; every part polygon is an axis-aligned rectangle.

    Jaw 0..16: down from (10, 30) to (10, 50), along y = 50, up to (50, 30); the mirrored upper
    points then lie on y = 16, so the face polygon is the rectangle x 10..50, y 16..50.
    """
    points = {0: (10, 30), 1: (10, 50), 15: (50, 50), 16: (50, 30)}
    points.update({index: (x, 50) for index, x in zip(range(2, 15), (13, 16, 19, 21, 24, 27, 30, 33, 36, 39, 41, 44, 47))})
    points.update({17: (14, 20), 18: (22, 20), 19: (22, 23), 20: (14, 23), 21: (14, 22)})    # brow x 14..22, y 20..23
    points.update({22: (38, 20), 23: (46, 20), 24: (46, 23), 25: (38, 23), 26: (38, 22)})    # brow x 38..46, y 20..23
    points.update({27: (30, 24), 28: (28, 26), 29: (30, 30), 30: (30, 33)})                  # 27, 29, 30 unused
    points.update({31: (28, 36), 32: (30, 36), 33: (32, 36), 34: (32, 31), 35: (32, 26)})    # nose x 28..32, y 26..36
    points.update(zip(range(36, 42), ((14, 25), (18, 25), (22, 25), (22, 28), (18, 28), (14, 28))))  # eye x 14..22
    points.update(zip(range(42, 48), ((38, 25), (42, 25), (46, 25), (46, 28), (42, 28), (38, 28))))  # eye x 38..46
    points.update(zip(range(48, 55), ((20, 40), (23, 40), (27, 40), (30, 40), (33, 40), (37, 40), (40, 40))))
    points.update(zip(range(55, 60), ((40, 47), (35, 47), (30, 47), (25, 47), (20, 47))))  # lips x 20..40, y 40..47
    points.update(zip(range(60, 68), ((24, 42), (28, 42), (30, 42), (32, 42), (36, 42), (36, 45), (30, 45), (24, 45))))
    return np.array([points[index] for index in range(68)], dtype=np.float64)


RECTANGLE_FACE = _rectangle_face()
# pixels per label of RECTANGLE_FACE at 64x64: rectangles (inclusive bounds) minus the parts drawn over them
RECTANGLE_AREAS = {1: 41 * 35 - (2 * 9 * 4 + 5 * 11 + 2 * 9 * 4 + 21 * 8), 2: 2 * 9 * 4, 3: 5 * 11, 4: 2 * 9 * 4,
                   5: 21 * 8 - 13 * 4, 6: 13 * 4}
RECTANGLE_AREAS[0] = 64 * 64 - sum(RECTANGLE_AREAS.values())


def textured_frame(rng, size=FRAME_SIZE):
    """An RGB frame of high-contrast stripes and noise (Canny finds edges everywhere)."""
    rows, cols = np.indices(size)
    stripes = ((rows + 2 * cols) // 5 % 2 * 180 + 30)[..., None]
    return Image.fromarray(np.clip(stripes + rng.normal(0, 10, (*size, 3)), 0, 255).astype(np.uint8))


def write_face_video(root, phase, name, frames, landmark_lines=None, seed=0):
    """Write ``frames`` textured frames and shifted RECTANGLE_FACE landmark files of one video.

    ``landmark_lines``: write this many landmark lines per file instead of 68 (bad input).
    Returns (frame folder, landmark folder).
    """
    rng = np.random.default_rng(seed)
    frame_dir, landmark_dir = (os.path.join(root, f"{phase}_{kind}", name) for kind in ("data", "keypoints"))
    os.makedirs(frame_dir, exist_ok=True)
    os.makedirs(landmark_dir, exist_ok=True)
    for index in range(frames):
        textured_frame(rng).save(os.path.join(frame_dir, f"{index:05d}.png"))
        points = RECTANGLE_FACE + [index % 3, index % 2]
        path = os.path.join(landmark_dir, f"{index:05d}.txt")
        write_landmarks(path, points)
        if landmark_lines is not None:
            with open(path) as handle:
                lines = handle.readlines()
            with open(path, "w") as handle:
                handle.writelines(lines[:landmark_lines])
    return frame_dir, landmark_dir
