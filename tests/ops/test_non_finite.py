"""A NaN or infinite flow gives NaN outputs where it is used (never an index error, never a finite
sample) on the PyTorch twin and the CUDA kernels alike; finite inputs are unaffected. With
GFLA_CHECK_FINITE=1 every op raises one NonFiniteError naming the op and the input instead."""
import pytest
import torch
from torch import nn

from model.networks.attention import ExtractorAttn
from model.ops import block_extractor, custom_ops, local_attention_apply, resample2d
from model.ops.custom_ops import NonFiniteError

from .assertions import assert_close

B, C, H, W, K = 2, 3, 4, 5, 3
BAD = (1, 2, 3)  # (sample, row, column) of the non-finite flow entry


def run_op(name, source, flow, impl):
    """The op's output, and a bool [B, H', W'] map of the outputs that read flow position BAD."""
    hit = torch.zeros(B, H, W, dtype=torch.bool)
    hit[BAD] = True
    if name == "block_extractor":
        return block_extractor(source, flow, K, impl=impl), hit.repeat_interleave(K, 1).repeat_interleave(K, 2)
    if name == "resample2d":
        return resample2d(source, flow, 4, 1, 2.0, impl=impl), hit
    weights = torch.softmax(torch.randn(B, K * K, H, W, generator=torch.Generator().manual_seed(1),
                                        dtype=source.dtype), 1).to(source.device)
    return local_attention_apply(source, weights, flow, K, impl=impl), hit


def inputs(value, device="cpu", dtype=torch.float64):
    generator = torch.Generator().manual_seed(0)
    source = torch.randn(B, C, H, W, generator=generator, dtype=dtype).to(device)
    flow = (torch.randn(B, 2, H, W, generator=generator, dtype=dtype) * 2).to(device)
    bad_flow = flow.clone()
    bad_flow[BAD[0], 1, BAD[1], BAD[2]] = value
    return source, flow, bad_flow


OPS = ["block_extractor", "resample2d", "local_attention_apply"]
VALUES = [float("nan"), float("inf"), -float("inf")]


def assert_nan_exactly_where_used(name, value, device, impl):
    source, flow, bad_flow = inputs(value, device)
    clean, _ = run_op(name, source, flow, impl)
    out, hit = run_op(name, source, bad_flow.requires_grad_(), impl)
    hit = hit.to(device)[:, None].expand_as(out)
    assert torch.isnan(out[hit]).all(), f"{name}: a {value} flow gave finite outputs"
    assert torch.equal(out[~hit], clean[~hit]), f"{name}: outputs that do not read the {value} flow changed"
    out.sum().backward()  # no index error (nor out-of-bounds access) in the backward either
    assert bad_flow.grad.shape == bad_flow.shape


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("name", OPS)
def test_twin_gives_nan_exactly_where_the_flow_is_not_finite(name, value):
    assert_nan_exactly_where_used(name, value, "cpu", "torch")


@pytest.mark.cuda
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("name", OPS)
def test_cuda_kernels_give_nan_exactly_where_the_flow_is_not_finite(name, value):
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    assert_nan_exactly_where_used(name, value, "cuda", "cuda")


def test_extractor_attn_output_is_nan_where_the_flow_is_not_finite():
    module = ExtractorAttn(C, K, nn.LeakyReLU(0.1)).double()
    source, flow, bad_flow = inputs(float("nan"))
    out = module(source, torch.randn_like(source), bad_flow)
    assert torch.isnan(out[BAD[0], :, BAD[1], BAD[2]]).all()
    assert torch.isfinite(out).sum() == out.numel() - C


@pytest.mark.parametrize("name", OPS)
def test_check_finite_switch_raises_naming_op_and_input(name, monkeypatch):
    monkeypatch.setenv(custom_ops.CHECK_FINITE_ENV_VAR, "1")
    source, flow, bad_flow = inputs(float("nan"))
    clean, _ = run_op(name, source, flow, "torch")
    monkeypatch.delenv(custom_ops.CHECK_FINITE_ENV_VAR)
    assert torch.equal(clean, run_op(name, source, flow, "torch")[0])  # finite inputs: same output
    monkeypatch.setenv(custom_ops.CHECK_FINITE_ENV_VAR, "1")
    with pytest.raises(NonFiniteError, match=rf"^{name}: flow holds non-finite values \(1 NaN, 0 inf of "
                                             rf"{B * 2 * H * W}; the first at index \(1, 1, 2, 3\)\)") as error:
        run_op(name, source, bad_flow, "torch")
    assert "\n" not in str(error.value) and "GFLA_CHECK_FINITE=1" in str(error.value)
    source[0, 0, 0, 0] = float("inf")
    first_input = "input1" if name == "resample2d" else "source"
    with pytest.raises(NonFiniteError, match=rf"^{name}: {first_input} holds non-finite values \(0 NaN, 1 inf"):
        run_op(name, source, flow, "torch")


def test_nan_where_non_finite_keeps_finite_values_and_gradients_bitwise():
    values = torch.randn(2, 3, 6, 9, dtype=torch.float64, requires_grad=True)
    flow = torch.randn(2, 2, 2, 3, dtype=torch.float64, requires_grad=True)
    out = custom_ops.nan_where_non_finite(values, flow, 3)
    assert torch.equal(out, values)
    grad_out = torch.randn_like(out)
    (grad,) = torch.autograd.grad(out, values, grad_out)
    assert torch.equal(grad, grad_out)
    flow.data[1, 0, 1, 2] = float("-inf")
    out = custom_ops.nan_where_non_finite(values.half(), flow, 3)
    assert out.dtype == torch.float16 and torch.isnan(out[1, :, 3:, 6:]).all()
    assert_close(out[0], values[0].half(), 0, "untouched sample")
