"""Skeleton structure channels against loop transcriptions of the original, and hand-made skeletons."""
import math

import numpy as np
import pytest

from data.affine import AffineParams
from data.skeleton_maps import (bone_image, keypoint_pictures, skeleton_coordinates, skeleton_heatmaps,
                                skeleton_structure, skeleton_vector, vector_coordinates)
from util.skeleton_formats import (COCO_17, HUMAN36M_17, LIMBS_COCO_17, LIMBS_HUMAN36M_17, OPENPOSE_18,
                                   OPENPOSE_18_TO_COCO_17, label_colormap)


def reference_coordinates(joints, frame_size, out_size, affine):
    """The original modify_coor, joint by joint: scale, then the inverse of the inverse affine matrix, int()."""
    xs, ys = [float(x) for x in joints[:, 0]], [float(y) for y in joints[:, 1]]
    for i in range(len(xs)):
        if xs[i] == 0 or ys[i] == 0:
            continue
        xs[i] = xs[i] / frame_size[1] * out_size[1]
        ys[i] = ys[i] / frame_size[0] * out_size[0]
    if affine is not None:
        center = (out_size[0] * 0.5 + 0.5, out_size[1] * 0.5 + 0.5)
        angle, scale = math.radians(affine.angle), 1.0 / affine.scale
        inverse = [scale * m for m in (math.cos(angle), math.sin(angle), 0, -math.sin(angle), math.cos(angle), 0)]
        tx, ty = affine.translate
        inverse[2] += inverse[0] * (-center[0] - tx) + inverse[1] * (-center[1] - ty) + center[0]
        inverse[5] += inverse[3] * (-center[0] - tx) + inverse[4] * (-center[1] - ty) + center[1]
        matrix = np.linalg.inv(np.array(inverse + [0, 0, 1]).reshape(3, 3))
        for i in range(len(xs)):
            if xs[i] == 0 or ys[i] == 0:
                continue
            moved = matrix @ np.array([xs[i], ys[i], 1.0])
            xs[i], ys[i] = int(moved[0]), int(moved[1])
    return np.array([ys, xs])


def reference_heatmaps(coordinates, out_size, sigma=6):
    """The original obtain_map: one float64 Gaussian per present joint."""
    result = np.zeros((coordinates.shape[1],) + tuple(out_size))
    xx, yy = np.meshgrid(np.arange(out_size[1]), np.arange(out_size[0]))
    for i, (y, x) in enumerate(coordinates.T):
        if x != 0 and y != 0:
            result[i] = np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / (2 * sigma ** 2))
    return result


def random_joints(rng, frame_size, count=17):
    joints = np.stack([rng.uniform(1, frame_size[1], count), rng.uniform(1, frame_size[0], count),
                       rng.uniform(0, 1, count)], axis=1)
    joints[3, 0] = 0
    joints[5, 1] = 0
    joints[7, :2] = 0  # joints 3, 5, 7: missing in x, y or both
    return joints


@pytest.mark.parametrize("affine", [None, AffineParams(4.3, (-12.5, 2.25), 1.013), AffineParams(-3.1, (0.0, 0.0), 1.0)])
def test_coordinates_and_heatmaps_match_the_original(affine):
    rng = np.random.default_rng(1)
    joints = random_joints(rng, (120, 90))
    coordinates = skeleton_coordinates(joints, (120, 90), (64, 64), affine)
    expected = reference_coordinates(joints, (120, 90), (64, 64), affine)
    np.testing.assert_array_equal(coordinates, expected)
    assert coordinates[1, 3] == 0 and coordinates[0, 3] == joints[3, 1]  # a missing joint keeps its raw values
    if affine is None:
        assert (coordinates[:, [0, 1, 2]] % 1 != 0).all()  # no truncation without augmentation
    heatmaps = skeleton_heatmaps(coordinates, (64, 64))
    assert heatmaps.dtype == np.float32 and heatmaps.shape == (17, 64, 64)
    assert np.abs(heatmaps - reference_heatmaps(expected, (64, 64))).max() < 1e-6
    assert not heatmaps[[3, 5, 7]].any() and heatmaps[[0, 1, 2]].max() > 0.95


def test_joint_truncated_onto_row_zero_drops_out():
    joints = np.array([[10.0, 0.4, 1.0]] + [[20.0, 20.0, 1.0]] * 16)
    coordinates = skeleton_coordinates(joints, (32, 32), (32, 32), AffineParams(0.0, (0.0, 0.0), 1.0))
    assert coordinates[0, 0] == 0 and not skeleton_heatmaps(coordinates, (32, 32))[0].any()


def hand_made(points):
    """(y, x) [2, 17] coordinates from {joint: (x, y)}; the other joints missing."""
    coordinates = np.zeros((2, 17))
    for joint, (x, y) in points.items():
        coordinates[:, joint] = (y, x)
    return coordinates


def test_bone_image_draws_limbs_grey_and_joints_in_label_colours():
    hip, right_hip, right_knee = (HUMAN36M_17.index(name) for name in ("Hip", "RHip", "RKnee"))
    coordinates = hand_made({hip: (16, 10), right_hip: (16.7, 20.9), right_knee: (25, 20)})
    bones = bone_image(coordinates, (32, 32), LIMBS_HUMAN36M_17)
    assert bones.dtype == np.float32 and bones.shape == (3, 32, 32)
    assert set(np.unique(bones)) <= set(range(256)) and bones.max() == 255
    colours = label_colormap(17)
    assert (colours[:3] == [(0, 0, 0), (128, 0, 0), (0, 128, 0)]).all()
    picture = bones.transpose(1, 2, 0)
    assert (picture[20, 16] == colours[right_hip]).all()  # coordinates are truncated: (16.7, 20.9) -> (16, 20)
    assert (picture[20, 25] == colours[right_knee]).all()
    assert (picture[10, 16] == 0).all() and (picture[11, 16] == 0).all()  # the hip's disc is black, over its limb
    assert (picture[13:18, 16] == 255).all() and (picture[20, 19:23] == 255).all()  # limbs: grey, full intensity
    assert not picture[26:, :].any() and not picture[:, :13].any()  # nothing else: the other joints are missing


def test_bone_limb_needs_both_joints_and_is_clamped_to_the_border():
    coordinates = hand_made({0: (5, 5), 7: (5, 40), 8: (-8, 3)})  # Hip -> Spine leaves the bottom; Thorax left of it
    picture = bone_image(coordinates, (32, 32), LIMBS_HUMAN36M_17).transpose(1, 2, 0)
    assert (picture[8:31, 5] == 255).all()
    assert picture[31, 5].min() > 0  # the part below the picture is clamped onto its last row (last write wins)
    # Spine -> Thorax: from (40, 5) to (3, -8): clamped onto the last row and the first column
    assert picture[3, 0].max() > 0
    assert not picture[:, 20:].any()


def test_structure_channels_and_ranges():
    coco = hand_made({COCO_17.index("LShoulder"): (10, 10), COCO_17.index("LElbow"): (10, 20)})
    structure = skeleton_structure(coco, (32, 32), LIMBS_COCO_17)
    assert structure.shape == (20, 32, 32) and structure.dtype == np.float32
    assert structure[:17].max() == 1.0 and structure[:17].min() >= 0
    lit = [channel for channel in range(17) if structure[channel].any()]
    assert lit == [COCO_17.index("LShoulder"), COCO_17.index("LElbow")]
    assert structure[COCO_17.index("LShoulder"), 10, 10] == 1.0
    assert structure[17:, 15, 10].tolist() == [255, 255, 255]  # the upper arm limb
    assert skeleton_structure(coco, (32, 32), LIMBS_COCO_17, with_bones=False).shape == (17, 32, 32)
    assert not skeleton_structure(None, (32, 32), LIMBS_COCO_17).any()
    assert skeleton_structure(None, (32, 32), LIMBS_COCO_17, with_bones=False).shape == (17, 32, 32)


def test_keypoint_vector():
    coordinates = hand_made({0: (8, 24), 16: (31, 0.5)})
    vector = skeleton_vector(coordinates, (32, 64))
    assert vector.dtype == np.float32 and vector.shape == (34, 1)
    assert vector[0, 0] == 2 * 24 / 32 - 1 and vector[17, 0] == 2 * 8 / 64 - 1  # y rows by the height, x by the width
    assert vector[16, 0] == np.float32(2 * 0.5 / 32 - 1) and vector[33, 0] == np.float32(2 * 31 / 64 - 1)
    assert vector[1, 0] == -1 and vector[18, 0] == -1  # a missing joint
    assert not skeleton_vector(None, (32, 32)).any()  # nobody in the frame: zeros, as the original


def test_vector_coordinates_invert_the_vector_as_the_original_drew_it():
    vectors = np.full((34, 3), -1.0, dtype=np.float32)  # -1: row or column 0, which reads as missing
    vectors[0, 0], vectors[17, 0] = 2 * 24.7 / 32 - 1, 2 * 8 / 64 - 1  # y 24.7 (height 32), x 8 (width 64)
    vectors[1, 1], vectors[18, 1] = 1.5, -1.5  # below the picture, left of it
    vectors[2, 2], vectors[19, 2] = 0.999, 0.999
    pixels = vector_coordinates(vectors, (32, 64))
    assert pixels.dtype == np.int64 and pixels.shape == (3, 2, 17)
    assert pixels[0, :, 0].tolist() == [24, 8]  # truncated
    assert pixels[1, :, 1].tolist() == [31, 0] and pixels[2, :, 2].tolist() == [31, 63]  # clipped to the picture
    assert not pixels[0, :, 1:].any()


def test_keypoint_pictures_draw_each_frame_with_radius_3_joints():
    coordinates = hand_made({0: (16, 10), 1: (16, 20)})  # Hip -> RHip
    vectors = np.concatenate([skeleton_vector(coordinates, (32, 32))] * 2, axis=1)
    pictures = keypoint_pictures(vectors, LIMBS_HUMAN36M_17, (32, 32))
    assert len(pictures) == 2 and pictures[0].dtype == np.uint8 and pictures[0].shape == (32, 32, 3)
    expected = bone_image(coordinates, (32, 32), LIMBS_HUMAN36M_17, radius=3).transpose(1, 2, 0)
    np.testing.assert_array_equal(pictures[1], expected)
    assert (pictures[0][20, 16] == label_colormap(17)[1]).all() and (pictures[0][22, 16] == label_colormap(17)[1]).all()


def test_openpose_to_coco_order():
    assert len(OPENPOSE_18_TO_COCO_17) == 17 and OPENPOSE_18.index("Neck") not in OPENPOSE_18_TO_COCO_17
    assert [OPENPOSE_18[index] for index in OPENPOSE_18_TO_COCO_17] == list(COCO_17)
    assert len(LIMBS_HUMAN36M_17) == len(LIMBS_COCO_17) == 16
