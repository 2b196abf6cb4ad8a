"""End to end on the CPU: the motion extraction net trains a few iterations on synthetic
Human3.6M-style keypoint files, evaluates on their test subjects, then cleans the noisy skeletons
of a synthetic dance video set into the clean skeleton files the dance dataset reads; bad skeleton
files stop test.py with one line naming the file."""
import json
import os
import re
import shutil

import pytest

import data
import test as test_script
import train as train_script
from options.test_options import TestOptions
from options.train_options import TrainOptions
from script.synthetic_dance import make_synthetic_dance_dataset, make_synthetic_keypoint_dataset
from tests.data.conftest import build_opt
from tests.end_to_end.test_entry_errors import run_in_process

pytestmark = pytest.mark.slow

COMMON = ["--model=keypoint", "--gpu_ids=-1", "--nThreads=0", "--name=motion", "--display_id=0"]
FRAMES = 26  # a video of two 24-frame chunks, the second moved back to frames 2-25


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(checkpoints folder, keypoint file arguments) of a net trained for 3 iterations."""
    root = tmp_path_factory.mktemp("motion")
    make_synthetic_keypoint_dataset(root / "human36m", frames_per_sequence=40, seed=0)
    files = [f"--gt_path={root / 'human36m' / 'data_2d_h36m_gt.npz'}",
             f"--input_path={root / 'human36m' / 'data_2d_h36m_detectron_pt_coco.npz'}"]
    checkpoints = root / "checkpoints"
    model = train_script.train(TrainOptions().parse([*COMMON, "--dataset_mode=keypoint", *files, "--niter=3",
                                                     "--batchSize=4", "--print_freq=1", "--display_freq=3",
                                                     f"--checkpoints_dir={checkpoints}"]))
    assert model.iteration == 3 and os.path.isfile(checkpoints / "motion" / "latest_net_G.pth")
    with open(checkpoints / "motion" / "loss_log.jsonl") as log:
        assert [sorted(json.loads(line)["losses"]) for line in log] == [["mpjpe"]] * 3
    assert {f"iter00000003_{name}.png" for name in ("current_skeleton", "output_skeleton", "gt_skeleton")} <= set(
        os.listdir(checkpoints / "motion" / "web" / "images"))
    return checkpoints, files


@pytest.fixture(scope="module")
def dance_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("dance") / "iper"
    make_synthetic_dance_dataset(root, "iper", num_train_videos=1, num_test_videos=1, frames_per_video=FRAMES,
                                 frame_size=64, seed=0)
    return root


def clean_args(checkpoints, root, results, *extra):
    return [*COMMON, "--dataset_mode=keypointtest", f"--dataroot={root}", "--eval_set=test",
            f"--checkpoints_dir={checkpoints}", f"--results_dir={results}", *extra]


def test_evaluation_on_the_test_subjects(trained, tmp_path):
    checkpoints, files = trained
    results = tmp_path / "h36m"
    test_script.test(TestOptions().parse([*COMMON, "--dataset_mode=keypoint", *files,
                                          f"--checkpoints_dir={checkpoints}", f"--results_dir={results}"]))
    rows = (results / "keypoint_errors.csv").read_text().splitlines()
    assert len(rows) == 1 + 16 + 1 and rows[1].startswith("S9/Directions.0,40,") and rows[-1].startswith("all,640,")
    assert sorted(os.listdir(results / "S11")) == sorted(f"{action}.{camera}.npy" for action in ("Directions", "Walking")
                                                         for camera in range(4))


def test_a_cleaned_set_is_what_the_dance_dataset_reads(trained, dance_root, private_copy):
    checkpoints, _ = trained
    root = private_copy(dance_root, "iper")
    cleaned = root / "test_256" / "train_video2d"
    shutil.rmtree(cleaned)  # the set's clean skeletons are now the net's
    test_script.test(TestOptions().parse(clean_args(checkpoints, root, cleaned)))
    noisy = sorted(os.listdir(root / "test_256" / "train_alphapose" / "001"))
    assert len(noisy) == FRAMES and sorted(os.listdir(cleaned / "001")) == noisy
    content = json.loads((cleaned / "001" / noisy[-1]).read_text())
    assert content["version"] == "Video to Pose 2D" and len(content["people"][0]["pose_keypoints_2d"]) == 17 * 3

    dataset = data.create_dataset(build_opt("dance", root, is_train=False, test_list="none", sub_dataset="iper",
                                            load_size=(64, 64), structure_nc=20, n_frames_pre_load_test=6))
    item = dataset[len(dataset) - 1]
    assert item["gen_skeleton"].shape == (6 * 20, 64, 64) and item["gen_kps_clean"].shape == (34, 6)


@pytest.mark.parametrize("damage, message", [
    ("missing", r"test_256/train_A/001: 26 files, but \S+/test_256/train_alphapose/001 has 25; each frame needs one "
                r"of each \(\S*00007\.png has none\)"),
    ("17 joints", r"\S+/test_256/train_alphapose/001/00007\.json: 51 values in pose_keypoints_2d \(17 joints\); "
                  r"expected 54 \(x, y, score of the 18 joints of the OpenPose-18 skeleton\)"),
])
def test_bad_skeleton_files_stop_test_py_with_one_line(trained, dance_root, private_copy, tmp_path, monkeypatch, capsys,
                                                       damage, message):
    checkpoints, _ = trained
    root = private_copy(dance_root, "iper")
    skeleton = root / "test_256" / "train_alphapose" / "001" / "00007.json"
    if damage == "missing":
        skeleton.unlink()
    else:
        skeleton.write_text(json.dumps({"people": [{"pose_keypoints_2d": [1.0] * 51}]}))
    status, stderr = run_in_process("test.py", *clean_args(checkpoints, root, tmp_path / "out"),
                                    monkeypatch=monkeypatch, capsys=capsys)
    errors = [line for line in stderr if "error" in line]  # the others are the progress bar
    assert status == 1 and errors == stderr[-1:] and re.fullmatch(r"test\.py: error: \S*" + message, errors[0]), stderr
