"""Body masks from 18 keypoints for Mask-SSIM and Mask-LPIPS (PG2's ``produce_ma_mask``).

original: util/pose_utils.py; script/metrics.py, LPIPS: the union of a polygon of half-width 4 around each of the 23 mask
limbs whose two joints are present and a disc of radius 4 around each present joint, closed by a
5x5 dilation followed by a 5x5 erosion (reflecting borders, as scikit-image's grey morphology
always did). Keypoints are (row, column) pixels of the image the mask is for.

One deliberate difference: a limb whose two joints coincide has no direction and the original
crashed on its NaN polygon; it is skipped here (its joint disc covers it).
"""
import numpy as np
from skimage.draw import disk, polygon
from skimage.morphology import dilation, erosion

from data.annotations import read_annotations
from script.metrics_lib.matching import listing
from util.errors import BadInputError
from util.skeleton import MASK_LIMBS, MISSING, NUM_JOINTS

_CLOSING_FOOTPRINT = np.ones((5, 5), dtype=bool)


def body_mask(keypoints, image_size, radius=4):
    """Draw the body mask of one person.

    Args:
        keypoints: int array [18, 2] of (y, x) pixels, ``-1`` for a missing joint.
        image_size: (height, width) of the mask.
        radius: polygon half-width and disc radius, 4 in the papers.
    Returns:
        np.ndarray bool [H, W].
    """
    keypoints = np.asarray(keypoints)
    if keypoints.shape != (NUM_JOINTS, 2):
        raise ValueError(f"keypoints must have shape ({NUM_JOINTS}, 2) as (y, x) rows, "
                         f"got {keypoints.shape}")
    shape = tuple(image_size)
    present = (keypoints != MISSING).all(axis=1)
    points = keypoints.astype(np.float64)
    mask = np.zeros(shape, dtype=bool)
    for start, end in MASK_LIMBS:
        if not (present[start] and present[end]):
            continue
        direction = points[start] - points[end]
        length = np.linalg.norm(direction)
        if length == 0:
            continue
        normal = radius * np.array([-direction[1], direction[0]]) / length
        corners = np.stack([points[start] + normal, points[start] - normal,
                            points[end] - normal, points[end] + normal])
        rows, cols = polygon(corners[:, 0], corners[:, 1], shape=shape)
        mask[rows, cols] = True
    for joint in np.flatnonzero(present):
        rows, cols = disk(tuple(points[joint]), radius, shape=shape)
        mask[rows, cols] = True
    return erosion(dilation(mask, _CLOSING_FOOTPRINT), _CLOSING_FOOTPRINT)


def target_keypoints(annotation_path, pairs):
    """The keypoints of every pair's target, read from an annotation CSV.

    Args:
        annotation_path: e.g. ``market-annotation-test.csv`` (``--annotation_path``).
        pairs: list[matching.ImagePair].
    Returns:
        dict target file name -> int array [18, 2] of (y, x).
    """
    annotations = read_annotations(annotation_path)
    targets = sorted({pair.target_name for pair in pairs})
    missing = [name for name in targets if name not in annotations]
    if missing:
        raise BadInputError(f"--annotation_path {annotation_path!r} has no keypoints for "
                         f"{len(missing)} of the {len(targets)} targets:{listing(missing)}")
    return {name: annotations[name] for name in targets}
