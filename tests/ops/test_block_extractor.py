"""Block extractor twin (pure PyTorch) against the scalar transcription of the original kernel (model/networks/block_extractor/)"""
import pytest
import torch

from model.ops.block_extractor import BlockExtractor, block_extractor

from .assertions import assert_close
from .loop_reference import block_extractor_backward_loop, block_extractor_loop

# (batch, channels, source size, flow size): non-square, batch > 1, source and flow sizes
# differing (the original allowed it), and a one-pixel-wide map.
SHAPES = [(2, 3, (4, 5), (4, 5)), (2, 2, (5, 3), (3, 4)), (1, 2, (1, 4), (2, 3))]


def random_flow(batch, h, w, far=True):
    """Flows of a few pixels, some pushing samples far outside the map when ``far``."""
    flow = torch.randn(batch, 2, h, w, dtype=torch.float64) * 2.5
    if far:
        flow[:, :, 0, 0] = torch.tensor([40.3, -37.7], dtype=torch.float64)
        flow[0, :, -1, -1] = torch.tensor([-55.1, 61.9], dtype=torch.float64)
    return flow


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_matches_loop(k, shape):
    batch, channels, source_size, flow_size = shape
    source = torch.randn(batch, channels, *source_size, dtype=torch.float64)
    flow = random_flow(batch, *flow_size)
    assert_close(block_extractor(source, flow, k, impl="torch"), block_extractor_loop(source, flow, k),
                 1e-12, f"forward k={k}")


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("shape", SHAPES[:2])
def test_gradients_match_loop(k, shape):
    batch, channels, source_size, flow_size = shape
    source = torch.randn(batch, channels, *source_size, dtype=torch.float64, requires_grad=True)
    flow = random_flow(batch, *flow_size).requires_grad_()
    out = block_extractor(source, flow, k, impl="torch")
    grad_out = torch.randn_like(out)
    grad_source, grad_flow = torch.autograd.grad(out, (source, flow), grad_out)
    loop_source, loop_flow = block_extractor_backward_loop(grad_out, source.detach(), flow.detach(), k)
    assert_close(grad_source, loop_source, 1e-12, f"source gradient k={k}")
    assert_close(grad_flow, loop_flow, 1e-12, f"flow gradient k={k}")


@pytest.mark.parametrize("k", [2, 3])
def test_gradcheck(k):
    source = torch.randn(2, 3, 5, 4, dtype=torch.float64, requires_grad=True)
    flow = random_flow(2, 5, 4).requires_grad_()
    assert torch.autograd.gradcheck(lambda s, f: block_extractor(s, f, k, impl="torch"), (source, flow))


def test_even_k_offsets_are_asymmetric():
    """k=4 with zero flow: cell (i, j) holds rows i-2 .. i+1 and columns j-2 .. j+1, edge-replicated."""
    source = torch.arange(30, dtype=torch.float64).view(1, 1, 5, 6)
    blocks = block_extractor(source, torch.zeros(1, 2, 5, 6, dtype=torch.float64), 4, impl="torch")
    rows = torch.tensor([0, 0, 1, 2])     # i = 1: 1-2 .. 1+1, clamped at 0
    cols = torch.tensor([2, 3, 4, 5])     # j = 4: 4-2 .. 4+1
    # not bit-exact: grid_sample's normalise/unnormalise round trip moves points by ~1e-16 px
    assert_close(blocks[0, 0, 4:8, 16:20], source[0, 0][rows][:, cols], 1e-14, "cell (1, 4)")


def test_module_has_original_signature():
    source = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    flow = random_flow(2, 4, 5)
    module = BlockExtractor(kernel_size=3)
    assert torch.equal(module(source, flow), block_extractor(source, flow, 3))
    assert module(source, flow_field=flow).shape == (2, 3, 12, 15)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_low_precision_keeps_dtype_and_accuracy(dtype):
    """Half types are computed in float32: only the inputs' and the result's rounding remain."""
    source = torch.randn(2, 3, 6, 5).to(dtype)
    flow = random_flow(2, 6, 5).float()
    out = block_extractor(source, flow, 3, impl="torch")
    assert out.dtype == dtype
    exact = block_extractor(source.double(), flow.double(), 3, impl="torch")
    assert_close(out, exact, 1e-2 if dtype != torch.float32 else 1e-6, f"{dtype} forward")


@pytest.mark.parametrize("source_shape, flow_shape, kernel_size, message", [
    ((2, 3, 4), (2, 2, 4, 4), 3, "source must be a 4-D floating tensor"),
    ((2, 3, 4, 4), (2, 3, 4, 4), 3, "flow must be a floating tensor [B, 2, H, W] with B = 2"),
    ((2, 3, 4, 4), (1, 2, 4, 4), 3, "got torch.float64 tensor of shape (1, 2, 4, 4)"),
    ((2, 3, 4, 4), (2, 2, 4, 4), 0, "kernel_size must be an int >= 1, got 0"),
    ((2, 3, 4, 4), (2, 2, 4, 4), 2.0, "kernel_size must be an int >= 1, got 2.0"),
])
def test_bad_inputs_raise(source_shape, flow_shape, kernel_size, message):
    source = torch.randn(source_shape, dtype=torch.float64)
    flow = torch.randn(flow_shape, dtype=torch.float64)
    with pytest.raises(ValueError, match="block_extractor") as error:
        block_extractor(source, flow, kernel_size)
    assert message in str(error.value)


def test_noncontiguous_inputs_give_the_same_result():
    source = torch.randn(2, 6, 5, 4, dtype=torch.float64)
    flow = random_flow(2, 5, 4)
    strided_source = source.transpose(2, 3).contiguous().transpose(2, 3)[:, ::2]
    strided_flow = flow.transpose(2, 3).contiguous().transpose(2, 3)
    assert not strided_source.is_contiguous() and not strided_flow.is_contiguous()
    assert torch.equal(block_extractor(strided_source, strided_flow, 3), block_extractor(source[:, ::2], flow, 3))
