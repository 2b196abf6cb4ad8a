"""Keypoints -> 18-channel Gaussian heatmaps, as the original ``cords_to_map`` (original: util/pose_utils.py).

Kept quirks (they define the trained models): the joint position is truncated with ``int()``
(toward zero) after scaling and the affine, so the peak is exactly 1 at an integer pixel; sigma is
6 pixels of the resized image; a joint moved outside the image still leaves the visible tail of its
Gaussian; a joint with either coordinate -1 gives an all-zero channel.

The pair datasets deliver each pose as the heatmaps' two factors (``factored_heatmaps``) and the
model expands them after moving them to its device (``pose_heatmaps``): a DeepFashion batch of 8
would otherwise carry 75 MB of heatmaps from the loader's workers, for 0.6 MB of factors.
"""
from collections.abc import Mapping

import numpy as np
import torch

from util.skeleton import MISSING

SIGMA = 6.0
FACTOR_KEYS = ("rows", "cols")  # the keys of a factored heatmap (``factored_heatmaps``)
POSE_KEYS = ("BP1", "BP2")  # the pair datasets' poses


def keypoint_pixels(keypoints, image_size, annotation_size, affine_matrix=None):
    """Integer pixel (row, col) of each joint in the resized (and warped) image.

    Args:
        keypoints: int array [J, 2] of (y, x) in the annotation frame, -1 = missing.
        image_size: (H, W) of the resized image.
        annotation_size: (h, w) of the annotation frame (``--old_size``).
        affine_matrix: optional forward 3x3 matrix acting on (x, y, 1) in resized-image pixels.

    Returns:
        (pixels, present): int64 array [J, 2] of (row, col), truncated toward zero (meaningless
        where not present), and bool array [J] of joints with neither coordinate missing.
    """
    keypoints = np.asarray(keypoints)
    present = (keypoints[:, 0] != MISSING) & (keypoints[:, 1] != MISSING)
    # Divide before multiplying, as the original, so that truncation sees the same floats.
    y = keypoints[:, 0].astype(np.float64) / annotation_size[0] * image_size[0]
    x = keypoints[:, 1].astype(np.float64) / annotation_size[1] * image_size[1]
    if affine_matrix is not None:
        m = np.asarray(affine_matrix, dtype=np.float64)
        x, y = m[0, 0] * x + m[0, 1] * y + m[0, 2], m[1, 0] * x + m[1, 1] * y + m[1, 2]
    pixels = np.stack([np.trunc(y), np.trunc(x)], axis=1).astype(np.int64)
    return pixels, present


def keypoints_to_heatmaps(keypoints, image_size, annotation_size, affine_matrix=None, sigma=SIGMA):
    """Gaussian heatmaps of the joints, ``exp(-((r - row)^2 + (c - col)^2) / (2 sigma^2))``.

    Args:
        keypoints: int array [J, 2] of (y, x) in the annotation frame, -1 = missing.
        image_size: (H, W) of the resized image.
        annotation_size: (h, w) of the annotation frame.
        affine_matrix: optional forward 3x3 matrix on (x, y, 1) (see ``data.affine``).
        sigma: Gaussian standard deviation in pixels (default 6, the original's).

    Returns:
        float32 array [J, H, W] in [0, 1]; missing joints give zero channels.
    """
    return outer_product(*keypoints_to_heatmap_factors(keypoints, image_size, annotation_size, affine_matrix, sigma))


def keypoints_to_heatmap_factors(keypoints, image_size, annotation_size, affine_matrix=None, sigma=SIGMA):
    """``keypoints_to_heatmaps`` as its two factors (rows [J, H], cols [J, W]; see ``gaussian_factors``)."""
    pixels, present = keypoint_pixels(keypoints, image_size, annotation_size, affine_matrix)
    return gaussian_factors(pixels, present, image_size, sigma)


def gaussian_heatmaps(centers, present, image_size, sigma=SIGMA):
    """One Gaussian per joint, ``exp(-((r - row)^2 + (c - col)^2) / (2 sigma^2))``, zero for absent joints.

    Args:
        centers: [J, 2] (row, col) of the peaks in pixels (integers or floats).
        present: bool [J]; absent joints give all-zero channels.
        image_size: (H, W).
        sigma: standard deviation in pixels.

    Returns:
        float32 array [J, H, W] in [0, 1].
    """
    return outer_product(*gaussian_factors(centers, present, image_size, sigma))


def gaussian_factors(centers, present, image_size, sigma=SIGMA):
    """The row and column Gaussians whose float32 outer product is ``gaussian_heatmaps``.

    The 2-D Gaussian factorises into a row and a column Gaussian: J*(H+W) exponentials instead of
    J*H*W (the peak stays exactly 1.0 = 1.0 * 1.0), and J*(H+W) floats to pass around instead of
    J*H*W. Absent joints have all-zero rows.

    Returns:
        (rows float32 [J, H], cols float32 [J, W]).
    """
    centers = np.asarray(centers)
    height, width = image_size
    rows = np.arange(height)[None, :] - centers[:, :1]
    cols = np.arange(width)[None, :] - centers[:, 1:]
    row_gauss = (np.exp(-(rows ** 2) / (2.0 * sigma ** 2)) * np.asarray(present)[:, None]).astype(np.float32)
    col_gauss = np.exp(-(cols ** 2) / (2.0 * sigma ** 2)).astype(np.float32)
    return row_gauss, col_gauss


def outer_product(rows, cols):
    """Heatmaps [..., J, H, W] from their factors rows [..., J, H] and cols [..., J, W] (numpy
    arrays or tensors). One float32 multiply per pixel, rounded the same on every device, so the
    heatmaps are bitwise the same wherever they are expanded."""
    return rows[..., :, None] * cols[..., None, :]


def pose_heatmaps(pose, device=None):
    """The heatmap tensor a batch (or sample) holds under a pose key, on ``device``: the pair
    datasets give ``{"rows": ..., "cols": ...}`` factors (``factored_heatmaps``), expanded here
    after the move, so the loader passes J*(H+W) floats per pose instead of J*H*W; a tensor is
    taken as it is."""
    if isinstance(pose, Mapping):
        return outer_product(*(pose[key].to(device, non_blocking=True) for key in FACTOR_KEYS))
    return pose.to(device, non_blocking=True)


def expand_poses(batch, device=None):
    """A pair dataset's item or batch with its poses (``POSE_KEYS``) as heatmap tensors (on
    ``device``; the other entries as they are): what to look at or compare."""
    return {key: pose_heatmaps(value, device) if key in POSE_KEYS else value for key, value in batch.items()}


def factored_heatmaps(keypoints, image_size, annotation_size, affine_matrix=None, sigma=SIGMA):
    """``keypoints_to_heatmaps`` as the pair datasets deliver it: ``{"rows": [J, H], "cols": [J, W]}``
    float32 tensors, expanded by ``pose_heatmaps``."""
    factors = keypoints_to_heatmap_factors(keypoints, image_size, annotation_size, affine_matrix, sigma)
    return {key: torch.from_numpy(factor) for key, factor in zip(FACTOR_KEYS, factors)}
