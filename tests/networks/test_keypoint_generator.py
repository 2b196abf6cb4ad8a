"""The motion extraction net ``KPInput2DGenerator``: the original's state_dict layout key for key,
and its forward and gradients at float64 against the original's computation written out with bare
functional ops (original: model/networks/generator.py, KPInputNet2D.forward; base_function.py,
LayerNorm1d and ADALN1d). No released checkpoint of it exists, so the layout is the original's
written out from its constructor."""
import pytest
import torch
import torch.nn.functional as F

from model.networks.keypoint_generator import KPInput2DGenerator

JOINTS, CHANNELS = 17, 256
COORDINATES = 2 * JOINTS


def original_layout(channels=CHANNELS):
    """The original's (key, shape) list in registration order: expand_conv, expand_ln, shrink,
    layers_conv, layers_ln, then the three context convolutions."""
    keys = [("expand_conv.weight", (channels, COORDINATES, 3)), ("expand_ln.weight", (channels, 1)),
            ("expand_ln.bias", (channels, 1)), ("shrink.weight", (COORDINATES, channels, 1)),
            ("shrink.bias", (COORDINATES,))]
    keys += [(f"layers_conv.{i}.weight", (channels, channels, 3 if i % 2 == 0 else 1)) for i in range(6)]
    for i in range(6):
        keys += [(f"layers_ln.{i}.mlp_shared.0.weight", (128, channels)), (f"layers_ln.{i}.mlp_shared.0.bias", (128,)),
                 (f"layers_ln.{i}.mlp_gamma.weight", (channels, 128)), (f"layers_ln.{i}.mlp_gamma.bias", (channels,)),
                 (f"layers_ln.{i}.mlp_beta.weight", (channels, 128)), (f"layers_ln.{i}.mlp_beta.bias", (channels,))]
    keys += [(f"feature_conv_{i}.weight", (channels, COORDINATES if i == 1 else channels, 3)) for i in (1, 2, 3)]
    return [("kp_input." + key, shape) for key, shape in keys]


def test_layout_is_the_originals_key_for_key_and_loads_strictly():
    net = KPInput2DGenerator(structure_nc=JOINTS, channels=CHANNELS, layers=4)
    layout = original_layout()
    assert [(key, tuple(value.shape)) for key, value in net.state_dict().items()] == layout
    assert net.num_parameters() == 1834786  # the original's count
    generator = torch.Generator().manual_seed(0)
    state = {key: torch.randn(shape, generator=generator) for key, shape in layout}
    net.load_state_dict(state, strict=True)
    assert all(torch.equal(net.state_dict()[key], value) for key, value in state.items())
    with pytest.raises(RuntimeError, match="Missing key"):
        net.load_state_dict({key: value for key, value in state.items() if "feature_conv_3" not in key})


def test_init_leaves_the_layer_norm_affine_at_identity():
    net = KPInput2DGenerator(structure_nc=JOINTS).init_weights("orthogonal")
    ln = net.kp_input.expand_ln
    assert torch.equal(ln.weight, torch.ones(CHANNELS, 1)) and torch.equal(ln.bias, torch.zeros(CHANNELS, 1))
    assert torch.equal(net.kp_input.shrink.bias, torch.zeros(COORDINATES))
    weight = net.kp_input.layers_conv[1].weight.reshape(CHANNELS, CHANNELS)  # orthogonal, gain 0.02
    torch.testing.assert_close(weight @ weight.T, 0.02 ** 2 * torch.eye(CHANNELS), atol=1e-6, rtol=0)


def original_forward(state, keypoints, training, layers=4):
    """The original's forward with functional ops on the weights ``state`` (keys without 'kp_input.')."""
    def lrelu(x):
        return F.leaky_relu(x, 0.1)

    def drop(x):
        return F.dropout(x, 0.15, training)

    def adaptive_norm(x, feature, i):
        prefix = f"layers_ln.{i}."
        actv = F.relu(F.linear(feature, state[prefix + "mlp_shared.0.weight"], state[prefix + "mlp_shared.0.bias"]))
        gamma = F.linear(actv, state[prefix + "mlp_gamma.weight"], state[prefix + "mlp_gamma.bias"])
        beta = F.linear(actv, state[prefix + "mlp_beta.weight"], state[prefix + "mlp_beta.bias"])
        return F.layer_norm(x, x.shape[1:]) * (1 + gamma[:, :, None]) + beta[:, :, None]

    feature = lrelu(F.conv1d(keypoints, state["feature_conv_1.weight"], stride=2))
    feature = lrelu(F.conv1d(feature, state["feature_conv_2.weight"], stride=2))
    feature = lrelu(F.conv1d(feature, state["feature_conv_3.weight"], stride=2))
    feature = torch.mean(feature, 2)
    x = F.conv1d(keypoints, state["expand_conv.weight"])
    shape = x.shape[1:]
    x = F.layer_norm(x, shape, state["expand_ln.weight"].expand(shape), state["expand_ln.bias"].expand(shape))
    x = drop(lrelu(x))
    for i in range(layers - 1):
        pad = 3 ** (i + 1)
        res = x[:, :, pad:x.shape[2] - pad]
        x = drop(lrelu(adaptive_norm(F.conv1d(x, state[f"layers_conv.{2 * i}.weight"], dilation=pad), feature, 2 * i)))
        x = res + drop(lrelu(adaptive_norm(F.conv1d(x, state[f"layers_conv.{2 * i + 1}.weight"]), feature, 2 * i + 1)))
    return F.conv1d(x, state["shrink.weight"], state["shrink.bias"])


@pytest.mark.parametrize("training", [False, True])
def test_forward_and_gradients_equal_the_originals_at_float64(training):
    torch.manual_seed(0)
    net = KPInput2DGenerator(structure_nc=JOINTS, channels=32, layers=4).double()
    generator = torch.Generator().manual_seed(1)
    for parameter in net.parameters():  # away from the init's identity norms and zero biases
        parameter.data.normal_(0, 0.3, generator=generator)
    net.train(training)
    keypoints = (torch.rand(2, COORDINATES, 90, generator=generator, dtype=torch.float64) * 2 - 1).requires_grad_()
    target = torch.rand(2, COORDINATES, 10, generator=generator, dtype=torch.float64)

    torch.manual_seed(7)  # the same dropout masks: both draw them in the same order and shapes
    ours = net(keypoints)
    ours_grads = torch.autograd.grad(F.mse_loss(ours, target), [keypoints, *net.parameters()])
    state = {key.removeprefix("kp_input."): value for key, value in net.named_parameters()}
    torch.manual_seed(7)
    expected = original_forward(state, keypoints, training)
    expected_grads = torch.autograd.grad(F.mse_loss(expected, target), [keypoints, *state.values()])

    assert ours.shape == (2, COORDINATES, 10)  # T - 80
    torch.testing.assert_close(ours, expected, rtol=1e-12, atol=1e-12)
    for (name, _), ours_grad, expected_grad in zip([("input", None), *net.named_parameters()], ours_grads,
                                                    expected_grads):
        torch.testing.assert_close(ours_grad, expected_grad, rtol=1e-10, atol=1e-12, msg=lambda m: f"{name}: {m}")


def test_dropout_is_off_in_eval_mode():
    net = KPInput2DGenerator(structure_nc=JOINTS, channels=32).eval()
    keypoints = torch.rand(1, COORDINATES, 81)
    assert torch.equal(net(keypoints), net(keypoints)) and net(keypoints).shape == (1, COORDINATES, 1)


@pytest.mark.parametrize("shape", [(1, COORDINATES, 80), (1, 36, 104), (COORDINATES, 104)])
def test_wrong_input_shape_is_one_clear_error(shape):
    net = KPInput2DGenerator(structure_nc=JOINTS, channels=32)
    with pytest.raises(ValueError, match=r"keypoints must be \[B, 34, T\] with T >= 81 \(the receptive field\), "
                                         rf"got shape \({', '.join(map(str, shape))}\)"):
        net(torch.zeros(shape))
