"""Options the networks and losses cannot honour are refused at parse time, with the limit and the reason.

Each limit is checked against the code it protects: the kernel sizes the affine regularisation
accepts, and the image sizes the flow estimator (in training mode) accepts.
"""
import numpy as np
import pytest
import torch

from model.networks.flow_estimator import FlowEstimator
from model.networks.losses import MultiAffineRegularizationLoss
from options.errors import OptionError
from options.train_options import TrainOptions
from options.validation import FLOW_ENCODER_LAYERS


def parse(tmp_path, *args):
    return TrainOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=-1", "--model=pose_flow",
                                 "--dataset_mode=market", *args], save=False)


def parse_error(tmp_path, *args):
    with pytest.raises(OptionError) as info:
        parse(tmp_path, *args)
    return str(info.value)


def test_a_layer_given_two_kernel_sizes_is_refused(tmp_path):
    message = parse_error(tmp_path, "--attn_layer=2", "--kernel_size=2=3,2=5")
    assert "layer 2 is given twice in '2=3,2=5'" in message


def regularisation_works(kernel_size, flow_hw):
    """The affine regularisation of a random flow at ``flow_hw`` with this kernel: finite loss and gradient."""
    try:
        loss_fn = MultiAffineRegularizationLoss({"2": kernel_size})
        flow = torch.randn(1, 2, *flow_hw, dtype=torch.float64, requires_grad=True)
        loss = loss_fn([flow])
        loss.backward()
    except (np.linalg.LinAlgError, RuntimeError):
        return False
    return bool(torch.isfinite(loss) and torch.isfinite(flow.grad).all())


@pytest.mark.parametrize("kernel_size", range(1, 10))
def test_kernel_sizes_are_accepted_exactly_when_the_regularisation_works(tmp_path, kernel_size):
    # --load_size 64,32: layer 2's flow is 16x8, so 2..8 work (odd and even), 1 is singular, 9 too large
    args = ("--load_size=64,32", "--attn_layer=2", f"--kernel_size=2={kernel_size}")
    works = regularisation_works(kernel_size, (16, 8))
    assert works == (2 <= kernel_size <= 8)
    if works:
        assert parse(tmp_path, *args).kernel_size == {"2": kernel_size}
    elif kernel_size == 1:
        assert "kernel size of layer 2 must be >= 2, got 1 (the affine regularisation" in parse_error(tmp_path, *args)
    else:
        assert ("kernel size 9 of layer 2 exceeds its 16x8 flow at --load_size 64,32 (the affine regularisation "
                "needs whole k x k windows); use at most 8") in parse_error(tmp_path, *args)


def test_each_layer_is_checked_against_its_own_flow(tmp_path):
    # layer 3's flow at 64x32 is 8x4
    assert parse(tmp_path, "--load_size=64,32", "--attn_layer=2,3", "--kernel_size=2=5,3=4").kernel_size == {
        "2": 5, "3": 4}
    assert "kernel size 5 of layer 3 exceeds its 8x4 flow" in parse_error(
        tmp_path, "--load_size=64,32", "--attn_layer=2,3", "--kernel_size=2=5,3=5")


def flow_estimator_trains_at(height, width):
    """One training-mode forward of a small flow estimator of the models' depth at this image size."""
    net = FlowEstimator(input_nc=3, ngf=4, img_f=8, encoder_layer=FLOW_ENCODER_LAYERS, attn_layer=(2,),
                        norm="instance", activation="LeakyReLU", use_spect=False).train()
    try:
        net(torch.randn(1, 3, height, width))
    except (ValueError, RuntimeError):
        return False
    return True


@pytest.mark.parametrize("size, message", [
    ((64, 32), None), ((32, 64), None), ((96, 64), None), ((128, 64), None),
    ((32, 32), "--load_size 32,32 is too small: the flow estimator's 1/32-scale map would be 1x1 and instance "
               "normalisation needs more than one value; use at least --load_size=64,32 or 32,64"),
    ((48, 32), "--load_size 48,32: height and width must be multiples of 32"),
    ((100, 60), "--load_size 100,60: height and width must be multiples of 32 (the flow estimator halves the "
                "image 5 times and doubles it back), e.g. --load_size=96,64"),
])
def test_load_sizes_are_accepted_exactly_when_the_flow_estimator_takes_them(tmp_path, size, message):
    args = (f"--load_size={size[0]},{size[1]}", "--attn_layer=2", "--kernel_size=2=3")
    assert flow_estimator_trains_at(*size) == (message is None)
    if message is None:
        assert parse(tmp_path, *args).load_size == size
    else:
        assert message in parse_error(tmp_path, *args)
