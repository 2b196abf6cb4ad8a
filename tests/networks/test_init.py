"""Weight initialisation (original: model/networks/base_network.py, BaseNetwork.init_weights): orthogonal gain 0.02 except on spectral-norm layers."""
import math
import types

import pytest
import torch
from torch import nn

from model.networks import build_network
from model.networks.base_network import BaseNetwork
from model.networks.blocks import EncoderBlock
from model.networks.discriminators import ResDiscriminator
from model.networks.norm_act import get_nonlinearity_layer, get_norm_layer
from model.networks.pose_generator import PoseFlowNetGenerator

OPT = types.SimpleNamespace(init_type='orthogonal')


def small_generator(norm='instance', init_type='orthogonal'):
    opt = types.SimpleNamespace(init_type=init_type)
    return build_network(PoseFlowNetGenerator, opt, structure_nc=2, ngf=8, img_f=16, encoder_layer=3,
                         norm=norm, activation='LeakyReLU', attn_layer=[1, 2], use_spect=False)


def conv_layers(net):
    return [m for m in net.modules() if isinstance(m, (nn.modules.conv._ConvNd, nn.Linear))]


def test_orthogonal_init_scales_non_spectral_convs_by_0_02():
    torch.manual_seed(0)
    net = small_generator()
    convs = conv_layers(net)
    assert len(convs) > 10
    for conv in convs:
        weight = conv.weight.detach().double()
        # orthogonal_ flattens dim 0 against the rest (for ConvTranspose2d dim 0 is the input)
        matrix = weight.reshape(weight.shape[0], -1)
        gram = matrix @ matrix.T if matrix.shape[0] <= matrix.shape[1] else matrix.T @ matrix
        torch.testing.assert_close(gram, 0.02 ** 2 * torch.eye(gram.shape[0], dtype=torch.float64),
                                   rtol=0, atol=1e-9)
        assert torch.count_nonzero(conv.bias) == 0


def test_spectral_norm_layers_keep_default_init_and_zero_bias():
    torch.manual_seed(0)
    net = build_network(ResDiscriminator, OPT, ndf=32, img_f=128, layers=4, use_spect=True)
    sn_convs = [m for m in conv_layers(net) if hasattr(m, 'weight_orig')]
    assert len(sn_convs) == 13
    for conv in sn_convs:
        weight = conv.weight_orig.detach()
        fan_in = weight[0].numel()
        bound = 1 / math.sqrt(fan_in)            # PyTorch's default kaiming_uniform_(a=sqrt(5))
        assert weight.abs().max() <= bound
        assert weight.std() > 0.5 * bound / math.sqrt(3)
        matrix = weight.reshape(weight.shape[0], -1).double()
        if matrix.shape[0] > 1:                  # not a scaled orthogonal matrix
            assert not torch.allclose(matrix @ matrix.T, 0.02 ** 2 * torch.eye(matrix.shape[0], dtype=torch.float64),
                                      atol=1e-6)
        assert torch.count_nonzero(conv.bias) == 0


def test_batch_norm_weights_are_normal_around_one_and_instance_norm_untouched():
    torch.manual_seed(0)
    batch = small_generator(norm='batch')
    weights = torch.cat([m.weight.detach() for m in batch.modules() if isinstance(m, nn.BatchNorm2d)])
    assert abs(weights.mean().item() - 1) < 0.01 and 0.01 < weights.std().item() < 0.03
    assert all(torch.count_nonzero(m.bias) == 0 for m in batch.modules() if isinstance(m, nn.BatchNorm2d))
    instance = small_generator(norm='instance')
    for module in instance.modules():
        if isinstance(module, nn.InstanceNorm2d):
            assert torch.equal(module.weight, torch.ones_like(module.weight))
            assert torch.equal(module.bias, torch.zeros_like(module.bias))


@pytest.mark.parametrize('init_type, expected_std', [('normal', 0.02), ('xavier', None), ('kaiming', None)])
def test_other_init_types(init_type, expected_std):
    torch.manual_seed(0)
    net = small_generator(init_type=init_type)
    conv = net.flow_net.decoder0.model[2]
    fan_in, fan_out = conv.weight[0].numel(), conv.weight.shape[0] * conv.weight[0, 0].numel()
    expected = {'normal': 0.02, 'xavier': 0.02 * math.sqrt(2 / (fan_in + fan_out)),
                'kaiming': math.sqrt(2 / fan_in)}[init_type]
    assert conv.weight.std().item() == pytest.approx(expected, rel=0.1)
    assert torch.count_nonzero(conv.bias) == 0


def test_init_none_keeps_pytorch_defaults_but_zeroes_biases():
    net = small_generator(init_type='none')
    conv = net.flow_net.block0.model[2]
    assert conv.weight.abs().max() <= 1 / math.sqrt(conv.weight[0].numel())
    assert torch.count_nonzero(conv.bias) == 0


def test_unknown_init_type_is_rejected():
    class Tiny(BaseNetwork):
        def __init__(self):
            super().__init__()
            self.block = EncoderBlock(3, 4, get_norm_layer('none'), get_nonlinearity_layer('ReLU'))

    with pytest.raises(ValueError, match=r"init_type: unknown initialisation 'gaussian'; expected one of"):
        Tiny().init_weights('gaussian')

