"""Local attention reshape against the scalar transcription of the original kernel (model/networks/local_attn_reshape/)"""
import pytest
import torch
import torch.nn.functional as F

from model.ops.local_attn_reshape import LocalAttnReshape, local_attn_reshape

from .loop_reference import local_attn_reshape_loop


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_forward_matches_loop(k):
    inputs = torch.randn(2, k * k, 3, 4, dtype=torch.float64)
    assert torch.equal(local_attn_reshape(inputs, k), local_attn_reshape_loop(inputs, k))


@pytest.mark.parametrize("k", [2, 3])
def test_backward_is_pixel_unshuffle(k):
    """The original's atomic scatter is the inverse bijection: pixel_unshuffle of the gradient."""
    inputs = torch.randn(2, k * k, 3, 4, dtype=torch.float64, requires_grad=True)
    grad_out = torch.randn(2, 1, 3 * k, 4 * k, dtype=torch.float64)
    (grad,) = torch.autograd.grad(local_attn_reshape(inputs, k), inputs, grad_out)
    assert torch.equal(grad, F.pixel_unshuffle(grad_out, k))


def test_gradcheck():
    inputs = torch.randn(2, 9, 3, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: local_attn_reshape(x, 3), (inputs,))


def test_module_has_original_signature():
    inputs = torch.randn(2, 9, 3, 4)
    assert torch.equal(LocalAttnReshape()(inputs, kernel_size=3), F.pixel_shuffle(inputs, 3))
    assert LocalAttnReshape()(torch.randn(1, 25, 2, 2), 5).shape == (1, 1, 10, 10)


def test_wrong_channel_count_raises():
    with pytest.raises(ValueError, match=r"inputs must be a 4-D tensor \[B, 9, H, W\].*got shape \(2, 4, 3, 4\)"):
        local_attn_reshape(torch.randn(2, 4, 3, 4), 3)


def test_forced_cuda_on_cpu_tensor_raises():
    with pytest.raises(ValueError, match="local_attn_reshape: impl='cuda' asks for the CUDA implementation"):
        local_attn_reshape(torch.randn(1, 4, 2, 2), 2, impl="cuda")
