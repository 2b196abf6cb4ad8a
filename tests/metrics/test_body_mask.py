"""Body masks: limb capsules of radius 4 at the right place, joint discs, closing, missing joints."""
import numpy as np
import pytest

from script.metrics_lib.body_mask import body_mask, target_keypoints
from script.metrics_lib.matching import ImagePair
from util.skeleton import MASK_LIMBS

from .helpers import MARKET_ANNOTATIONS, real_market

NECK, RIGHT_SHOULDER, RIGHT_WRIST, LEFT_WRIST = 1, 2, 4, 7


def _keypoints(**joints):
    keypoints = np.full((18, 2), -1)
    for joint, (y, x) in joints.items():
        keypoints[int(joint.lstrip("j"))] = (y, x)
    return keypoints


def _distance_to_segment(shape, start, end):
    rows, cols = np.indices(shape)
    points = np.stack([rows, cols], axis=-1).astype(float)
    start, end = np.asarray(start, float), np.asarray(end, float)
    t = np.clip(((points - start) @ (end - start)) / np.sum((end - start) ** 2), 0, 1)
    return np.linalg.norm(points - (start + t[..., None] * (end - start)), axis=-1)


@pytest.mark.parametrize("start, end", [((20, 10), (20, 50)), ((10, 30), (100, 30)), ((15, 12), (90, 50))])
def test_a_limb_is_a_capsule_of_radius_4_in_y_x_order(start, end):
    assert (NECK, RIGHT_SHOULDER) in MASK_LIMBS
    mask = body_mask(_keypoints(j1=start, j2=end), (128, 64))
    distance = _distance_to_segment((128, 64), start, end)
    assert mask.dtype == bool and mask.shape == (128, 64)
    assert mask[distance <= 3.5].all(), "a pixel near the limb is outside the mask"
    assert not mask[distance > 5].any(), "a pixel far from the limb is inside the mask"


def test_unconnected_joints_get_discs_and_the_closing_bridges_a_one_pixel_gap():
    assert (RIGHT_WRIST, LEFT_WRIST) not in MASK_LIMBS and (LEFT_WRIST, RIGHT_WRIST) not in MASK_LIMBS
    # Discs of radius 4 at columns 10 and 20 leave column 15 empty; the 5x5 closing fills it.
    mask = body_mask(_keypoints(j4=(30, 10), j7=(30, 20)), (64, 32))
    assert mask[30, 10] and mask[30, 20] and mask[30, 15]
    apart = body_mask(_keypoints(j4=(30, 5), j7=(30, 25)), (64, 32))
    assert not apart[30, 15], "discs 20 px apart must stay separate"
    np.testing.assert_array_equal(apart, body_mask(_keypoints(j4=(30, 5)), (64, 32))
                                  | body_mask(_keypoints(j7=(30, 25)), (64, 32)))


def test_missing_joints_are_left_out():
    assert not body_mask(np.full((18, 2), -1), (128, 64)).any()
    # A joint with one coordinate -1 is missing, and so is every limb through it.
    half_missing = body_mask(_keypoints(j1=(20, 30), j2=(-1, 30)), (128, 64))
    np.testing.assert_array_equal(half_missing, body_mask(_keypoints(j1=(20, 30)), (128, 64)))


def test_coincident_joints_do_not_crash():
    np.testing.assert_array_equal(body_mask(_keypoints(j1=(20, 30), j2=(20, 30)), (128, 64)),
                                  body_mask(_keypoints(j1=(20, 30)), (128, 64)))


def test_bad_keypoint_shape_is_rejected():
    with pytest.raises(ValueError, match=r"keypoints must have shape \(18, 2\).*got \(17, 2\)"):
        body_mask(np.zeros((17, 2)), (128, 64))


def test_real_market_masks_cover_the_annotated_joints():
    real_market()
    pairs = [ImagePair("generated.jpg", "/any/0007_c3s3_077419_03.jpg"),
             ImagePair("generated.jpg", "/any/0028_c6s1_002576_04.jpg")]
    keypoints = target_keypoints(MARKET_ANNOTATIONS, pairs)
    assert sorted(keypoints) == ["0007_c3s3_077419_03.jpg", "0028_c6s1_002576_04.jpg"]
    for joints in keypoints.values():
        mask = body_mask(joints, (128, 64))
        present = joints[(joints != -1).all(axis=1)]
        assert mask[present[:, 0], present[:, 1]].all()
        assert 0.1 < mask.mean() < 0.7, f"implausible body area {mask.mean():.2f}"


def test_targets_without_keypoints_are_listed():
    real_market()
    pairs = [ImagePair("g.jpg", "/any/0007_c3s3_077419_03.jpg"), ImagePair("g.jpg", "/any/nobody.jpg")]
    with pytest.raises(ValueError, match=r"no keypoints for 1 of the 2 targets: nobody.jpg$"):
        target_keypoints(MARKET_ANNOTATIONS, pairs)
