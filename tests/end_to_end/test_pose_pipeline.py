"""End to end on a small synthetic Market-format dataset, on the CPU: pose_flow, then pose with
--continue_train (the flow estimator's weights carried over), then test.py."""
import json
import math
import os

import pandas as pd
import pytest
import torch

import model as models
import test as test_script
import train as train_script
from options.test_options import TestOptions
from model.checkpoint import CheckpointError
from options.train_options import TrainOptions
from util.nonfinite import NonFiniteError
from script.make_synthetic_dataset import make_synthetic_dataset

pytestmark = pytest.mark.slow

COMMON = ["--attn_layer=2", "--kernel_size=2=3", "--gpu_ids=-1", "--dataset_mode=market", "--nThreads=0",
          "--name=syn", "--display_id=0"]


@pytest.fixture(scope="module")
def market_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic_market")
    make_synthetic_dataset(root, fmt="market", num_train_figures=2, num_test_figures=1, poses_per_figure=3,
                           pairs_per_figure=3, seed=0)
    return root


def train_args(root, checkpoints, *extra):
    return [*COMMON, f"--dataroot={root}", f"--checkpoints_dir={checkpoints}", "--batchSize=2",
            "--print_freq=1", "--display_freq=2", "--save_latest_freq=2", *extra]


def logged_losses(run_dir):
    with open(os.path.join(run_dir, "loss_log.jsonl")) as log:
        return [json.loads(line) for line in log if line.strip()]


def test_flow_stage_then_full_model_then_test(market_root, tmp_path, offline_vgg):
    checkpoints = tmp_path / "checkpoints"
    run_dir = checkpoints / "syn"

    # ---------------------------------------------------------------- stage 1: flow estimator
    flow_opt = TrainOptions().parse(train_args(market_root, checkpoints, "--model=poseflownet", "--niter=2"))
    flow_model = train_script.train(flow_opt)
    assert flow_model.iteration == 2
    stage_one = torch.load(run_dir / "latest_net_G.pth", weights_only=True)
    assert stage_one and all(key.startswith("flow_net.") for key in stage_one)

    # ---------------------------------------------------------------- misuses of stage one's checkpoint
    results = tmp_path / "results"
    test_args = [*COMMON, "--model=pose", f"--dataroot={market_root}", f"--checkpoints_dir={checkpoints}",
                 f"--results_dir={results}"]
    with pytest.raises(CheckpointError, match=r"latest_net_G\.pth holds only flow_net of network G, not source, "
                                              r"target \(a flow-stage checkpoint: train the full model from it"):
        test_script.test(TestOptions().parse(test_args))  # test.py before stage two
    fashion = [arg.replace("--attn_layer=2", "--attn_layer=2,3").replace("--kernel_size=2=3", "--kernel_size=2=5,3=3")
               .replace("--dataset_mode=market", "--dataset_mode=fashion")
               for arg in train_args(market_root, checkpoints, "--model=poseflownet", "--continue_train")]
    with pytest.raises(CheckpointError, match=r"^checkpoint was saved by a different configuration: "
                                              r"--dataset_mode=market \(now fashion\), --load_size=128,64 "
                                              r"\(now 256,256\), --attn_layer=2 \(now 2,3\), "
                                              r"--kernel_size=2=3 \(now 2=5,3=3\) "):
        models.create_model(TrainOptions().parse(fashion, save=False))

    # ---------------------------------------------------------------- stage 2: hand-over, by value
    pose_args = train_args(market_root, checkpoints, "--model=pose", "--niter=4", "--continue_train")
    handed_over = models.create_model(TrainOptions().parse(pose_args))
    assert handed_over.iteration == 2  # the flow stage's count carries on, as in the original
    flow_net = handed_over.net_G.state_dict()
    for key, value in stage_one.items():
        torch.testing.assert_close(flow_net[key], value, rtol=0, atol=0, msg=f"{key} not carried over")
    pose_model = train_script.train(TrainOptions().parse(pose_args))
    assert pose_model.iteration == 4
    assert {"latest_net_G.pth", "latest_net_D.pth", "latest_train_state.pth"} <= set(os.listdir(run_dir))

    # ---------------------------------------------------------------- losses of both stages are finite
    records = logged_losses(run_dir)
    flow_losses = [r for r in records if "correctness" in r["losses"]]
    pose_losses = [r for r in records if "app_gen" in r["losses"]]
    assert len(flow_losses) == 2 and len(pose_losses) == 2
    for record in records:
        assert all(math.isfinite(value) for value in record["losses"].values()), record

    # ---------------------------------------------------------------- test.py: one image per pair
    test_script.test(TestOptions().parse(test_args))
    pairs = pd.read_csv(market_root / "market-pairs-test.csv")
    expected = {f"{os.path.splitext(a)[0]}_2_{os.path.splitext(b)[0]}_vis.jpg" for a, b in zip(pairs["from"], pairs["to"])}
    assert set(os.listdir(results)) == expected


def test_nan_pixel_stops_training_and_keeps_the_last_save(market_root, tmp_path, offline_vgg, monkeypatch):
    """One NaN pixel in one target image: stopped with the iteration, the losses and the pair's
    names; 'latest' of the previous save stays byte-identical and resumable."""
    from data.pair_dataset import PairDataset
    checkpoints = tmp_path / "checkpoints"
    args = train_args(market_root, checkpoints, "--model=pose_flow", "--serial_batches")
    train_script.train(TrainOptions().parse(args + ["--niter=2"]))
    latest = {name: (checkpoints / "syn" / name).read_bytes() for name in ("latest_net_G.pth", "latest_train_state.pth")}
    real_item = PairDataset.__getitem__

    def item_with_a_nan_pixel(self, index):
        item = real_item(self, index)
        item["P2"][0, 0, 0] = float("nan")
        return item
    monkeypatch.setattr(PairDataset, "__getitem__", item_with_a_nan_pixel)
    with pytest.raises(NonFiniteError, match=r"^iteration 3: non-finite loss correctness=nan(, regularization=nan)? on "
                                             r"the batch \S+_2_\S+\.jpg, \S+_2_\S+\.jpg; stopped without saving: "
                                             r"the checkpoint of iteration 2 stays the resume point"):
        train_script.train(TrainOptions().parse(args + ["--niter=4", "--continue_train"]))
    assert {name: (checkpoints / "syn" / name).read_bytes() for name in latest} == latest
