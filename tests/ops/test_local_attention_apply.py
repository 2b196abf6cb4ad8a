"""local_attention_apply: the twin against a scalar transcription of the original (block
extraction loop, then the weighted cell mean as an einsum), its gradcheck and argument checks;
on a GPU, the CUDA kernels against the twin (forward and every gradient, all dtypes, odd and
even k, non-contiguous inputs, single gradients), that ExtractorAttn saves no block tensor for
backward, and the extension's argument checks."""
import pytest
import torch
from torch import nn

from model.networks.attention import ExtractorAttn
from model.ops.local_attention_apply import CUDA_MAX_KERNEL_SIZE, EXTENSION, local_attention_apply

from .assertions import assert_close
from .loop_reference import block_extractor_loop
from .test_block_extractor import random_flow as far_flow

KERNEL_SIZES = [1, 2, 3, 4, 5]


def loop_apply(source, weights, flow, k):
    """out[b, c, i, j] = 1/k^2 * sum_{u,v} weights[b, u*k+v, i, j] * block[b, c, i*k+u, j*k+v]."""
    b, c, h, w = source.shape
    blocks = block_extractor_loop(source, flow, k).view(b, c, h, k, w, k)
    return torch.einsum("bchuwv,buvhw->bchw", blocks, weights.view(b, k, k, h, w)) / k ** 2


def random_inputs(k, batch=2, channels=3, h=4, w=5, dtype=torch.float64, device="cpu"):
    source = torch.randn(batch, channels, h, w, dtype=dtype, device=device)
    weights = torch.randn(batch, k * k, h, w, dtype=dtype, device=device)
    return source, weights


@pytest.mark.parametrize("k", KERNEL_SIZES)
@pytest.mark.parametrize("size", [(4, 5), (1, 3)])
def test_twin_matches_loop(k, size):
    source, weights = random_inputs(k, h=size[0], w=size[1])
    flow = far_flow(2, *size)
    assert_close(local_attention_apply(source, weights, flow, k, impl="torch"),
                 loop_apply(source, weights, flow, k), 1e-12, f"twin k={k}")


@pytest.mark.parametrize("k", [2, 3])
def test_twin_gradcheck(k):
    source, weights = random_inputs(k, batch=2, channels=2, h=3, w=4)
    flow = far_flow(2, 3, 4)
    inputs = [t.requires_grad_() for t in (source, weights, flow)]
    assert torch.autograd.gradcheck(lambda s, a, f: local_attention_apply(s, a, f, k, impl="torch"), inputs)


def test_promotes_mixed_dtypes():
    """bfloat16 features with float32 weights (softmax under autocast): computed in float32."""
    source, weights = random_inputs(3, dtype=torch.float32)
    flow = far_flow(2, 4, 5).float()
    out = local_attention_apply(source.bfloat16(), weights, flow, 3, impl="torch")
    assert out.dtype == torch.float32
    assert_close(out, local_attention_apply(source.bfloat16().float(), weights, flow, 3, impl="torch"), 0,
                 "promoted")


@pytest.mark.parametrize("source_shape, weights_shape, flow_shape, kernel_size, message", [
    ((2, 3, 4), (2, 9, 4, 4), (2, 2, 4, 4), 3, "source must be a 4-D floating tensor [B, C, H, W], got"),
    ((2, 3, 4, 4), (2, 4, 4, 4), (2, 2, 4, 4), 3,
     "weights must be a floating tensor of shape (2, 9, 4, 4) (source's batch and size), got"),
    ((2, 3, 4, 4), (2, 9, 4, 4), (2, 2, 4, 5), 3, "flow must be a floating tensor of shape (2, 2, 4, 4)"),
    ((2, 3, 4, 4), (2, 9, 4, 4), (2, 2, 4, 4), 0, "kernel_size must be an int >= 1, got 0"),
    ((2, 3, 4, 4), (2, 9, 4, 4), (2, 2, 4, 4), 3.0, "kernel_size must be an int >= 1, got 3.0"),
])
def test_bad_inputs_raise(source_shape, weights_shape, flow_shape, kernel_size, message):
    with pytest.raises(ValueError, match="local_attention_apply") as error:
        local_attention_apply(torch.randn(source_shape), torch.randn(weights_shape), torch.randn(flow_shape),
                              kernel_size)
    assert message in str(error.value)


# ---- CUDA -------------------------------------------------------------------------------------

def cuda_helpers():
    from . import test_cuda_ops  # imported lazily: it is a CUDA-only test module

    return test_cuda_ops


@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16, torch.float16], ids=str)
@pytest.mark.parametrize("k", [*KERNEL_SIZES, CUDA_MAX_KERNEL_SIZE])
def test_cuda_matches_twin(dtype, k):
    helpers = cuda_helpers()
    for batch, channels, h, w in [(2, 3, 6, 7), (1, 17, 5, 3), (3, 8, 1, 9), (2, 40, 12, 10)]:
        source, weights = random_inputs(k, batch, channels, h, w, dtype, "cuda")
        flow = helpers.random_flow(batch, h, w, helpers.flow_dtype(dtype))
        helpers.compare(lambda s, a, f, impl: local_attention_apply(s, a, f, k, impl=impl), [source, weights, flow],
                        dtype, f"local_attention_apply k={k} {dtype} {tuple(source.shape)}")


@pytest.mark.cuda
def test_cuda_noncontiguous_inputs_and_grad_out():
    helpers = cuda_helpers()
    source, weights = random_inputs(3, 3, 8, 7, 6, torch.float64, "cuda")
    flow = helpers.random_flow(3, 7, 6, torch.float64)
    views = lambda s, a, f: (s[:, ::2], helpers.transposed(a), helpers.transposed(f))  # noqa: E731
    assert not any(view.is_contiguous() for view in views(source, weights, flow))
    helpers.compare(lambda s, a, f, impl: local_attention_apply(s, a, f, 3, impl=impl), [source, weights, flow],
                    torch.float64, "non-contiguous inputs", views=views,
                    grad_out_view=lambda g: g.permute(1, 2, 3, 0).contiguous().permute(3, 0, 1, 2))


@pytest.mark.cuda
@pytest.mark.parametrize("needs", [(True, False, False), (False, True, False), (False, False, True),
                                   (True, False, True)])
def test_cuda_only_requested_gradients(needs):
    helpers = cuda_helpers()
    source, weights = random_inputs(5, 2, 9, 6, 7, torch.float64, "cuda")
    flow = helpers.random_flow(2, 6, 7, torch.float64)
    leaves = [t.requires_grad_(need) for t, need in zip((source, weights, flow), needs)]
    wanted = [t for t in leaves if t.requires_grad]
    cuda = torch.autograd.grad(local_attention_apply(*leaves, 5, impl="cuda").sum(), wanted)
    twin = torch.autograd.grad(local_attention_apply(*leaves, 5, impl="torch").sum(), wanted)
    for grad, expected in zip(cuda, twin):
        assert_close(grad, expected, 1e-10, f"single gradients {needs}")


@pytest.mark.cuda
def test_cuda_kernel_sizes_beyond_the_kernels_take_the_twin():
    k = CUDA_MAX_KERNEL_SIZE + 1
    source, weights = random_inputs(k, device="cuda")
    flow = far_flow(2, 4, 5).cuda()
    assert_close(local_attention_apply(source, weights, flow, k, impl="cuda"),
                 loop_apply(source.cpu(), weights.cpu(), flow.cpu(), k), 1e-12, f"k={k}")


@pytest.mark.cuda
@pytest.mark.parametrize("dtype, rel", [(torch.float32, 1e-5), (torch.bfloat16, 3e-2)], ids=str)
@pytest.mark.parametrize("k", [3, 5])
def test_extractor_attn_cuda_matches_twin(monkeypatch, dtype, rel, k):
    """The whole attention; bfloat16 gets a wider bound: the twin rounds every product of the
    weighted cell mean to bfloat16, and the differences pass through softmax and both convs."""
    helpers = cuda_helpers()
    module = ExtractorAttn(16, k, nn.LeakyReLU(0.1)).to("cuda", dtype)
    source, target = (torch.randn(2, 16, 9, 7, device="cuda", dtype=dtype) for _ in range(2))
    flow = helpers.random_flow(2, 9, 7, helpers.flow_dtype(dtype))

    def attention(s, t, f, impl):
        monkeypatch.setenv(helpers.custom_ops.IMPL_ENV_VAR, impl)
        return module(s, t, f)

    monkeypatch.setitem(helpers.TOLERANCE, dtype, rel)
    helpers.compare(attention, [source, target, flow], dtype, f"ExtractorAttn k={k} {dtype}")


@pytest.mark.cuda
def test_extractor_attn_saves_no_block_tensor(monkeypatch):
    """Nothing saved for backward (parameters aside) comes near a [B, C, k*H, k*W] block tensor
    (C = 128 as in the models: the window convs G, [B, 128, H+k-1, W+k-1], are saved)."""
    monkeypatch.setenv("GFLA_OPS_IMPL", "cuda")
    b, c, h, w, k = 2, 128, 12, 10, 5
    module = ExtractorAttn(c, k, nn.LeakyReLU(0.1)).cuda()
    parameter_storages = {p.untyped_storage().data_ptr() for p in module.parameters()}
    inputs = [torch.randn(b, c, h, w, device="cuda", requires_grad=True) for _ in range(2)]
    flow = cuda_helpers().random_flow(b, h, w, torch.float32).requires_grad_()
    saved = []

    def pack(tensor):
        if tensor.untyped_storage().data_ptr() not in parameter_storages:
            saved.append(tensor.numel())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = module(*inputs, flow)
    assert saved and max(saved) < b * c * k * h * k * w // 4, f"saved tensor sizes {sorted(saved)}"
    out.sum().backward()


@pytest.mark.cuda
def test_cuda_deterministic_mode_refuses_only_the_atomic_source_gradient():
    source, weights = random_inputs(3, device="cuda")
    flow = cuda_helpers().random_flow(2, 4, 5, torch.float64).requires_grad_()
    torch.use_deterministic_algorithms(True)
    try:
        out = local_attention_apply(source.requires_grad_(), weights, flow, 3, impl="cuda")
        with pytest.raises(RuntimeError, match="local_attention_apply_backward_cuda"):
            out.sum().backward()
        out = local_attention_apply(source.detach(), weights.requires_grad_(), flow, 3, impl="cuda")
        out.sum().backward()  # weights and flow gradients are reduced without atomics: allowed
    finally:
        torch.use_deterministic_algorithms(False)


def cuda_tensor(*shape, dtype=torch.float32):
    return torch.randn(*shape, device="cuda").to(dtype)


@pytest.mark.cuda
@pytest.mark.parametrize("make_arguments, message", [
    (lambda: (cuda_tensor(2, 3, 4, 4), cuda_tensor(2, 9, 4, 4), cuda_tensor(2, 2, 4, 4), 9),
     "local_attention_apply: kernel_size must be in [1, 8] for the CUDA kernels, got 9"),
    (lambda: (torch.randn(2, 3, 4, 4), cuda_tensor(2, 9, 4, 4), cuda_tensor(2, 2, 4, 4), 3),
     "source must be a CUDA tensor, got a tensor on cpu"),
    (lambda: (cuda_tensor(2, 3, 4, 4), cuda_tensor(2, 9, 4, 4, dtype=torch.float64), cuda_tensor(2, 2, 4, 4), 3),
     "weights must have the dtype of source (Float), got Double"),
    (lambda: (cuda_tensor(2, 3, 4, 4), cuda_tensor(2, 4, 4, 4), cuda_tensor(2, 2, 4, 4), 3),
     "weights must have shape [2, 9, 4, 4], got [2, 4, 4, 4]"),
    (lambda: (cuda_tensor(2, 3, 4, 4), cuda_tensor(2, 9, 4, 4), cuda_tensor(2, 2, 4, 3), 3),
     "flow must have shape [2, 2, 4, 4], got [2, 2, 4, 3]"),
])
def test_extension_checks_arguments(make_arguments, message):
    with pytest.raises(RuntimeError) as error:
        EXTENSION.load().forward(*make_arguments())
    assert message in str(error.value)


@pytest.mark.cuda
def test_extension_checks_grad_out():
    source, weights, flow = cuda_tensor(2, 3, 4, 4), cuda_tensor(2, 9, 4, 4), cuda_tensor(2, 2, 4, 4)
    with pytest.raises(RuntimeError, match=r"grad_out must have shape \[2, 3, 4, 4\], got \[2, 3, 4, 5\]"):
        EXTENSION.load().backward(cuda_tensor(2, 3, 4, 5), source, weights, flow, 3, True, True, True)
