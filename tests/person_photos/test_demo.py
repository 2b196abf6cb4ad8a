"""script.demo end to end on real Market photos hidden in larger photos: the detector loaded from a
random-weight file in an offline TORCH_HOME (its people replaced by ones made from the released
keypoints, so the run is deterministic), a random-weight pose G checkpoint; and, in a subprocess,
a detector that finds nobody."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

import script.person_detection
from data.annotations import read_annotations, read_pairs
from script import demo
from script.random_weights import random_keypoint_rcnn_state_dict
from tests.paths import REAL_SAMPLES, REPO_ROOT
from util.skeleton import COLORS

from .fakes import FakeDetector, assert_maps_back, framed_real_photo, real_samples, write_random_generator

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.isdir(REAL_SAMPLES), reason=f"no real samples at {REAL_SAMPLES}")]
FRAME = (128, 64)


@pytest.fixture(scope="module")
def generator(tmp_path_factory):
    return write_random_generator(str(tmp_path_factory.mktemp("checkpoints")), "market_random")


@pytest.fixture(scope="module")
def market_pair():
    """The first released Market pair: (source name, target name, annotations)."""
    source, target = read_pairs(os.path.join(REAL_SAMPLES, "market", "market-pairs-test.csv"))[0]
    return source, target, real_samples("market")[1]


def demo_argv(tmp_path, generator, *extra):
    return ["--dataset=market", f"--checkpoint={generator}", "--gpu_ids=-1", "--detector_size=64",
            f"--results_dir={tmp_path / 'results'}", *extra]


def assert_skeleton_drawn(panel, keypoints):
    for joint, (row, col) in enumerate(keypoints):
        if row >= 0:
            assert tuple(panel[row, col]) == COLORS[joint], f"joint {joint} not drawn at {(row, col)}"


def test_demo_from_two_photos(tmp_path, monkeypatch, offline_detector, generator, market_pair):
    source_name, target_name, annotations = market_pair
    fake = FakeDetector()
    monkeypatch.setattr(script.person_detection, "detect_people", fake)
    for index, name in enumerate((source_name, target_name)):
        framed_real_photo("market", name, annotations[name], index, fake).save(tmp_path / f"{name[:-4]}.png")

    paths = demo.main(demo_argv(tmp_path, generator, f"--source={tmp_path / source_name[:-4]}.png",
                                f"--target={tmp_path / target_name[:-4]}.png"))

    stem = f"{source_name[:-4]}_2_{target_name[:-4]}"
    assert paths["side_by_side"] == str(tmp_path / "results" / f"{stem}_side_by_side.png")
    rows = read_annotations(paths["keypoints"], FRAME)
    source_keypoints, target_keypoints = rows[f"source_{source_name[:-4]}.png"], rows[f"target_{target_name[:-4]}.png"]
    assert_maps_back(source_keypoints, annotations[source_name], "source")
    assert_maps_back(target_keypoints, annotations[target_name], "target")
    generated = np.asarray(Image.open(paths["generated"]))
    side_by_side = np.asarray(Image.open(paths["side_by_side"]))
    assert generated.shape == (128, 64, 3) and side_by_side.shape == (128, 3 * 64, 3)
    np.testing.assert_array_equal(side_by_side[:, 128:], generated)
    assert_skeleton_drawn(side_by_side[:, :64], source_keypoints)
    assert_skeleton_drawn(side_by_side[:, 64:128], target_keypoints)
    assert generated.std() > 1.0  # a picture, not a constant


def test_demo_with_target_keypoints(tmp_path, monkeypatch, offline_detector, generator, market_pair):
    source_name, target_name, annotations = market_pair
    fake = FakeDetector()
    monkeypatch.setattr(script.person_detection, "detect_people", fake)
    source = tmp_path / "me.png"
    framed_real_photo("market", source_name, annotations[source_name], 0, fake).save(source)
    target = annotations[target_name]
    pose_file = tmp_path / "pose.json"
    pose_file.write_text(json.dumps({"keypoints_y": target[:, 0].tolist(), "keypoints_x": target[:, 1].tolist()}))

    paths = demo.main(demo_argv(tmp_path, generator, f"--source={source}", f"--target_keypoints={pose_file}"))
    rows = read_annotations(paths["keypoints"], FRAME)
    np.testing.assert_array_equal(rows["target_pose.json"], target)
    assert_skeleton_drawn(np.asarray(Image.open(paths["side_by_side"]))[:, 64:128], target)



def test_no_person_is_one_line_from_the_command(tmp_path, generator, market_pair):
    weights = tmp_path / "blind.pth"
    torch.save(random_keypoint_rcnn_state_dict(blind=True), weights)
    source_name, target_name, annotations = market_pair
    target = tmp_path / "pose.json"
    target.write_text(json.dumps({"keypoints_y": annotations[target_name][:, 0].tolist(),
                                  "keypoints_x": annotations[target_name][:, 1].tolist()}))
    source = os.path.join(REAL_SAMPLES, "market", "test", source_name)
    env = dict(os.environ, TORCH_HOME=str(tmp_path / "torch_home"), OMP_NUM_THREADS="2")
    done = subprocess.run([sys.executable, "-m", "script.demo", *demo_argv(tmp_path, generator),
                           f"--source={source}", f"--target_keypoints={target}", f"--detector_weights={weights}"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (f"demo.py: error: {source}: no person found; use a photo in which one person "
                                   "is clearly visible, or lower --person_threshold")
    assert not (tmp_path / "results").exists()
