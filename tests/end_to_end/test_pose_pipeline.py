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
from options.train_options import TrainOptions
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
    results = tmp_path / "results"
    test_opt = TestOptions().parse([*COMMON, "--model=pose", f"--dataroot={market_root}",
                                    f"--checkpoints_dir={checkpoints}", f"--results_dir={results}"])
    test_script.test(test_opt)
    pairs = pd.read_csv(market_root / "market-pairs-test.csv")
    expected = {f"{os.path.splitext(a)[0]}_2_{os.path.splitext(b)[0]}_vis.jpg" for a, b in zip(pairs["from"], pairs["to"])}
    assert set(os.listdir(results)) == expected
