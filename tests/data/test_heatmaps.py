"""Keypoint heatmaps against a loop transcription of the original ``cords_to_map``, and their
factored form (what the pair datasets deliver) expanding to them bitwise on every device."""
import numpy as np
import pytest
import torch
from torch.utils.data import default_collate

from data.heatmaps import expand_poses, factored_heatmaps, keypoint_pixels, keypoints_to_heatmaps, pose_heatmaps


def reference_cords_to_map(keypoints, image_size, old_size, affine_matrix, sigma=6):
    """The original algorithm, joint by joint, in float64 (original: data/base_dataset.py, BaseDataset)."""
    result = np.zeros((len(keypoints),) + tuple(image_size))
    xx, yy = np.meshgrid(np.arange(image_size[1]), np.arange(image_size[0]))
    for i, (y, x) in enumerate(np.asarray(keypoints, dtype=float)):
        if y == -1 or x == -1:
            continue
        y, x = y / old_size[0] * image_size[0], x / old_size[1] * image_size[1]
        moved = affine_matrix @ np.array([x, y, 1.0])
        row, col = int(moved[1]), int(moved[0])
        result[i] = np.exp(-((yy - row) ** 2 + (xx - col) ** 2) / (2 * sigma ** 2))
    return result


def random_keypoints(rng, old_size):
    keypoints = np.stack([rng.integers(0, old_size[0], 18), rng.integers(0, old_size[1], 18)], axis=1)
    keypoints[[3, 7], 0] = -1
    keypoints[[5, 7], 1] = -1  # joints 3, 5, 7: missing in y, x or both
    return keypoints


@pytest.mark.parametrize("image_size, old_size", [((256, 256), (256, 176)), ((128, 64), (128, 64))])
def test_matches_reference_with_random_affine(image_size, old_size):
    rng = np.random.default_rng(0)
    keypoints = random_keypoints(rng, old_size)
    angle = np.radians(7.0)
    matrix = np.array([[np.cos(angle) * 1.04, -np.sin(angle) * 1.04, -3.3],
                       [np.sin(angle) * 1.04, np.cos(angle) * 1.04, 4.6], [0, 0, 1]])
    ours = keypoints_to_heatmaps(keypoints, image_size, old_size, matrix)
    expected = reference_cords_to_map(keypoints, image_size, old_size, matrix)
    assert ours.dtype == np.float32 and ours.shape == (18,) + image_size
    assert np.abs(ours - expected).max() < 1e-6
    assert not ours[[3, 5, 7]].any()
    assert expected[[0, 1, 2]].max() > 0.99  # the comparison covers real peaks


def test_peak_is_exactly_one_at_truncated_scaled_position():
    keypoints = np.full((18, 2), -1)
    keypoints[0] = (100, 57)  # fashion: x 57 * 256 / 176 = 82.9 -> column 82
    keypoints[1] = (255, 175)
    heatmaps = keypoints_to_heatmaps(keypoints, (256, 256), (256, 176))
    for joint, (row, col) in ((0, (100, 82)), (1, (255, 254))):
        assert heatmaps[joint].max() == 1.0
        assert np.unravel_index(heatmaps[joint].argmax(), (256, 256)) == (row, col)
        assert heatmaps[joint][row, col + 1] == pytest.approx(np.exp(-1 / 72), abs=1e-7)
    assert not heatmaps[2:].any()


def test_truncation_is_toward_zero_and_outside_joints_leave_tails():
    keypoints = np.full((18, 2), -1)
    keypoints[0] = (10, 10)
    shift = np.array([[1.0, 0, -12.7], [0, 1, 0.4], [0, 0, 1]])  # x = -2.7 -> int() gives -2, floor would give -3
    pixels, present = keypoint_pixels(keypoints, (32, 32), (32, 32), shift)
    assert tuple(pixels[0]) == (10, -2) and present[0] and not present[1:].any()
    heatmap = keypoints_to_heatmaps(keypoints, (32, 32), (32, 32), shift, sigma=3.0)[0]
    assert heatmap[10, 0] == pytest.approx(np.exp(-4 / 18), abs=1e-7)  # tail of a peak two pixels outside
    assert heatmap.max() < 1.0


def test_sigma_sets_the_width():
    keypoints = np.full((18, 2), -1)
    keypoints[4] = (20, 20)
    narrow = keypoints_to_heatmaps(keypoints, (40, 40), (40, 40), sigma=2.0)[4]
    wide = keypoints_to_heatmaps(keypoints, (40, 40), (40, 40))[4]
    assert narrow[20, 22] == pytest.approx(np.exp(-4 / 8), abs=1e-7)
    assert wide[20, 26] == pytest.approx(np.exp(-36 / 72), abs=1e-7)


def affine_case():
    rng = np.random.default_rng(1)
    angle = np.radians(-9.0)
    matrix = np.array([[np.cos(angle) * 0.97, -np.sin(angle) * 0.97, 5.2],
                       [np.sin(angle) * 0.97, np.cos(angle) * 0.97, -2.9], [0, 0, 1]])
    return random_keypoints(rng, (256, 176)), matrix


def test_factors_expand_bitwise_to_the_heatmaps_and_batch_as_factors():
    keypoints, matrix = affine_case()
    expected = torch.from_numpy(keypoints_to_heatmaps(keypoints, (256, 256), (256, 176), matrix))
    factors = factored_heatmaps(keypoints, (256, 256), (256, 176), matrix)
    assert factors["rows"].shape == (18, 256) and factors["cols"].shape == (18, 256)
    assert torch.equal(pose_heatmaps(factors), expected)
    batch = default_collate([{"BP1": factors, "P1_path": "a.jpg"}, {"BP1": factors, "P1_path": "b.jpg"}])
    assert batch["BP1"]["rows"].shape == (2, 18, 256)  # the loader carries 2 x 18 x (256 + 256) floats
    expanded = expand_poses(batch)
    assert torch.equal(expanded["BP1"], expected.expand(2, -1, -1, -1)) and expanded["P1_path"] == ["a.jpg", "b.jpg"]
    assert pose_heatmaps(expected) is expected  # a heatmap tensor passes as it is


@pytest.mark.cuda
def test_factors_expand_on_the_gpu_to_the_cpu_heatmaps_bitwise():
    keypoints, matrix = affine_case()
    factors = factored_heatmaps(keypoints, (256, 256), (256, 176), matrix)
    on_gpu = pose_heatmaps(factors, torch.device("cuda"))
    assert on_gpu.is_cuda and torch.equal(on_gpu.cpu(), pose_heatmaps(factors))
