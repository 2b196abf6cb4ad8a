"""The synthetic ShapeNet generator: the released file layout, determinism, learnable views, CLI."""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

from script.synthetic_shapenet import make_synthetic_shapenet
from tests.paths import REPO_ROOT

VIEWS = [(h, v) for h in range(0, 36, 2) for v in (0, 10, 20)]


def read_views(root, model="chair"):
    """view id -> (image, pose) of a data_<model>.hdf5."""
    with h5py.File(os.path.join(root, f"data_{model}.hdf5"), "r") as handle:
        return {key: (handle[key]["image"][()], handle[key]["pose"][()]) for key in handle}


def lines(path):
    with open(path) as handle:
        return handle.read().splitlines()


def test_layout_matches_the_released_files(shapenet_synthetic_root):
    root = shapenet_synthetic_root
    assert sorted(os.listdir(root)) == ["data_chair.hdf5", "id_chair_test.txt", "id_chair_train.txt",
                                        "name_chair_test.txt"]
    train_ids, test_ids = lines(root / "id_chair_train.txt"), lines(root / "id_chair_test.txt")
    assert lines(root / "name_chair_test.txt") == ["chair0003"]
    # ordered by object, azimuth / 10, elevation, as the released lists
    assert train_ids == [f"chair000{n}_{h}_{v}" for n in (1, 2) for h, v in VIEWS]
    assert test_ids == [f"chair0003_{h}_{v}" for h, v in VIEWS]
    views = read_views(root)
    assert sorted(views) == sorted(train_ids + test_ids)
    with h5py.File(root / "data_chair.hdf5", "r") as handle:
        assert list(handle["chair0001_4_10"].keys()) == ["image", "pose"]
    for view_id, (image, pose) in views.items():
        assert image.dtype == np.uint8 and image.shape == (32, 32, 3)
        assert pose.dtype == np.int64 and pose.tolist() == [int(x) for x in view_id.split("_")[1:]]


def test_views_show_the_whole_object_and_change_smoothly_with_azimuth(shapenet_synthetic_root):
    views = read_views(shapenet_synthetic_root)
    for view_id, (image, _) in views.items():
        border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
        assert (border == 255).all(), f"{view_id}: the object touches the frame"
        covered = (image != 255).any(axis=2).mean()
        assert 0.08 < covered < 0.7, f"{view_id}: object covers {covered:.0%} of the image"

    def distance(a, b):  # of the coarse appearance (4x4 block means): thin legs move a lot at 32 px
        coarse = [views[key][0].reshape(8, 4, 8, 4, 3).mean(axis=(1, 3)) for key in (a, b)]
        return np.abs(coarse[0] - coarse[1]).mean()

    for name in ("chair0001", "chair0002", "chair0003"):
        for v in (0, 10, 20):
            near = np.mean([distance(f"{name}_{h}_{v}", f"{name}_{(h + 2) % 36}_{v}") for h in range(0, 36, 2)])
            far = np.mean([distance(f"{name}_{h}_{v}", f"{name}_{(h + 18) % 36}_{v}") for h in range(0, 36, 2)])
            assert 0 < near < 0.7 * far, (name, v, near, far)
    assert distance("chair0001_0_0", "chair0002_0_0") > 5  # objects differ


def test_same_arguments_same_data_and_another_seed_other_objects(shapenet_synthetic_root, tmp_path):
    """The fixture's arguments again give the same data; another seed (written over an earlier set) differs."""
    assert make_synthetic_shapenet(tmp_path / "again", "chair", 2, 1, image_size=32, seed=1) == (
        ["chair0001", "chair0002"], ["chair0003"])
    first, again = read_views(shapenet_synthetic_root), read_views(tmp_path / "again")
    assert sorted(first) == sorted(again) and all(np.array_equal(first[key][0], again[key][0]) for key in first)
    for name in os.listdir(tmp_path / "again"):
        if name.endswith(".txt"):
            assert lines(tmp_path / "again" / name) == lines(shapenet_synthetic_root / name)

    (tmp_path / "again" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=f"--root {tmp_path / 'again'} is not empty"):
        make_synthetic_shapenet(tmp_path / "again", "chair", 2, 1, image_size=32, seed=2)
    make_synthetic_shapenet(tmp_path / "again", "chair", 1, 1, image_size=32, seed=2, overwrite=True)
    assert sorted(os.listdir(tmp_path / "again")) == ["data_chair.hdf5", "id_chair_test.txt", "id_chair_train.txt",
                                                      "name_chair_test.txt", "notes.txt"]
    other = read_views(tmp_path / "again")
    assert len(other) == 2 * 54 and not np.array_equal(first["chair0001_0_0"][0], other["chair0001_0_0"][0])


@pytest.mark.parametrize("arguments, message", [
    (dict(sub_dataset="plane"), "sub_dataset: expected one of car, chair, got 'plane'"),
    (dict(num_test_objects=0), "num_train_objects, num_test_objects: expected >= 1 each"),
    (dict(image_size=4), "image_size: expected >= 8 pixels, got 4"),
])
def test_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        make_synthetic_shapenet(tmp_path / "out", **arguments)
    assert not os.path.exists(tmp_path / "out")


def test_command_line(shapenet_synthetic_root, tmp_path):
    command = [sys.executable, "-m", "script.make_synthetic_dataset", "--root", str(tmp_path / "cli"),
               "--format", "shapenet", "--sub_dataset", "chair", "--train_objects", "2", "--test_objects", "1",
               "--image_size", "32", "--seed", "1"]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (f"wrote shapenet chair dataset to {tmp_path / 'cli'}: "
                                              f"2 train objects, 1 test objects, 54 views each")
    cli, api = read_views(tmp_path / "cli"), read_views(shapenet_synthetic_root)
    assert sorted(cli) == sorted(api) and all(np.array_equal(cli[key][0], api[key][0]) for key in api)
