"""Animation skeletons -> structure channels and keypoint vectors, and keypoint vectors -> skeleton pictures
(original: util/openpose_utils.py, obtain_2d_cords, obtain_map, draw_joint, tensor2skeleton;
data/dance_dataset.py, DanceDataset.load_skeleton and load_keypoint).

A frame's skeleton becomes ``STRUCTURE_CHANNELS`` = 20 channels: one Gaussian heatmap per joint
(17, in [0, 1], sigma 6 pixels of the loaded image) and an RGB bone image (3, in [0, 255], not
normalised: a quirk of the original that the trained models expect). Coordinates follow the
original exactly: joints are scaled from the frame's size to the loaded size; under an affine
augmentation they are moved by the image's transform and truncated toward zero, without one
they stay fractional (heatmap peaks between pixels); the bone image truncates them. A coordinate
equal to 0 marks a missing joint at every step (so a joint truncated onto row or column 0 drops
out, as in the original).

Deliberate difference: the original clamped limb pixels beyond the bottom/right border onto it but
let negative ones wrap around to the far side of the picture (and fail below -H); here they are
clamped onto the top/left border alike.
"""
import numpy as np
from skimage.draw import disk, line_aa

from data.affine import augmentation_center, forward_affine_matrix
from data.heatmaps import gaussian_heatmaps
from util.skeleton_formats import MISSING_VALUE, label_colormap

NUM_JOINTS = 17
BONE_CHANNELS = 3
STRUCTURE_CHANNELS = NUM_JOINTS + BONE_CHANNELS
JOINT_RADIUS = 2
DRAWN_JOINT_RADIUS = 3  # joints of the skeleton pictures drawn from keypoint vectors


def skeleton_coordinates(joints, frame_size, out_size, affine=None):
    """Joint positions in the loaded (and augmented) image.

    Args:
        joints: [J, >=2] (x, y, ...) in the frame's pixels; 0 marks a missing coordinate.
        frame_size: (h, w) of the frame the coordinates refer to.
        out_size: (H, W) of the loaded image.
        affine: optional data.affine.AffineParams of the image's augmentation.
    Returns:
        float64 array [2, J] of rows (y, x). A joint with a 0 coordinate keeps its raw values; the
        others are scaled, then (with ``affine``) moved and truncated toward zero.
    """
    joints = np.asarray(joints, dtype=np.float64)
    x, y = joints[:, 0].copy(), joints[:, 1].copy()
    present = (x != MISSING_VALUE) & (y != MISSING_VALUE)
    # divide, then multiply, as the original (the same floats reach the truncation)
    x[present] = x[present] / frame_size[1] * out_size[1]
    y[present] = y[present] / frame_size[0] * out_size[0]
    if affine is not None:
        matrix = forward_affine_matrix(affine, augmentation_center(out_size[1], out_size[0]))
        moved_x = matrix[0, 0] * x + matrix[0, 1] * y + matrix[0, 2]
        moved_y = matrix[1, 0] * x + matrix[1, 1] * y + matrix[1, 2]
        x[present], y[present] = np.trunc(moved_x[present]), np.trunc(moved_y[present])
    return np.stack([y, x])


def skeleton_heatmaps(coordinates, out_size):
    """float32 [J, H, W] Gaussians (sigma 6) at the (y, x) ``coordinates`` [2, J]; zero for missing joints."""
    present = (coordinates != MISSING_VALUE).all(axis=0)
    return gaussian_heatmaps(coordinates.T, present, out_size)


def bone_image(coordinates, out_size, limbs, radius=JOINT_RADIUS):
    """The skeleton drawn as in the original: float32 [3, H, W] with values in [0, 255].

    Limbs are anti-aliased lines of grey ``intensity * 255`` (truncated to integers) on every
    channel; joints are discs of ``radius`` in the VOC label colours (joint 0 black), drawn over
    them. Coordinates are truncated to integers first.
    """
    pixels = coordinates.astype(np.int64)
    present = (pixels != MISSING_VALUE).all(axis=0)
    height, width = out_size
    picture = np.zeros((height, width, 3), dtype=np.uint8)
    for start, end in limbs:
        if not (present[start] and present[end]):
            continue
        rows, cols, intensity = line_aa(pixels[0, start], pixels[1, start], pixels[0, end], pixels[1, end])
        rows, cols = np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1)
        picture[rows, cols] = (intensity[:, None] * 255).astype(np.uint8)
    colours = label_colormap(pixels.shape[1])
    for joint in np.flatnonzero(present):
        rows, cols = disk((pixels[0, joint], pixels[1, joint]), radius, shape=(height, width))
        picture[rows, cols] = colours[joint]
    return picture.transpose(2, 0, 1).astype(np.float32)


def skeleton_structure(coordinates, out_size, limbs, with_bones=True):
    """The structure channels of one frame: float32 [20, H, W] (17 heatmaps, 3 bone channels).

    Args:
        coordinates: [2, 17] (y, x) from ``skeleton_coordinates``, or None (nobody in the frame:
            all channels zero).
        out_size: (H, W).
        limbs: the limb list of the joint order (util.skeleton_formats).
        with_bones: False leaves out the bone image ([17, H, W], ``--no_bone_map``).
    """
    channels = STRUCTURE_CHANNELS if with_bones else NUM_JOINTS
    if coordinates is None:
        return np.zeros((channels,) + tuple(out_size), dtype=np.float32)
    heatmaps = skeleton_heatmaps(coordinates, out_size)
    if not with_bones:
        return heatmaps
    return np.concatenate([heatmaps, bone_image(coordinates, out_size, limbs)])


def skeleton_vector(coordinates, out_size):
    """One frame's keypoint column, float32 [34, 1]: 17 y then 17 x, as ``2 p / size - 1``.

    None (nobody in the frame) gives zeros, as the original (a missing joint gives -1).
    The original divided both rows by the width; here y is divided by the height (equal for the
    square images the original could load).
    """
    if coordinates is None:
        return np.zeros((2 * NUM_JOINTS, 1), dtype=np.float32)
    size = np.array(out_size, dtype=np.float32)[:, None]
    vector = np.float32(2) * coordinates.astype(np.float32) / size - np.float32(1)
    return vector.reshape(2 * NUM_JOINTS, 1)


def vector_coordinates(vectors, out_size):
    """Pixel coordinates of keypoint columns, as the original drew them (original: util/openpose_utils.py,
    tensor2skeleton.denormlize).

    Args:
        vectors: [34, T] (17 y then 17 x rows, ``2 p / size - 1``), array or tensor.
        out_size: (H, W) of the picture.
    Returns:
        int64 array [T, 2, 17] of rows (y, x): ``(v + 1) / 2 * size`` truncated toward zero and
        clipped to the picture, so that a joint off its top or left edge lands on 0, which reads as
        missing. The original scaled both rows by the width (equal for its square pictures).
    """
    vectors = np.asarray(vectors.detach().cpu() if hasattr(vectors, "detach") else vectors, dtype=np.float32)
    frames = vectors.T.reshape(-1, 2, NUM_JOINTS)
    size = np.array(out_size, dtype=np.float32)[:, None]
    pixels = ((frames + np.float32(1)) / np.float32(2) * size).astype(np.int64)
    return np.clip(pixels, 0, np.array(out_size)[:, None] - 1)


def keypoint_pictures(vectors, limbs, out_size):
    """Each frame of keypoint columns [34, T] drawn as a skeleton (``bone_image`` with radius-3
    joints, on black): a list of T uint8 arrays [H, W, 3] (original: util/openpose_utils.py, tensor2skeleton)."""
    return [bone_image(frame, out_size, limbs, DRAWN_JOINT_RADIUS).transpose(1, 2, 0).astype(np.uint8)
            for frame in vector_coordinates(vectors, out_size)]
