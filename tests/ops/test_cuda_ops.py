"""CUDA extensions against the pure-PyTorch twins: forward and every gradient, all dtypes,
random shapes, non-contiguous inputs, argument checks. Needs a GPU (skipped elsewhere); the
first test to run builds the extensions (about a minute each)."""
import random

import pytest
import torch
from torch import nn

from model.networks.attention import ExtractorAttn
from model.ops import custom_ops
from model.ops.block_extractor import EXTENSION as BLOCK_EXTENSION
from model.ops.block_extractor import block_extractor
from model.ops.resample2d import EXTENSION as RESAMPLE_EXTENSION
from model.ops.resample2d import resample2d

from .assertions import assert_close

pytestmark = pytest.mark.cuda

TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-5, torch.float16: 1e-2, torch.bfloat16: 1e-2}
DTYPES = list(TOLERANCE)
RESAMPLE_VARIANTS = [(4, 1, 2.0), (2, 1, 5.0), (3, 2, 1.0), (6, 1, 3.0)]


def flow_dtype(dtype):
    """Flows stay float32 for half features, as under autocast."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def random_flow(batch, h, w, dtype):
    """Flows of a few pixels whose fractions stay 0.01 away from integers, so that no rounding
    (float32 coordinates, the twin's grid_sample normalisation) moves a sample to the next pixel,
    where the flow gradient jumps; one sample is far outside the map."""
    flow = torch.randn(batch, 2, h, w, dtype=torch.float64) * 3
    flow[:, :, 0, 0] = torch.tensor([45.5, -38.25], dtype=torch.float64)
    flow = flow.floor() + (flow - flow.floor()).clamp(0.01, 0.99)
    return flow.to("cuda", dtype)


def compare(op, leaves, dtype, name, views=None, grad_out_view=None):
    """Run ``op(*views(*leaves), impl=...)`` with 'cuda' and 'torch' and compare the outputs and
    the gradients of every leaf. ``grad_out_view`` maps a contiguous tensor of the output's
    shape to the gradient fed to backward (e.g. a non-contiguous one)."""
    rel = TOLERANCE[dtype]
    outputs, grads = {}, {}
    grad_out = None
    for impl in ("torch", "cuda"):
        inputs = [leaf.detach().clone().requires_grad_() for leaf in leaves]
        out = op(*(views(*inputs) if views else inputs), impl=impl)
        if grad_out is None:
            grad_out = torch.randn(out.shape, device=out.device, dtype=torch.float64).to(out.dtype)
            grad_out = grad_out_view(grad_out) if grad_out_view else grad_out
        outputs[impl] = out
        grads[impl] = torch.autograd.grad(out, inputs, grad_out)
    assert outputs["cuda"].dtype == outputs["torch"].dtype
    assert_close(outputs["cuda"], outputs["torch"], rel, f"{name}: forward")
    for index, (grad, expected) in enumerate(zip(grads["cuda"], grads["torch"])):
        assert grad.dtype == expected.dtype == leaves[index].dtype
        assert_close(grad, expected, rel, f"{name}: gradient of input {index}")


def random_shapes(count, seed):
    """(batch, channels, source (h, w), flow (h, w)): channel counts around the kernels' groups
    of 8, sizes from 1 to 11, source and flow sizes differing."""
    rng = random.Random(seed)
    shapes = []
    for _ in range(count):
        flow_size = (rng.randint(1, 11), rng.randint(1, 11))
        source_size = flow_size if rng.random() < 0.5 else (rng.randint(1, 11), rng.randint(1, 11))
        shapes.append((rng.randint(1, 3), rng.choice([1, 3, 8, 9, 17]), source_size, flow_size))
    return shapes


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_block_extractor_matches_twin(dtype, k):
    for batch, channels, source_size, flow_size in random_shapes(4, seed=k):
        source = torch.randn(batch, channels, *source_size, device="cuda", dtype=dtype)
        flow = random_flow(batch, *flow_size, flow_dtype(dtype))
        compare(lambda s, f, impl: block_extractor(s, f, k, impl=impl), [source, flow], dtype,
                f"block_extractor k={k} {dtype} {tuple(source.shape)} flow {tuple(flow.shape)}")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("kernel_size, dilation, sigma", RESAMPLE_VARIANTS)
def test_resample2d_matches_twin(dtype, kernel_size, dilation, sigma):
    for batch, channels, input_size, flow_size in random_shapes(4, seed=kernel_size * 10 + dilation):
        input1 = torch.randn(batch, channels, *input_size, device="cuda", dtype=dtype)
        flow = random_flow(batch, *flow_size, flow_dtype(dtype))
        compare(lambda i, f, impl: resample2d(i, f, kernel_size, dilation, sigma, impl=impl),
                [input1, flow], dtype,
                f"resample2d {kernel_size, dilation, sigma} {dtype} {tuple(input1.shape)} flow {tuple(flow.shape)}")


@pytest.mark.parametrize("op", ["block_extractor", "resample2d"])
def test_half_flow_is_accepted(op):
    """A bfloat16 flow is computed in float32 on both paths; its gradient comes back in bfloat16."""
    source = torch.randn(2, 5, 6, 7, device="cuda", dtype=torch.bfloat16)
    flow = random_flow(2, 6, 7, torch.bfloat16)
    function = (lambda s, f, impl: block_extractor(s, f, 3, impl=impl)) if op == "block_extractor" \
        else (lambda s, f, impl: resample2d(s, f, 4, 1, 2.0, impl=impl))
    compare(function, [source, flow], torch.bfloat16, f"{op} with bfloat16 flow")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
def test_larger_maps_many_channels(dtype):
    """Many blocks and channel groups (C=40 is 5 forward groups, 5 backward rounds per group)."""
    source = torch.randn(2, 40, 24, 20, device="cuda", dtype=dtype)
    flow = random_flow(2, 24, 20, dtype)
    compare(lambda s, f, impl: block_extractor(s, f, 3, impl=impl), [source, flow], dtype,
            "block_extractor 2x40x24x20")
    compare(lambda s, f, impl: resample2d(s, f, 4, 1, 2.0, impl=impl), [source, flow], dtype,
            "resample2d 2x40x24x20")


def transposed(tensor):
    """The same values as ``tensor`` in a non-contiguous layout (last two axes stored swapped)."""
    return tensor.transpose(-1, -2).contiguous().transpose(-1, -2)


def channel_slice_view(source, flow):
    """Non-contiguous views: every other channel of the source, transposed storage of the flow."""
    return source[:, ::2], transposed(flow)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
def test_noncontiguous_inputs(dtype):
    source = torch.randn(3, 8, 7, 6, device="cuda", dtype=dtype)
    flow = random_flow(3, 7, 6, dtype)
    assert not channel_slice_view(source, flow)[0].is_contiguous()
    compare(lambda s, f, impl: block_extractor(s, f, 3, impl=impl), [source, flow], dtype,
            "block_extractor non-contiguous inputs", views=channel_slice_view)
    compare(lambda s, f, impl: resample2d(s, f, 4, 1, 2.0, impl=impl), [source, flow], dtype,
            "resample2d non-contiguous inputs", views=channel_slice_view)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
def test_noncontiguous_grad_output_with_batch_gt_1(dtype):
    """The original BlockExtractor backward took the batch index from the incoming gradient's
    memory layout: a non-contiguous gradient with batch > 1 (the attention's target branch) gave
    some samples double gradient and others none. Ours makes it contiguous first."""
    source = torch.randn(3, 4, 5, 6, device="cuda", dtype=dtype)
    flow = random_flow(3, 5, 6, dtype)
    batch_last = lambda g: g.permute(1, 2, 3, 0).contiguous().permute(3, 0, 1, 2)  # noqa: E731
    compare(lambda s, f, impl: block_extractor(s, f, 3, impl=impl), [source, flow], dtype,
            "block_extractor non-contiguous grad_out", grad_out_view=batch_last)
    compare(lambda s, f, impl: resample2d(s, f, 4, 1, 2.0, impl=impl), [source, flow], dtype,
            "resample2d non-contiguous grad_out", grad_out_view=batch_last)


@pytest.mark.parametrize("needs", [(True, False), (False, True)])
def test_only_requested_gradients(needs):
    source = torch.randn(2, 3, 5, 6, device="cuda", dtype=torch.float64, requires_grad=needs[0])
    flow = random_flow(2, 5, 6, torch.float64).requires_grad_(needs[1])
    wanted = [t for t in (source, flow) if t.requires_grad]
    for op in (lambda s, f, impl: block_extractor(s, f, 3, impl=impl),
               lambda s, f, impl: resample2d(s, f, 4, 1, 2.0, impl=impl)):
        (cuda,) = torch.autograd.grad(op(source, flow, "cuda").sum(), wanted)
        (twin,) = torch.autograd.grad(op(source, flow, "torch").sum(), wanted)
        assert_close(cuda, twin, 1e-10, "single gradient")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize("k", [3, 4])
def test_extractor_attn_cuda_matches_twin(monkeypatch, dtype, k):
    module = ExtractorAttn(6, k, nn.LeakyReLU(0.1)).to("cuda", dtype)
    source = torch.randn(2, 6, 9, 7, device="cuda", dtype=dtype)
    target = torch.randn(2, 6, 9, 7, device="cuda", dtype=dtype)
    flow = random_flow(2, 9, 7, dtype)

    def attention(s, t, f, impl):
        monkeypatch.setenv(custom_ops.IMPL_ENV_VAR, impl)  # ExtractorAttn follows the environment
        return module(s, t, f)

    compare(attention, [source, target, flow], dtype, f"ExtractorAttn k={k}")


def test_int64_indexing():
    """An output of more than 2**31 elements takes the 64-bit index path."""
    free, _ = torch.cuda.mem_get_info()
    if free < 40 * 2 ** 30:
        pytest.skip(f"needs 40 GiB of free GPU memory, {free / 2 ** 30:.0f} GiB free")
    source = torch.randn(1, 100, 128, 128, device="cuda", dtype=torch.bfloat16)
    flow = random_flow(1, 128, 128, torch.float32)
    k = 37  # 100 * (37 * 128) ** 2 = 2.24e9 > 2**31 elements
    results = {}
    for impl in ("torch", "cuda"):
        leaves = [source.clone().requires_grad_(), flow.clone().requires_grad_()]
        out = block_extractor(*leaves, k, impl=impl)
        assert out.numel() > 2 ** 31
        last = out[:, -1].float()  # the last channel lies beyond index 2**31
        grads = torch.autograd.grad(out, leaves, torch.ones_like(out))
        results[impl] = (last, *grads)
        del out
    for name, cuda, twin in zip(("last channel", "source gradient", "flow gradient"), results["cuda"],
                                results["torch"]):
        assert_close(cuda, twin, 1e-2, f"64-bit indexing: {name}")


def test_auto_uses_the_extension_without_warning(recwarn):
    tensor = torch.zeros(1, device="cuda")
    assert custom_ops.select_extension("block_extractor", BLOCK_EXTENSION, None, tensor) \
        is BLOCK_EXTENSION.load()
    assert custom_ops.select_extension("resample2d", RESAMPLE_EXTENSION, "cuda", tensor) \
        is RESAMPLE_EXTENSION.load()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("impl", ["torch", "cuda"])
@pytest.mark.parametrize("op", ["block_extractor", "resample2d", "local_attention_apply"])
def test_ops_replay_in_a_cuda_graph(op, impl):
    """Forward and both gradients captured in a CUDA graph (as the fast path does) and replayed on new
    inputs equal the eager call, with either implementation: no host copy or synchronisation inside."""
    from model.ops.local_attention_apply import local_attention_apply
    calls = {"block_extractor": lambda s, f: block_extractor(s, f, 3, impl=impl),
             "resample2d": lambda s, f: resample2d(s, f, 4, 1, 2.0, impl=impl),
             "local_attention_apply": lambda s, f: local_attention_apply(s, weights, f, 3, impl=impl)}
    weights = torch.randn(2, 9, 5, 6, device="cuda")
    source = torch.randn(2, 3, 5, 6, device="cuda", requires_grad=True)
    flow = random_flow(2, 5, 6, torch.float32).requires_grad_()

    def step():
        out = calls[op](source, flow)
        return (out, *torch.autograd.grad((out * out).sum(), (source, flow)))
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(2):
            step()  # warm-up outside the capture
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        captured = step()
    with torch.no_grad():
        source.copy_(torch.randn_like(source))
        flow.copy_(random_flow(2, 5, 6, torch.float32))
    graph.replay()
    for name, got, expected in zip(("output", "source gradient", "flow gradient"), captured, step()):
        assert_close(got, expected, 1e-5, f"{op} ({impl}) replayed: {name}")


def test_deterministic_mode_refuses_the_atomic_source_gradient():
    source = torch.randn(1, 2, 4, 4, device="cuda")
    flow = random_flow(1, 4, 4, torch.float32).requires_grad_()
    torch.use_deterministic_algorithms(True)
    try:
        out = block_extractor(source.requires_grad_(), flow, 3, impl="cuda")
        with pytest.raises(RuntimeError, match="block_extractor_backward_cuda"):
            out.sum().backward()
        out = block_extractor(source.detach(), flow, 3, impl="cuda")
        out.sum().backward()  # the flow gradient alone has no atomics: allowed
    finally:
        torch.use_deterministic_algorithms(False)


def cuda(*shape, dtype=torch.float32):
    return torch.randn(*shape, device="cuda").to(dtype)


@pytest.mark.parametrize("make_arguments, message", [
    (lambda: (torch.randn(2, 3, 4, 4), cuda(2, 2, 4, 4), 3),
     "block_extractor: source must be a CUDA tensor, got a tensor on cpu"),
    (lambda: (cuda(2, 3, 4, 4).int(), cuda(2, 2, 4, 4), 3),
     "source must be float32, float64, float16 or bfloat16, got Int"),
    (lambda: (cuda(2, 3, 4), cuda(2, 2, 4, 4), 3), "source must be a 4-D tensor [B, C, H, W], got shape [2, 3, 4]"),
    (lambda: (cuda(2, 3, 4, 4), cuda(2, 3, 4, 4), 3), "flow must have 2 channels, got shape [2, 3, 4, 4]"),
    (lambda: (cuda(2, 3, 4, 4), cuda(1, 2, 4, 4), 3),
     "flow must have the batch size of source (2), got shape [1, 2, 4, 4]"),
    (lambda: (cuda(2, 3, 4, 4), cuda(2, 2, 4, 4), 0), "kernel_size must be >= 1, got 0"),
])
def test_block_extractor_extension_checks_arguments(make_arguments, message):
    with pytest.raises(RuntimeError) as error:
        BLOCK_EXTENSION.load().forward(*make_arguments())
    assert message in str(error.value)


def test_block_extractor_extension_checks_grad_out():
    source, flow = cuda(2, 3, 4, 4), cuda(2, 2, 4, 4)
    with pytest.raises(RuntimeError, match=r"grad_out must have shape \[2, 3, 12, 12\], got \[2, 3, 12, 11\]"):
        BLOCK_EXTENSION.load().backward(cuda(2, 3, 12, 11), source, flow, 3, True, True)
    with pytest.raises(RuntimeError, match="grad_out must have the dtype of source"):
        BLOCK_EXTENSION.load().backward(cuda(2, 3, 12, 12, dtype=torch.float64), source, flow, 3, True, True)


@pytest.mark.parametrize("make_arguments, message", [
    (lambda: (cuda(2, 3, 4, 4), torch.randn(2, 2, 4, 4), 4, 1, 2.0),
     "resample2d: flow must be a CUDA tensor, got a tensor on cpu"),
    (lambda: (cuda(2, 3, 4, 4), cuda(2, 1, 4, 4), 4, 1, 2.0), "flow must have 2 channels, got shape [2, 1, 4, 4]"),
    (lambda: (cuda(2, 3, 4, 4), cuda(2, 2, 4, 4), 1, 1, 2.0), "kernel_size must be >= 2"),
    (lambda: (cuda(2, 3, 4, 4), cuda(2, 2, 4, 4), 4, 0, 2.0), "dilation must be >= 1, got 0"),
    (lambda: (cuda(2, 3, 4, 4), cuda(2, 2, 4, 4), 4, 1, 0.0), "sigma must be a finite number > 0, got 0"),
])
def test_resample2d_extension_checks_arguments(make_arguments, message):
    with pytest.raises(RuntimeError) as error:
        RESAMPLE_EXTENSION.load().forward(*make_arguments())
    assert message in str(error.value)
