"""The synthetic dataset generator: exact on-disk formats, determinism, meaningful pairs, CLI."""
import filecmp
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from data.annotations import read_annotations, read_pairs
from script.make_synthetic_dataset import make_synthetic_dataset
from util.skeleton import JOINT_NAMES

from tests.paths import REPO_ROOT as REPO
TINY = dict(num_train_figures=2, num_test_figures=1, poses_per_figure=2, pairs_per_figure=2)
FIGURE_ID = {"market": re.compile(r"^(\d{4})_c\ds1_\d{6}_01\.jpg$"),
             "fashion": re.compile(r"^fashion(?:WO)?MEN[A-Za-z_]+id(\d{8})_\d[a-z]+\.jpg$")}


def tree(root):
    return sorted(os.path.relpath(os.path.join(folder, name), root)
                  for folder, _, names in os.walk(root) for name in names)


@pytest.mark.parametrize("mode, prefix, file_size", [("market", "market", (64, 128)), ("fashion", "fasion", (176, 256))])
def test_layout_and_content(request, mode, prefix, file_size):
    root = request.getfixturevalue(f"{mode}_root")
    expected_files = {f"{prefix}-{kind}-{phase}.csv" for kind in ("annotation", "pairs") for phase in ("train", "test")}
    if mode == "fashion":
        expected_files |= {"train.lst", "test.lst"}
    assert set(os.listdir(root)) == expected_files | {"train", "test"}
    figures = {}
    for phase, count in (("train", 3), ("test", 2)):
        annotations = read_annotations(os.path.join(root, f"{prefix}-annotation-{phase}.csv"), frame=file_size[::-1])
        assert sorted(annotations) == sorted(os.listdir(os.path.join(root, phase))) and len(annotations) == 3 * count
        if mode == "fashion":
            assert open(os.path.join(root, f"{phase}.lst")).read().split() == list(annotations)
        for name in annotations:
            with Image.open(os.path.join(root, phase, name)) as image:
                assert image.format == "JPEG" and image.mode == "RGB" and image.size == file_size
        pairs = read_pairs(os.path.join(root, f"{prefix}-pairs-{phase}.csv"))
        assert len(pairs) == 4 * count and len(set(pairs)) == len(pairs)
        for source, target in pairs:  # the same figure in two different poses
            assert source != target
            assert FIGURE_ID[mode].match(source).group(1) == FIGURE_ID[mode].match(target).group(1)
        figures[phase] = {FIGURE_ID[mode].match(name).group(1) for name in annotations}
        keypoints = np.stack(list(annotations.values()))
        assert (keypoints == -1).any() and (keypoints != -1).mean() > 0.7
    assert len(figures["train"]) == 3 and len(figures["test"]) == 2 and not figures["train"] & figures["test"]


def sleeve_colours(root, phase, annotations):
    """Colour at the middle of each visible upper arm (drawn in the shirt colour, on top), per image."""
    colours = {}
    for name, keypoints in annotations.items():
        image = np.asarray(Image.open(os.path.join(root, phase, name)).convert("RGB"), dtype=float)
        samples = []
        for side in ("right", "left"):
            shoulder, elbow = (keypoints[JOINT_NAMES.index(f"{side}_{joint}")] for joint in ("shoulder", "elbow"))
            if (shoulder >= 0).all() and (elbow >= 0).all():
                row, col = ((shoulder + elbow) / 2).astype(int)
                samples.append(image[row, col])
        if samples:
            colours[name] = np.median(samples, axis=0)
    return colours


def test_poses_of_a_figure_share_its_look(market_root):
    annotations = read_annotations(os.path.join(market_root, "market-annotation-train.csv"))
    colours = sleeve_colours(market_root, "train", annotations)
    by_figure = {}
    for name, colour in colours.items():
        by_figure.setdefault(name[:4], []).append(colour)
    assert len(by_figure) == 3
    means = []
    for figure, samples in by_figure.items():
        samples = np.array(samples)
        assert np.abs(samples - np.median(samples, axis=0)).max(axis=1).mean() < 30, figure
        means.append(np.median(samples, axis=0))
    assert min(np.abs(a - b).max() for i, a in enumerate(means) for b in means[i + 1:]) > 15  # figures differ


def test_byte_identical_for_a_seed(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        make_synthetic_dataset(tmp_path / name, "fashion", seed=seed, **TINY)
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", tree(tmp_path / "a"), shallow=False)
    assert not mismatch and not errors and len(match) == 12  # 6 images, 4 CSVs, 2 lists
    _, different, _ = filecmp.cmpfiles(tmp_path / "a", tmp_path / "c", tree(tmp_path / "a"), shallow=False)
    assert any(name.endswith(".jpg") for name in different) and "fasion-annotation-train.csv" in different


@pytest.mark.parametrize("arguments, message", [
    (dict(fmt="deepfashion"), "fmt: expected one of market, fashion, got 'deepfashion'"),
    (dict(poses_per_figure=1), "poses_per_figure: expected >= 2"),
    (dict(poses_per_figure=2, pairs_per_figure=3), r"pairs_per_figure: expected 1..2 \(ordered pairs of 2 poses\), got 3"),
    (dict(num_test_figures=0), "num_train_figures, num_test_figures: expected >= 1 each"),
    (dict(missing_prob=0.7), r"missing_prob: expected a probability in \[0, 0.5\)"),
])
def test_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        make_synthetic_dataset(tmp_path / "out", **{**TINY, **arguments})


def test_refuses_a_non_empty_root_unless_overwrite(tmp_path):
    make_synthetic_dataset(tmp_path, "market", **TINY)
    with pytest.raises(FileExistsError, match=f"--root {tmp_path} is not empty"):
        make_synthetic_dataset(tmp_path, "market", **TINY)
    (tmp_path / "notes.txt").write_text("mine")
    make_synthetic_dataset(tmp_path, "market", overwrite=True, **{**TINY, "num_train_figures": 1})
    assert len(os.listdir(tmp_path / "train")) == 2 and (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("how", [["script/make_synthetic_dataset.py"], ["-m", "script.make_synthetic_dataset"]])
def test_command_line_writes_the_same_files(tmp_path, how):
    make_synthetic_dataset(tmp_path / "api", "market", seed=5, **TINY)
    command = [sys.executable, *how, "--root", str(tmp_path / "cli"), "--format", "market", "--seed", "5",
               "--train_figures", "2", "--test_figures", "1", "--poses_per_figure", "2", "--pairs_per_figure", "2"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "2 test pairs" in result.stdout.splitlines()[-1]
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "api", tmp_path / "cli", tree(tmp_path / "api"), shallow=False)
    assert tree(tmp_path / "api") == tree(tmp_path / "cli") and not mismatch and not errors
