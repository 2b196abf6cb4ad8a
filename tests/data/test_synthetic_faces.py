"""Synthetic face videos: landmark motion, rendering that follows the landmarks, layout, determinism, CLI."""
import filecmp
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import data
from data.face_landmarks import read_landmarks
from data.face_maps import part_labels, with_upper_face
from data.synthetic.face import FaceMotion, face_landmarks, sample_face_shape, sample_motion
from data.synthetic.face_render import draw_scene, render_face, sample_face_style
from script.synthetic_face import make_synthetic_face_dataset
from tests.paths import REPO_ROOT

TINY = dict(num_train_videos=1, num_test_videos=1, frames_per_video=3, frame_size=48)
NEUTRAL = FaceMotion(yaw=0.0, pitch=0.0, roll=0.0, jaw_open=0.0, eyes_open=1.0, center=(128.0, 120.0), scale=70.0)


def tree(root):
    return sorted(os.path.relpath(os.path.join(folder, name), root)
                  for folder, _, names in os.walk(root) for name in names)


def with_motion(**changes):
    return FaceMotion(**{**NEUTRAL.__dict__, **changes})


def test_landmark_controls_move_the_right_points():
    shape = sample_face_shape(np.random.default_rng(0))
    neutral = face_landmarks(shape, NEUTRAL)
    assert neutral.shape == (68, 2)
    assert (np.diff(neutral[0:17, 0]) > 0).all() and neutral[8, 1] == neutral[:17, 1].max()  # jaw left to right
    assert neutral[36, 0] < neutral[39, 0] < neutral[42, 0] < neutral[45, 0]                 # eye corners
    assert neutral[48, 0] < neutral[54, 0] and neutral[27, 1] < neutral[30, 1] < neutral[51, 1] < neutral[57, 1]
    opened = face_landmarks(shape, with_motion(jaw_open=0.3))
    assert opened[66, 1] - opened[62, 1] > neutral[66, 1] - neutral[62, 1] + 15  # the inner lips part
    assert opened[8, 1] > neutral[8, 1] + 15 and np.allclose(opened[17:48], neutral[17:48])
    closed = face_landmarks(shape, with_motion(eyes_open=0.0))
    for upper, lower in ((37, 41), (38, 40), (43, 47), (44, 46)):
        assert closed[lower, 1] - closed[upper, 1] < 2 < neutral[lower, 1] - neutral[upper, 1]
    turned = face_landmarks(shape, with_motion(yaw=0.4))
    centre = (turned[0, 0] + turned[16, 0]) / 2
    assert turned[30, 0] - centre > 10 + neutral[30, 0] - (neutral[0, 0] + neutral[16, 0]) / 2  # the nose turns
    tilted = face_landmarks(shape, with_motion(roll=0.2))
    eye_line = tilted[45] - tilted[36]
    assert np.isclose(np.arctan2(eye_line[1], eye_line[0]), 0.2, atol=0.02)


def test_motion_is_smooth_and_varied():
    rng = np.random.default_rng(3)
    motion = sample_motion(rng, 60, (256, 256))
    for name in ("yaw", "pitch", "roll", "scale"):  # the head moves smoothly
        values = np.array([getattr(state, name) for state in motion])
        assert values.std() > 0 and np.abs(np.diff(values)).max() < 0.35 * (values.max() - values.min()), name
    jaw = np.array([state.jaw_open for state in motion])  # the mouth opens and closes
    assert jaw.min() < 0.05 and jaw.max() > 0.2
    assert min(state.eyes_open for state in motion) < 0.5  # at least one blink in 60 frames with this seed


def test_rendering_follows_the_landmarks():
    rng = np.random.default_rng(1)
    shape, style, scene = sample_face_shape(rng), sample_face_style(rng), draw_scene(rng, (256, 256))
    landmarks = face_landmarks(shape, with_motion(jaw_open=0.3))
    image = np.asarray(render_face(rng, scene, landmarks, style), dtype=np.float64)
    labels = part_labels(with_upper_face(landmarks), (256, 256))
    skin = np.abs(image - style.skin).max(axis=2) < 30
    assert skin[labels == 1].mean() > 0.85 and skin[labels == 1].mean() > 3 * skin[labels == 0].mean()
    assert np.abs(image[labels == 6] - (60, 20, 25)).max(axis=1).mean() < 20  # the open mouth is dark
    assert np.abs(image[labels == 5] - style.lips).max(axis=1).mean() < 25


def test_identities_differ():
    styles = [sample_face_style(np.random.default_rng([0, video])) for video in range(6)]
    assert len({tuple(np.round(style.skin)) for style in styles}) == 6
    assert min(np.abs(np.subtract(a.hair, b.hair)).max() for i, a in enumerate(styles) for b in styles[i + 1:]) > 5


def test_layout_read_by_the_face_dataset(synthetic_face_root, make_opt):
    root = synthetic_face_root
    assert sorted(os.listdir(root)) == ["test_data", "test_keypoints", "train_data", "train_keypoints"]
    assert sorted(os.listdir(root / "train_data")) == ["000", "001"] and os.listdir(root / "test_data") == ["002"]
    assert sorted(os.listdir(root / "train_keypoints" / "001")) == [f"{i:05d}.txt" for i in range(6)]
    with Image.open(root / "test_data" / "002" / "00005.png") as frame:
        assert frame.size == (64, 64) and frame.mode == "RGB"
    points = read_landmarks(root / "train_keypoints" / "000" / "00003.txt")
    assert (points == np.round(points)).all() and 0 <= points.min() and points.max() < 64
    train = data.create_dataset(make_opt("face", root, load_size=(32, 32), n_frames_total=6, max_frames_per_gpu=3))
    assert len(train) == 2 and train[0]["BP"].shape == (96, 32, 32)
    test = data.create_dataset(make_opt("face", root, is_train=False, load_size=(32, 32)))
    assert len(test) == 1 and test[0]["change_seq"] is True


def test_byte_identical_for_a_seed(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        make_synthetic_face_dataset(tmp_path / name, seed=seed, **TINY)
    files = tree(tmp_path / "a")
    assert len(files) == 12 and files == tree(tmp_path / "b") == tree(tmp_path / "c")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", files, shallow=False)
    assert not mismatch and not errors
    _, different, _ = filecmp.cmpfiles(tmp_path / "a", tmp_path / "c", files, shallow=False)
    assert len(different) == 12


@pytest.mark.parametrize("arguments, message", [
    (dict(num_test_videos=0), "num_train_videos, num_test_videos: expected >= 1 each"),
    (dict(frames_per_video=0), "frames_per_video: expected >= 1"),
    (dict(frame_size=16), "frame_size: expected >= 32 pixels"),
])
def test_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        make_synthetic_face_dataset(tmp_path / "out", **{**TINY, **arguments})


@pytest.mark.slow
def test_command_line(tmp_path):
    make_synthetic_face_dataset(tmp_path / "api", seed=2, **TINY)
    command = [sys.executable, "-m", "script.make_synthetic_dataset", "--root", str(tmp_path / "cli"), "--format",
               "face", "--seed", "2", "--train_videos", "1", "--test_videos", "1", "--frames_per_video", "3",
               "--frame_size", "48"]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith("1 train videos, 1 test videos of 3 frames")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "api", tmp_path / "cli", tree(tmp_path / "api"), shallow=False)
    assert tree(tmp_path / "api") == tree(tmp_path / "cli") and not mismatch and not errors
