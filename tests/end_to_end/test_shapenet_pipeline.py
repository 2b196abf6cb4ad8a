"""View synthesis end to end on a small synthetic ShapeNet car set, on the CPU: shapenetflow, then
shapenet with --continue_train (the flow estimator's weights carried over), then test.py (18
result/ground-truth pairs per test object), then script/metrics.py scoring them; and bad data
through train.py, one line each."""
import json
import math
import os

import h5py
import numpy as np
import pytest
import torch

import model as models
import test as test_script
import train as train_script
from options.test_options import TestOptions
from options.train_options import TrainOptions
from script import metrics
from script.metrics_lib.image_files import read_rgb
from script.synthetic_shapenet import make_synthetic_shapenet
from tests.end_to_end.test_entry_errors import run_in_process

pytestmark = pytest.mark.slow

# the smallest shapenet generator: 128 x 128 views, --layers=2 (the released: 256, --layers=3, --attn_layer=2,3)
COMMON = ["--attn_layer=2", "--kernel_size=2=3", "--load_size=128,128", "--gpu_ids=-1", "--dataset_mode=shapenet",
          "--sub_dataset=car", "--nThreads=0", "--name=syn", "--display_id=0"]
TEST_OBJECTS = {"car0002": 0, "car0003": 1}  # object -> target index of its source view (test item index % 18)


@pytest.fixture(scope="module")
def shapenet_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic_shapenet")
    make_synthetic_shapenet(root, "car", num_train_objects=1, num_test_objects=2, image_size=128)
    return root


def train_args(root, checkpoints, *extra):
    return [*COMMON, f"--dataroot={root}", f"--checkpoints_dir={checkpoints}", "--batchSize=2", "--print_freq=1",
            "--display_freq=2", "--save_latest_freq=2", *extra]


def args_of_test_py(root, checkpoints, results, *extra):
    return [*COMMON, "--model=shapenet", "--layers=2", f"--dataroot={root}", f"--checkpoints_dir={checkpoints}",
            f"--results_dir={results}", *extra]


def test_flow_stage_then_full_model_then_test_then_scores(shapenet_root, tmp_path, offline_vgg):
    checkpoints = tmp_path / "checkpoints"
    run_dir = checkpoints / "syn"

    # ---------------------------------------------------------------- stage 1: flow estimator
    flow_model = train_script.train(TrainOptions().parse(train_args(shapenet_root, checkpoints, "--model=shapenetflow",
                                                                    "--niter=2")))
    assert flow_model.iteration == 2
    stage_one = torch.load(run_dir / "latest_net_G.pth", weights_only=True)
    assert stage_one and all(key.startswith("flow_net.") for key in stage_one)

    # ---------------------------------------------------------------- stage 2: hand-over, by value
    full_args = train_args(shapenet_root, checkpoints, "--model=shapenet", "--layers=2", "--niter=4",
                           "--continue_train")
    handed_over = models.create_model(TrainOptions().parse(full_args))
    assert handed_over.iteration == 2
    generator = handed_over.net_G.state_dict()
    for key, value in stage_one.items():
        assert torch.equal(generator[key], value), f"{key} not carried over"
    full_model = train_script.train(TrainOptions().parse(full_args))
    assert full_model.iteration == 4
    assert {"latest_net_G.pth", "latest_net_D.pth", "latest_train_state.pth"} <= set(os.listdir(run_dir))
    records = [json.loads(line) for line in (run_dir / "loss_log.jsonl").read_text().splitlines()]
    assert [sorted(r["losses"]) for r in records] == [["correctness", "regularization"]] * 2 + [sorted(
        ["app_gen", "correctness_gen", "content_gen", "style_gen", "regularization", "ad_gen", "dis_img_gen"])] * 2
    assert all(math.isfinite(value) for record in records for value in record["losses"].values())
    pictures = os.listdir(run_dir / "web" / "images")
    for visual in ("input_P1", "input_BP1", "input_BP2", "img_gen", "input_P2", "flow_fields0", "masks0"):
        assert f"iter00000004_{visual}.png" in pictures, visual
    for visual in ("warp", "input_BP1", "input_BP2"):
        assert f"iter00000002_{visual}.png" in pictures, visual

    # ---------------------------------------------------------------- test.py, the original's batch of 1
    results = tmp_path / "results"
    test_script.test(TestOptions().parse(args_of_test_py(shapenet_root, checkpoints, results)))
    assert sorted(os.listdir(results)) == sorted(TEST_OBJECTS)
    for name, source_index in TEST_OBJECTS.items():
        files = sorted(os.listdir(results / name))
        assert files == sorted(["source.png", "strip.png", *(f"{kind}_{j:04d}.png" for kind in ("gt", "result")
                                                                for j in range(18))])
        assert read_rgb(results / name / "result_0000.png").shape == (128, 128, 3)
        with h5py.File(shapenet_root / "data_car.hdf5", "r") as views:  # ground truths: the views as stored
            stored = views[f"{name}_10_0"]["image"][()].astype(int)  # up to the [-1, 1] round trip's truncation
            assert np.abs(read_rgb(results / name / "gt_0005.png").astype(int) - stored).max() <= 1
        assert np.array_equal(read_rgb(results / name / "source.png"),
                              read_rgb(results / name / f"gt_{source_index:04d}.png"))

    # ---------------------------------------------------------------- a larger test batch: the same images
    batched = tmp_path / "results_batch2"
    test_script.test(TestOptions().parse(args_of_test_py(shapenet_root, checkpoints, batched, "--batchSize=2")))
    for name in TEST_OBJECTS:
        for j in range(18):
            one, two = (read_rgb(folder / name / f"result_{j:04d}.png").astype(int) for folder in (results, batched))
            assert np.abs(one - two).max() <= 1, (name, j)  # float rounding may move a pixel by one level

    # ---------------------------------------------------------------- script.metrics scores the folders
    report = metrics.main(["--generated_path", str(results), "--output", str(tmp_path / "scores.json"),
                           "--device", "cpu", "--num_workers", "0", "--metrics", "l1,psnr,ssim"])
    assert report["layout"] == "view_synthesis"
    assert {name: row["source_azimuth"] for name, row in report["per_object"].items()} == \
        {name: 20 * index for name, index in TEST_OBJECTS.items()}
    assert report["results"]["l1"]["count"] == 36 and math.isfinite(report["results"]["l1"]["value"])


def damage_missing_file(root):
    (root / "data_car.hdf5").unlink()
    return f"ShapeNet view file not found: {root}/data_car.hdf5"


def damage_unknown_id(root):
    with open(root / "id_car_train.txt", "a") as ids:
        ids.write("car9999_0_0\n")
    return f"{root}/data_car.hdf5: view 'car9999_0_0', listed in {root}/id_car_train.txt (line 55), is not in the file"


def damage_label_out_of_range(root):
    with open(root / "id_car_train.txt", "a") as ids:
        ids.write("car0001_36_0\n")
    return (f"{root}/id_car_train.txt, line 55: view id 'car0001_36_0' has azimuth/10 = 36; "
            "expected one of 0, 2, ..., 34")


def damage_pose_in_file(root):
    with h5py.File(root / "data_car.hdf5", "a") as views:
        for view in [key for key in views if key.startswith("car0001_")]:
            views[view]["pose"][...] = [40, 0]
    return f"{root}/data_car.hdf5: view 'car0001_"  # the first one loaded (random), in a loader worker


@pytest.mark.parametrize("damage", [damage_missing_file, damage_unknown_id, damage_label_out_of_range,
                                    damage_pose_in_file])
def test_bad_data_stops_train_py_with_one_line(damage, shapenet_root, private_copy, tmp_path, offline_vgg, monkeypatch,
                                               capsys):
    root = private_copy(shapenet_root, "data")
    expected = damage(root)
    args = train_args(root, tmp_path / "checkpoints", "--model=shapenetflow", "--niter=1", "--nThreads=1")
    status, stderr = run_in_process("train.py", *args, monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1
    assert stderr[-1].startswith(f"train.py: error: {expected}"), stderr
    assert all(line.startswith("train: ") for line in stderr[:-1]), stderr  # before it only the progress bar
    assert not (tmp_path / "checkpoints").exists()
