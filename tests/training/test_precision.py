"""--precision (util/precision.py): bf16 runs train.py's step and test.py's generation under
bfloat16 autocast, while weights stay float32 and the flow heads compute in float32; fp32 (the
default) leaves everything as it was."""
import math
import os

import pandas as pd
import pytest
import torch

import test as test_script
import train as train_script
from model.networks.flow_estimator import FlowEstimator
from options.errors import OptionError
from options.test_options import TestOptions
from options.train_options import TrainOptions
from tests.end_to_end.test_pose_pipeline import COMMON, logged_losses, market_root, train_args  # noqa: F401 (a fixture)
from util.precision import autocast, autocast_dtype


def small_flow_estimator():
    torch.manual_seed(0)
    return FlowEstimator(input_nc=3, ngf=8, img_f=32, encoder_layer=3, attn_layer=[1, 2], norm="instance",
                         activation="LeakyReLU", use_spect=False)


def test_flow_heads_compute_in_float32_under_autocast():
    net = small_flow_estimator()
    inputs = torch.randn(2, 3, 32, 32)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        flows, masks = net(inputs)
    assert [flow.dtype for flow in flows + masks] == [torch.float32] * 4
    # the rest of the network ran in bfloat16: the flows differ from a float32 forward by bf16 rounding only
    reference, _ = net(inputs)
    for flow, expected in zip(flows, reference):
        assert not torch.equal(flow, expected)
        torch.testing.assert_close(flow, expected, rtol=0.1, atol=0.05)


def test_without_autocast_the_flow_heads_keep_the_dtype():
    net = small_flow_estimator().double()
    flows, masks = net(torch.randn(1, 3, 32, 32, dtype=torch.float64))
    assert [flow.dtype for flow in flows + masks] == [torch.float64] * 4


def test_precision_names_an_autocast_dtype():
    assert autocast_dtype(TrainOptions().parse([*COMMON, "--dataroot=."], save=False)) is None
    assert autocast_dtype(type("Options", (), {"precision": "bf16"})) is torch.bfloat16
    assert autocast_dtype(object()) is None  # options without the attribute: float32
    with autocast("cpu", None):
        assert not torch.is_autocast_enabled("cpu")
    with autocast("cpu", torch.bfloat16):
        assert torch.is_autocast_enabled("cpu") and torch.get_autocast_dtype("cpu") is torch.bfloat16


def test_bad_precision_is_one_clear_error():
    with pytest.raises(OptionError, match=r"^argument --precision: invalid choice: 'fp16' \(choose from 'fp32', 'bf16'\)$"):
        TrainOptions().parse([*COMMON, "--dataroot=.", "--precision=fp16"], save=False)


@pytest.mark.slow
def test_bf16_trains_and_tests_the_pose_model(market_root, tmp_path, offline_vgg):
    checkpoints = tmp_path / "checkpoints"
    model = train_script.train(TrainOptions().parse(
        train_args(market_root, checkpoints, "--model=pose", "--niter=2", "--precision=bf16")))
    assert model.img_gen.dtype == torch.bfloat16  # the step ran under autocast
    assert all(math.isfinite(value) for record in logged_losses(checkpoints / "syn") for value in record["losses"].values())
    saved = torch.load(checkpoints / "syn" / "latest_net_G.pth", weights_only=True)
    assert {value.dtype for value in saved.values() if value.is_floating_point()} == {torch.float32}

    results = tmp_path / "results"
    test_script.test(TestOptions().parse([*COMMON, "--model=pose", f"--dataroot={market_root}", "--precision=bf16",
                                          f"--checkpoints_dir={checkpoints}", f"--results_dir={results}"]))
    pairs = pd.read_csv(market_root / "market-pairs-test.csv")
    assert len(os.listdir(results)) == len(pairs)


@pytest.mark.slow
def test_fp32_is_the_default_and_runs_without_autocast(market_root, tmp_path, offline_vgg):
    model = train_script.train(TrainOptions().parse(train_args(market_root, tmp_path / "checkpoints", "--model=pose",
                                                               "--niter=1")))
    assert model.opt.precision == "fp32" and model.img_gen.dtype == torch.float32


@pytest.mark.cuda
@pytest.mark.slow
def test_bf16_on_the_graphed_path(market_root, tmp_path, offline_vgg):
    """The fast path captures the bf16 step (after its eager warm-up) and trains on."""
    checkpoints = tmp_path / "checkpoints"
    args = [arg.replace("--gpu_ids=-1", "--gpu_ids=0") for arg in
            train_args(market_root, checkpoints, "--model=pose", "--niter=6", "--precision=bf16", "--cuda_graphs=on")]
    model = train_script.train(TrainOptions().parse(args))
    assert model.iteration == 6 and model.img_gen.dtype == torch.bfloat16
    assert all(math.isfinite(value) for record in logged_losses(checkpoints / "syn") for value in record["losses"].values())
