"""The COCO -> OpenPose joint mapping, against a written-out table and the released annotations."""
import os

import numpy as np
import pytest
from torchvision.models.detection import KeypointRCNN_ResNet50_FPN_Weights

from data.coco_keypoints import (COCO_INDEX_OF_JOINT, COCO_JOINT_NAMES, NECK, most_confident_person,
                                 openpose_from_coco)
from tests.paths import REAL_SAMPLES
from util.skeleton import JOINT_NAMES

from .fakes import CONFIDENT, OPENPOSE_OF_COCO, UNSURE, real_samples

needs_real_samples = pytest.mark.skipif(not os.path.isdir(REAL_SAMPLES), reason=f"no real samples at {REAL_SAMPLES}")


def test_coco_order_is_the_detectors():
    assert COCO_JOINT_NAMES == tuple(KeypointRCNN_ResNet50_FPN_Weights.COCO_V1.meta["keypoint_names"])


def test_mapping_by_name_equals_the_written_out_table():
    for coco, openpose in enumerate(OPENPOSE_OF_COCO):
        assert COCO_INDEX_OF_JOINT[openpose] == coco, f"OpenPose joint {openpose} should be COCO joint {coco}"
    assert COCO_INDEX_OF_JOINT[NECK] == -1 and sorted(OPENPOSE_OF_COCO) == [j for j in range(18) if j != NECK]


@needs_real_samples
@pytest.mark.parametrize("dataset", ["market", "fashion"])
def test_released_eyes_and_ears_sit_on_the_side_of_their_shoulder(dataset):
    """util.skeleton's names, on which the mapping rests: in the released annotations the right
    eye and ear lie on the image side of the right shoulder (back views aside)."""
    _, annotations = real_samples(dataset)
    shoulders = [JOINT_NAMES.index(f"{side}_shoulder") for side in ("right", "left")]
    for part in ("eye", "ear"):
        right, left = (JOINT_NAMES.index(f"{side}_{part}") for side in ("right", "left"))
        same = [np.sign(kp[right, 1] - kp[left, 1]) == np.sign(kp[shoulders[0], 1] - kp[shoulders[1], 1])
                for kp in annotations.values() if (kp[[*shoulders, right, left]] >= 0).all()
                and kp[right, 1] != kp[left, 1] and kp[shoulders[0], 1] != kp[shoulders[1], 1]]
        assert len(same) > 20 and np.mean(same) > 0.8, (dataset, part, np.mean(same))


def coco_person(yx_by_openpose, present):
    """COCO keypoints (x, y) [17, 2] and scores [17] from OpenPose-ordered (y, x) points."""
    yx = np.asarray(yx_by_openpose, dtype=np.float64)
    keypoints = yx[list(OPENPOSE_OF_COCO), ::-1]
    scores = np.where(np.asarray(present)[list(OPENPOSE_OF_COCO)], CONFIDENT, UNSURE)
    return keypoints, scores


def test_joints_come_back_in_openpose_order_with_the_neck_between_the_shoulders():
    rng = np.random.default_rng(0)
    yx = rng.uniform(0, 100, size=(18, 2))
    present = np.ones(18, dtype=bool)
    present[[3, 16]] = False
    joints = openpose_from_coco(*coco_person(yx, present))
    for joint in range(18):
        if joint == NECK:
            np.testing.assert_allclose(joints[joint], (yx[2] + yx[5]) / 2)
        elif present[joint]:
            np.testing.assert_allclose(joints[joint], yx[joint])
        else:
            assert np.isnan(joints[joint]).all()


def test_no_neck_without_both_shoulders_and_threshold_is_exclusive():
    yx = np.arange(36, dtype=np.float64).reshape(18, 2)
    keypoints, scores = coco_person(yx, np.ones(18, dtype=bool))
    scores[COCO_JOINT_NAMES.index("left_shoulder")] = 2.0
    joints = openpose_from_coco(keypoints, scores, threshold=2.0)
    assert np.isnan(joints[5]).all() and np.isnan(joints[NECK]).all()
    assert not np.isnan(openpose_from_coco(keypoints, scores, threshold=1.9)[NECK]).any()


def test_wrong_shapes_are_refused():
    with pytest.raises(ValueError, match=r"\[17, 2\]"):
        openpose_from_coco(np.zeros((18, 2)), np.zeros(18))


def test_most_confident_person():
    assert most_confident_person(np.array([0.6, 0.9, 0.7])) == 1
    assert most_confident_person(np.zeros(0)) is None
