"""Synthetic dance videos and keypoint files: smooth motion, skeletons that match the frames, the real layouts."""
import filecmp
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import data
from data.synthetic.dance import detector_noise, human36m_skeleton, openpose_skeleton, sample_dance
from data.synthetic.pose import sample_body_shape
from script.synthetic_dance import make_synthetic_dance_dataset, make_synthetic_keypoint_dataset
from tests.paths import REPO_ROOT
from util.skeleton_formats import HUMAN36M_17, OPENPOSE_18

TINY = dict(num_train_videos=1, num_test_videos=1, frames_per_video=8, frame_size=64)


def tree(root):
    return sorted(os.path.relpath(os.path.join(folder, name), root)
                  for folder, _, names in os.walk(root) for name in names)


@pytest.fixture(scope="module")
def iper_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic") / "iper"
    make_synthetic_dance_dataset(root, "iper", seed=3, **TINY)
    return root


def skeleton(path, joints):
    values = json.load(open(path))["people"][0]["pose_keypoints_2d"]
    assert len(values) == 3 * joints
    return np.array(values).reshape(joints, 3)


def test_motion_is_smooth_and_stays_in_the_frame():
    rng = np.random.default_rng(0)
    shape = sample_body_shape(rng, (256, 256))
    points, scale = sample_dance(rng, shape, 90, (256, 256))
    assert points.shape == (90, 19, 2) and 0 < scale <= 1
    clean = np.stack([human36m_skeleton(frame, shape, scale) for frame in points])
    assert clean.min() >= 2 and clean.max() <= 253
    steps = np.linalg.norm(np.diff(clean, axis=0), axis=2)
    assert steps.max() < 12  # pixels per frame
    travel = clean.max(axis=0) - clean.min(axis=0)
    wrists, ankles = [HUMAN36M_17.index(name) for name in ("LWrist", "RWrist")], HUMAN36M_17.index("LFoot")
    assert travel[wrists].min() > 15 and travel[ankles].max() > 8  # arms and legs really move
    head, hip = clean[:, HUMAN36M_17.index("Head")], clean[:, HUMAN36M_17.index("Hip")]
    assert (head[:, 1] < hip[:, 1] - 60).all()  # upright


def test_noisy_skeleton_is_near_the_figure_with_some_joints_missing():
    rng = np.random.default_rng(1)
    exact = np.stack([openpose_skeleton(frame) for frame in sample_dance(rng, sample_body_shape(rng, (256, 256)),
                                                                         200, (256, 256))[0]])
    noisy = np.stack([detector_noise(rng, frame, (256, 256))[0] for frame in exact])
    missing = (noisy == 0).all(axis=2)
    assert 0.02 < missing.mean() < 0.1 and not ((noisy == 0).any(axis=2) & ~missing).any()
    error = np.linalg.norm(noisy - exact, axis=2)[~missing]
    assert 1 < np.median(error) < 5 and error.max() > 10  # jitter of a few pixels, and some joints thrown off


def test_layout_and_files(iper_root):
    files = tree(iper_root)
    assert "test_list.csv" in files
    for split, videos in (("train_256", ["000"]), ("test_256", ["001"])):
        for kind, extension in (("A", "png"), ("video2d", "json"), ("alphapose", "json")):
            names = [f"{split}/train_{kind}/{video}/{index:05d}.{extension}" for video in videos for index in range(8)]
            assert set(names) <= set(files), (split, kind)
    assert sum(name.startswith("train_256/train_C/000/") for name in files) == 8
    assert not any(name.startswith("test_256/train_C") for name in files)
    with Image.open(iper_root / "train_256" / "train_A" / "000" / "00003.png") as frame:
        assert frame.size == (64, 64) and frame.mode == "RGB"
    with Image.open(iper_root / "train_256" / "train_C" / "000" / "00003.png") as mask:
        assert mask.mode == "L" and set(np.unique(np.asarray(mask))) == {0, 255}


def test_frames_masks_and_skeletons_agree(iper_root):
    split = iper_root / "train_256"
    for index in range(0, 8, 3):
        mask = np.asarray(Image.open(split / "train_C" / "000" / f"{index:05d}.png")) > 0
        frame = np.asarray(Image.open(split / "train_A" / "000" / f"{index:05d}.png"), dtype=np.float64)
        clean = skeleton(split / "train_video2d" / "000" / f"{index:05d}.json", 17)
        noisy = skeleton(split / "train_alphapose" / "000" / f"{index:05d}.json", 18)
        columns, rows = clean[:, 0].astype(int), clean[:, 1].astype(int)
        assert mask[rows, columns].mean() > 0.85  # the clean joints lie on the figure
        assert 0.05 < mask.mean() < 0.4
        background = np.median(frame[~mask], axis=0)
        difference = np.abs(frame - background).max(axis=2)
        assert difference[mask].mean() > 3 * difference[~mask].mean()  # the figure stands out where the mask is
        present = noisy[:, 0] > 0
        hip = (noisy[OPENPOSE_18.index("RHip")] + noisy[OPENPOSE_18.index("LHip")])[:2] / 2
        if present[OPENPOSE_18.index("RHip")] and present[OPENPOSE_18.index("LHip")]:
            assert np.abs(hip - clean[HUMAN36M_17.index("Hip"), :2]).max() < 6
        assert ((noisy[present, 2] > 0) & (noisy[present, 2] < 1)).all() and (clean[:, 2] == 1).all()


@pytest.mark.parametrize("sub_dataset", ["fashion", "iper"])
def test_dataset_reads_the_synthetic_videos(tmp_path, make_opt, sub_dataset):
    root = tmp_path / sub_dataset
    make_synthetic_dance_dataset(root, sub_dataset, num_train_videos=1, num_test_videos=1, frames_per_video=7,
                                 frame_size=48)
    train = data.create_dataset(make_opt("dance", root, sub_dataset=sub_dataset, load_size=(32, 32),
                                         n_frames_total=6, max_frames_per_gpu=6))
    item = train[0]
    assert item["gen_images"].shape == (18, 32, 32) and ("gen_masks" in item) == (sub_dataset == "iper")
    test = data.create_dataset(make_opt("dance", root, is_train=False, load_size=(32, 32), sub_dataset=sub_dataset))
    items = [test[index] for index in range(len(test))]  # through ./test_list.csv
    assert len(items) == 2 and items[-1]["change_seq"] and "test_256/train_A/001/" in items[0]["ref_path"]
    background = items[0]["gen_images"][:, 0, 0]
    assert (background > 0.7).all() if sub_dataset == "fashion" else (background < 0.7).any()


def test_keypoint_files_train_the_motion_extraction_data(tmp_path, make_opt):
    root = tmp_path / "h36m"
    assert make_synthetic_keypoint_dataset(root, frames_per_sequence=30) == 4 * 2 * 4
    gt_path, input_path = str(root / "data_2d_h36m_gt.npz"), str(root / "data_2d_h36m_detectron_pt_coco.npz")
    with np.load(gt_path, allow_pickle=True) as gt, np.load(input_path, allow_pickle=True) as detections:
        clean = gt["positions_2d"].item()["S1"]["Walking"][2]
        noisy = detections["positions_2d"].item()["S1"]["Walking"][2]
        assert gt["metadata"].item()["num_joints"] == 17 and detections["metadata"].item()["layout_name"] == "coco"
    assert clean.shape == (30, 17, 2) and noisy.shape == (30, 17, 3) and clean.dtype == np.float32
    assert 100 < clean[..., 1].max() - clean[..., 1].min() < 1000  # a figure in a 1000x1000 frame
    left_wrist = np.abs(noisy[:, 9, :2] - clean[:, HUMAN36M_17.index("LWrist")])  # COCO joint 9 is the left wrist
    assert np.median(left_wrist) < 15
    train = data.create_dataset(make_opt("keypoint", "unused", gt_path=gt_path, input_path=input_path))
    assert len(train) == 2 * 2 * 4 and train[0]["input_data"].shape == (34, 104)
    test = data.create_dataset(make_opt("keypoint", "unused", is_train=False, gt_path=gt_path, input_path=input_path))
    assert {sequence.subject for sequence in test.sequences} == {"S9", "S11"}


@pytest.mark.slow
def test_deterministic_and_cli(tmp_path):
    make_synthetic_dance_dataset(tmp_path / "a", "fashion", seed=4, **TINY)
    subprocess.run([sys.executable, "-m", "script.make_synthetic_dataset", "--root", str(tmp_path / "b"), "--format",
                    "dance", "--sub_dataset", "fashion", "--seed", "4", "--train_videos", "1", "--test_videos", "1",
                    "--frames_per_video", "8", "--frame_size", "64"], cwd=REPO_ROOT, check=True, capture_output=True)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", tree(tmp_path / "a"), shallow=False)
    assert mismatch == errors == []
    result = subprocess.run([sys.executable, "-m", "script.make_synthetic_dataset", "--root", str(tmp_path / "k"),
                             "--format", "keypoint", "--frames_per_video", "24"], cwd=REPO_ROOT, check=True,
                            capture_output=True, text=True)
    assert "32 sequences" in result.stdout and len(os.listdir(tmp_path / "k")) == 2


@pytest.mark.parametrize("kwargs, message", [(dict(sub_dataset="youtube"), "sub_dataset: expected one of"),
                                             (dict(frames_per_video=0), "frames_per_video: expected >= 1"),
                                             (dict(frame_size=16), "frame_size: expected >= 32")])
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_synthetic_dance_dataset(tmp_path / "x", **{**TINY, **kwargs})
