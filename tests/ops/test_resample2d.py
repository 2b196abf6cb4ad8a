"""Resample2d twin (pure PyTorch) against the scalar transcription of the original kernel (model/networks/resample2d_package/)"""
import pytest
import torch

from model.ops.resample2d import Resample2d, resample2d

from .assertions import assert_close
from .loop_reference import resample2d_flow_grad_loop, resample2d_input_grad_loop, resample2d_loop

# (kernel_size, dilation, sigma): GFLA's (4, 1, 2), the default (2, 1, 5), an odd size that
# loses a ring, dilation 2, a wider kernel and a narrow Gaussian.
VARIANTS = [(4, 1, 2.0), (2, 1, 5.0), (3, 1, 1.5), (4, 2, 1.0), (6, 1, 3.0), (4, 1, 0.7)]


def random_inputs(batch=2, channels=3, input_size=(5, 6), flow_size=(4, 3), far=True):
    """input1 and a flow of a few pixels; some points land far outside the map when ``far``."""
    input1 = torch.randn(batch, channels, *input_size, dtype=torch.float64)
    flow = torch.randn(batch, 2, *flow_size, dtype=torch.float64) * 2.5
    if far:
        flow[:, :, 0, 0] = torch.tensor([30.3, -27.6], dtype=torch.float64)
        flow[0, :, -1, -1] = torch.tensor([-44.2, 51.9], dtype=torch.float64)
    return input1, flow


@pytest.mark.parametrize("kernel_size, dilation, sigma", VARIANTS)
def test_forward_matches_loop(kernel_size, dilation, sigma):
    input1, flow = random_inputs()
    assert_close(resample2d(input1, flow, kernel_size, dilation, sigma, impl="torch"),
                 resample2d_loop(input1, flow, kernel_size, dilation, sigma), 1e-12,
                 f"forward {kernel_size, dilation, sigma}")


def test_odd_kernel_size_loses_a_ring():
    input1, flow = random_inputs()
    assert torch.equal(resample2d(input1, flow, 3, 1, 2.0), resample2d(input1, flow, 2, 1, 2.0))
    assert torch.equal(resample2d(input1, flow, 5, 1, 2.0), resample2d(input1, flow, 4, 1, 2.0))


@pytest.mark.parametrize("kernel_size, dilation, sigma", [(4, 1, 2.0), (3, 2, 1.0)])
def test_gradients_match_loop(kernel_size, dilation, sigma):
    input1, flow = random_inputs(flow_size=(3, 4))
    input1.requires_grad_()
    flow.requires_grad_()
    out = resample2d(input1, flow, kernel_size, dilation, sigma, impl="torch")
    grad_out = torch.randn_like(out)
    grad_input, grad_flow = torch.autograd.grad(out, (input1, flow), grad_out)
    args = (grad_out, input1.detach(), flow.detach(), kernel_size, dilation, sigma)
    assert_close(grad_flow, resample2d_flow_grad_loop(*args), 1e-11, "flow gradient")
    assert_close(grad_input, resample2d_input_grad_loop(*args), 1e-12, "input1 gradient")


def test_input_gradient_fixes_original_truncation_bug():
    """The original's input1 gradient took the fraction as X - int(X): wrong where X < 0 or Y < 0.
    Ours is the true gradient (gradcheck below); here: equal to the floor-based formula
    everywhere, different from the truncating one exactly where some coordinate is negative."""
    input1 = torch.randn(1, 1, 4, 4, dtype=torch.float64)
    flow = torch.rand(1, 2, 4, 4, dtype=torch.float64) * 2  # X, Y >= 0 ...
    flow[0, 0, 1, 1] = -1.4  # ... except X = -0.4 here
    flow[0, 1, 2, 3] = -2.7  # and Y = -0.7 here (in (-1, 0): the taps are not all clamped)
    input1.requires_grad_()
    out = resample2d(input1, flow, 4, 1, 2.0, impl="torch")
    grad_out = torch.zeros_like(out)
    args = (input1.detach(), flow, 4, 1, 2.0)
    for y in range(4):
        for x in range(4):
            grad_out.zero_()
            grad_out[0, 0, y, x] = 1.0
            (grad,) = torch.autograd.grad(out, input1, grad_out, retain_graph=True)
            assert_close(grad, resample2d_input_grad_loop(grad_out, *args), 1e-12, f"pixel {(y, x)}")
            truncated = resample2d_input_grad_loop(grad_out, *args, truncate=True)
            negative = bool(x + flow[0, 0, y, x] < 0 or y + flow[0, 1, y, x] < 0)
            assert (not torch.allclose(grad, truncated)) == negative, f"pixel {(y, x)}"


@pytest.mark.parametrize("kernel_size, dilation, sigma", [(4, 1, 2.0), (2, 2, 1.0)])
def test_gradcheck(kernel_size, dilation, sigma):
    input1, flow = random_inputs(batch=2, channels=2, input_size=(4, 5), flow_size=(3, 4))
    input1.requires_grad_()
    flow.requires_grad_()
    assert torch.autograd.gradcheck(
        lambda i, f: resample2d(i, f, kernel_size, dilation, sigma, impl="torch"), (input1, flow))


def test_module_has_original_signature():
    input1, flow = random_inputs()
    module = Resample2d(4, 1, sigma=2)
    assert torch.equal(module(input1, flow), resample2d(input1, flow, 4, 1, 2.0))
    assert Resample2d()(input1, flow).shape == (2, 3, 4, 3)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_keeps_dtype_and_accuracy(dtype):
    input1, flow = random_inputs()
    out = resample2d(input1.to(dtype), flow.float(), 4, 1, 2.0)
    assert out.dtype == dtype
    exact = resample2d(input1.to(dtype).double(), flow.float().double(), 4, 1, 2.0)
    assert_close(out, exact, 1e-2, f"{dtype} forward")


@pytest.mark.parametrize("kwargs, message", [
    (dict(sigma=0), "sigma must be a finite number > 0, got 0"),
    (dict(sigma=float("nan")), "sigma must be a finite number > 0, got nan"),
    (dict(kernel_size=1), "kernel_size must be an int >= 2"),
    (dict(dilation=0), "dilation must be an int >= 1, got 0"),
    (dict(flow=torch.zeros(2, 3, 4, 3, dtype=torch.float64)), "flow must be a floating tensor [B, 2, H, W]"),
    (dict(input1=torch.zeros(2, 3, 5)), "input1 must be a 4-D floating tensor"),
])
def test_bad_inputs_raise(kwargs, message):
    input1, flow = random_inputs()
    arguments = dict(input1=input1, flow=flow, kernel_size=4, dilation=1, sigma=2.0) | kwargs
    with pytest.raises(ValueError, match="resample2d") as error:
        resample2d(**arguments)
    assert message in str(error.value)


def test_noncontiguous_inputs_give_the_same_result():
    input1, flow = random_inputs(channels=6)
    strided_input = input1.transpose(2, 3).contiguous().transpose(2, 3)[:, ::2]
    strided_flow = flow.transpose(2, 3).contiguous().transpose(2, 3)
    assert not strided_input.is_contiguous() and not strided_flow.is_contiguous()
    assert torch.equal(resample2d(strided_input, strided_flow, 4, 1, 2.0), resample2d(input1[:, ::2], flow, 4, 1, 2.0))
