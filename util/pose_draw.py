"""Skeleton pictures from pose heatmaps (the original's ``pose_utils``, original: util/pose_utils.py).

Joints are the heatmap peaks (``map_to_cord``); the picture has anti-aliased white limbs
(``LIMB_SEQ``) under radius-2 discs in each joint's colour (``COLORS``) on black, as in the
original. A limb is drawn only when both of its joints are present.
"""
import numpy as np
from skimage.draw import disk, line_aa

from util.skeleton import COLORS, LIMB_SEQ, MISSING, NUM_JOINTS


def map_to_cord(heatmaps, threshold=0.1):
    """Locate one joint per heatmap channel.

    A channel's joint is the first position, in row-major order, holding the channel's maximum,
    provided that maximum is above ``threshold``; otherwise the joint is missing.

    Args:
        heatmaps: np.ndarray [C, H, W].
        threshold: a maximum at or below this means the joint is absent (default 0.1).
    Returns:
        np.ndarray int64 [C, 2] of [y, x]; both entries are ``MISSING`` (-1) for absent joints.
    """
    heatmaps = np.asarray(heatmaps)
    if heatmaps.ndim != 3:
        raise ValueError(f"heatmaps must be [C, H, W], got shape {heatmaps.shape}")
    channels, _, width = heatmaps.shape
    flat = heatmaps.reshape(channels, -1)
    peak_index = flat.argmax(axis=1)  # argmax returns the first maximum: row-major order
    peak_value = flat[np.arange(channels), peak_index]
    cords = np.stack([peak_index // width, peak_index % width], axis=1).astype(np.int64)
    cords[~(peak_value > threshold)] = MISSING
    return cords


def draw_pose_from_cords(cords, image_size, radius=2):
    """Draw a skeleton.

    Args:
        cords: array-like int [18, 2] of [y, x]; rows with a ``MISSING`` entry are not drawn.
        image_size: (H, W) of the picture.
        radius: joint disc radius in pixels (default 2).
    Returns:
        np.ndarray uint8 [H, W, 3]: white anti-aliased limbs, coloured joint discs, black elsewhere.
    """
    cords = np.asarray(cords)
    if cords.shape != (NUM_JOINTS, 2):
        raise ValueError(f"cords must be [{NUM_JOINTS}, 2] of [y, x], got shape {cords.shape}")
    height, width = image_size
    picture = np.zeros((height, width, 3), dtype=np.uint8)
    present = (cords != MISSING).all(axis=1)
    for start, end in LIMB_SEQ:
        if not (present[start] and present[end]):
            continue
        rows, cols, intensity = line_aa(*cords[start], *cords[end])
        inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
        picture[rows[inside], cols[inside]] = (intensity[inside, None] * 255).astype(np.uint8)
    # Discs after limbs, so a joint keeps its colour where limbs meet it.
    for joint in np.flatnonzero(present):
        rows, cols = disk(tuple(cords[joint]), radius, shape=(height, width))
        picture[rows, cols] = COLORS[joint]
    return picture


def draw_pose_from_map(heatmaps, threshold=0.1, radius=2):
    """Draw the skeleton of 18 joint heatmaps.

    Args:
        heatmaps: np.ndarray [18, H, W] (e.g. BP1 of a pair dataset, values in [0, 1]).
        threshold: see ``map_to_cord``.
        radius: see ``draw_pose_from_cords``.
    Returns:
        np.ndarray uint8 [H, W, 3].
    """
    heatmaps = np.asarray(heatmaps)
    if heatmaps.ndim != 3 or heatmaps.shape[0] != NUM_JOINTS:
        raise ValueError(f"heatmaps must be [{NUM_JOINTS}, H, W], got shape {heatmaps.shape}")
    return draw_pose_from_cords(map_to_cord(heatmaps, threshold), heatmaps.shape[1:], radius)
