"""ExtractorAttn: the efficient forward (no block tensors) equals the original's straightforward composition
(extract source and target blocks, conv logits, softmax, pixel_shuffle, avg_pool) in float64,
values and every gradient."""
import pytest
import torch
from torch import nn

from model.networks.attention import ExtractorAttn, _source_block_conv
from model.ops.block_extractor import block_extractor

from .assertions import assert_close
from .attention_reference import extractor_attn_composition


def make_inputs(batch=2, channels=3, h=4, w=5, flow_scale=2.5):
    """Flows of about ``flow_scale`` pixels; one pushes its block far outside the map."""
    source = torch.randn(batch, channels, h, w, dtype=torch.float64, requires_grad=True)
    target = torch.randn(batch, channels, h, w, dtype=torch.float64, requires_grad=True)
    flow = (torch.randn(batch, 2, h, w, dtype=torch.float64) * flow_scale)
    flow[:, :, 0, 0] = torch.tensor([20.5, -17.25], dtype=torch.float64)  # far outside
    return source, target, flow.requires_grad_()


def make_module(channels, k, softmax=True):
    module = ExtractorAttn(channels, k, nn.LeakyReLU(0.1), softmax=softmax).double()
    for parameter in module.parameters():  # larger weights than the default init: sharper softmax
        nn.init.normal_(parameter, std=0.3)
    return module


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("softmax", [True, False])
@pytest.mark.parametrize("flow_scale", [2.5, 8.0])  # 8: many blocks partly or wholly outside
def test_forward_and_gradients_equal_composition(k, softmax, flow_scale):
    module = make_module(3, k, softmax)
    inputs = make_inputs(flow_scale=flow_scale)
    out = module(*inputs)
    reference = extractor_attn_composition(module, *inputs)
    assert_close(out, reference, 1e-12, f"output k={k}")
    grad_out = torch.randn_like(out)
    wrt = [*inputs, *module.parameters()]
    names = ["source", "target", "flow"] + [name for name, _ in module.named_parameters()]
    grads = torch.autograd.grad(out, wrt, grad_out)
    reference_grads = torch.autograd.grad(reference, wrt, grad_out)
    for name, grad, expected in zip(names, grads, reference_grads):
        assert_close(grad, expected, 1e-11, f"gradient of {name}, k={k}")


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("size", [(4, 6), (1, 3)])
def test_source_block_conv_equals_conv_of_blocks(k, size):
    """The source half of the first conv: bilinear samples of the window convs equal the strided
    conv of the flow-displaced blocks (values and gradients), also for blocks far outside."""
    source = torch.randn(2, 3, *size, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(5, 3, k, k, dtype=torch.float64, requires_grad=True)
    flow = torch.empty(2, 2, *size, dtype=torch.float64).uniform_(-3 * max(size), 3 * max(size))
    flow.requires_grad_()
    out = _source_block_conv(source, weight, flow, k)
    expected = nn.functional.conv2d(block_extractor(source, flow, k, impl="torch"), weight, stride=k)
    assert_close(out, expected, 1e-12, f"source block conv k={k}")
    grad_out = torch.randn_like(out)
    for name, grad, reference in zip(("source", "weight", "flow"),
                                     torch.autograd.grad(out, (source, weight, flow), grad_out),
                                     torch.autograd.grad(expected, (source, weight, flow), grad_out)):
        assert_close(grad, reference, 1e-11, f"source block conv k={k}: gradient of {name}")


@pytest.mark.parametrize("k", [2, 3])
def test_gradcheck(k):
    module = ExtractorAttn(2, k, nn.ReLU()).double()
    source, target, flow = make_inputs(batch=1, channels=2, h=3, w=3)
    assert torch.autograd.gradcheck(module, (source, target, flow))


def test_output_is_weighted_mean_divided_by_k2():
    """With equal weights and zero flow, out = mean of the replicated 3x3 neighbourhood / 9."""
    module = make_module(1, 3)
    nn.init.zeros_(module.fully_connect_layer[2].weight)
    nn.init.zeros_(module.fully_connect_layer[2].bias)  # all logits 0: softmax weights 1/9
    source = torch.randn(1, 1, 4, 5, dtype=torch.float64)
    padded = nn.functional.pad(source, (1, 1, 1, 1), mode="replicate")
    expected = nn.functional.avg_pool2d(padded, 3, stride=1) / 9
    out = module(source, torch.randn_like(source), torch.zeros(1, 2, 4, 5, dtype=torch.float64))
    assert_close(out, expected, 1e-14, "uniform attention")


def test_hook_attn_param_returns_softmax_weights_and_output():
    module = make_module(3, 3)
    source, target, flow = make_inputs()
    weights, out = module.hook_attn_param(source, target, flow)
    assert weights.shape == (2, 9, 4, 5)
    assert_close(weights.sum(1), torch.ones(2, 4, 5, dtype=torch.float64), 1e-14, "softmax sums")
    assert torch.equal(out, module(source, target, flow))


def test_state_dict_keys_match_release():
    module = ExtractorAttn(256, 3, nn.LeakyReLU(0.1))
    shapes = {key: tuple(value.shape) for key, value in module.state_dict().items()}
    assert shapes == {
        "fully_connect_layer.0.weight": (128, 512, 3, 3), "fully_connect_layer.0.bias": (128,),
        "fully_connect_layer.2.weight": (9, 128, 1, 1), "fully_connect_layer.2.bias": (9,),
    }


def test_mismatched_shapes_raise():
    module = make_module(3, 3)
    source, target, flow = make_inputs()
    with pytest.raises(ValueError, match=r"flow_field must have shape \(2, 2, 4, 5\)"):
        module(source, target, flow[:, :, :3])
    with pytest.raises(ValueError, match=r"source and target must both have shape \[B, 3, H, W\]"):
        module(source, target[:, :2], flow)
