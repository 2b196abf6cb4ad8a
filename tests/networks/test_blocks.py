"""Building blocks, sub-networks and build_network: structure, kept quirks and error messages."""
import types

import pytest
import torch
from torch import nn

from model.networks import build_network
from model.networks.blocks import Jump, Output, ResBlock, ResBlock3DEncoder, ResBlockDecoder, ResBlocks
from model.networks.discriminators import ResDiscriminator, TemporalDiscriminator
from model.networks.face_generator import FaceTargetNet
from model.networks.flow_estimator import FlowEstimator
from model.networks.norm_act import get_nonlinearity_layer, get_norm_layer
from model.networks.pose_generator import PoseSourceNet, PoseTargetNet

ACT = get_nonlinearity_layer('LeakyReLU')
INSTANCE = get_norm_layer('instance')


def randomise(module, seed=0):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)
    return module


def test_factories():
    assert get_nonlinearity_layer('LeakyReLU').negative_slope == 0.1
    norm = INSTANCE(5)
    assert isinstance(norm, nn.InstanceNorm2d) and norm.affine and not norm.track_running_stats
    assert get_norm_layer('none') is None
    with pytest.raises(ValueError, match=r"norm: unknown normalisation 'group'; expected one of"):
        get_norm_layer('group')
    with pytest.raises(ValueError, match=r"activation: unknown activation 'GELU'; expected one of"):
        get_nonlinearity_layer('GELU')


@pytest.mark.parametrize('block_class, conv_index', [(Jump, 2), (Output, 2)])
def test_jump_and_output_store_their_conv_under_two_keys(block_class, conv_index):
    block = block_class(4, 3, 3, None, ACT)
    assert block.conv1 is block.model[conv_index]
    state = block.state_dict()
    assert list(state) == ['conv1.weight', 'conv1.bias', f'model.{conv_index}.weight', f'model.{conv_index}.bias']
    assert state['conv1.weight'].data_ptr() == state[f'model.{conv_index}.weight'].data_ptr()
    with_norm = block_class(4, 3, 3, INSTANCE, ACT)
    assert with_norm.conv1 is with_norm.model[3]


def test_output_is_a_tanh_image_and_jump_keeps_the_size():
    x = torch.randn(2, 4, 6, 5) * 100
    image = randomise(Output(4, 3, 3, None, ACT))(x)
    assert image.shape == (2, 3, 6, 5) and image.abs().max() <= 1
    assert randomise(Jump(4, 3, 3, None, ACT))(x).shape == (2, 3, 6, 5)


def test_res_block_shortcut_is_identity_unless_channels_change():
    block = ResBlock(4, norm_layer=INSTANCE, nonlinearity=ACT)
    assert isinstance(block.shortcut, nn.Identity)
    with torch.no_grad():
        block.model[5].weight.zero_()
        block.model[5].bias.zero_()
    x = torch.randn(2, 4, 5, 5)
    torch.testing.assert_close(block(x), x)      # body silenced: only the identity shortcut remains
    projecting = ResBlock(4, 6, norm_layer=INSTANCE, nonlinearity=ACT)
    assert isinstance(projecting.shortcut[0], nn.Conv2d) and projecting(x).shape == (2, 6, 5, 5)


def test_res_blocks_channel_chain():
    blocks = ResBlocks(3, 4, 6, 5, None, ACT)
    convs = [(block.model[1].in_channels, block.model[3].out_channels) for block in blocks.model]
    assert convs == [(4, 5), (5, 5), (5, 6)]
    assert blocks(torch.randn(1, 4, 3, 3)).shape == (1, 6, 3, 3)
    with pytest.raises(ValueError, match='num_blocks: expected >= 1, got 0'):
        ResBlocks(0, 4, nonlinearity=ACT)
    with pytest.raises(ValueError, match='nonlinearity: expected an activation module .*, got None'):
        ResBlocks(2, 4)


def test_resolution_changing_blocks():
    decoder = randomise(ResBlockDecoder(4, 3, None, INSTANCE, ACT))
    x = torch.randn(2, 4, 5, 6)
    assert decoder(x).shape == (2, 3, 10, 12)
    with torch.no_grad():                         # body silenced: the shortcut sees the raw input
        decoder.model[5].weight.zero_()
        decoder.model[5].bias.zero_()
    torch.testing.assert_close(decoder(x), decoder.shortcut(x))
    assert ResBlock3DEncoder(3, 4, None, ACT)(torch.randn(1, 3, 6, 16, 16)).shape == (1, 4, 4, 8, 8)


def test_source_net_returns_features_deepest_first_with_the_image_last():
    net = PoseSourceNet(3, 8, 32, 3, 'instance', 'LeakyReLU', False)
    image = torch.randn(1, 3, 32, 32)
    features = net(image)
    assert [tuple(f.shape) for f in features] == [(1, 32, 4, 4), (1, 16, 8, 8), (1, 8, 16, 16), (1, 3, 32, 32)]
    assert features[-1] is image


def small_target(target_class, attn_layer=(2, 3)):
    torch.manual_seed(0)
    return randomise(target_class(4, 3, 8, 32, 3, 2, 'instance', 'LeakyReLU', attn_layer,
                                  {'2': 3, '3': 3}, False))


def decoder_inputs(seed, sources=1, masks_value=None):
    """Encoded target [1, 32, 4, 4], source feature lists, flows and masks for layers 3 and 2."""
    generator = torch.Generator().manual_seed(seed)
    features = [[torch.randn(1, 32, 4, 4, generator=generator), torch.randn(1, 16, 8, 8, generator=generator)]
                for _ in range(sources)]
    flows = [torch.randn(1, 2, size, size, generator=generator) for size in (4, 8) for _ in range(sources)]
    masks = [torch.full((1, 1, size, size), masks_value) if masks_value is not None
             else torch.rand(1, 1, size, size, generator=generator) for size in (4, 8) for _ in range(sources)]
    return features, flows, masks


def test_pose_target_with_closed_masks_ignores_the_source():
    net = small_target(PoseTargetNet)
    structure = torch.randn(1, 4, 32, 32)
    first, flows, masks = decoder_inputs(1, masks_value=0.0)
    second, _, _ = decoder_inputs(2)
    torch.testing.assert_close(net(structure, first[0], flows, masks), net(structure, second[0], flows, masks))
    open_masks = [torch.ones_like(mask) for mask in masks]
    assert not torch.allclose(net(structure, first[0], flows, open_masks), net(structure, second[0], flows, open_masks))


def test_face_target_sums_the_two_blends():
    """Kept quirk: with both masks 0 the feature is doubled at every attention layer."""
    net = small_target(FaceTargetNet)
    structure = torch.randn(1, 4, 32, 32)
    features, flows, masks = decoder_inputs(3, sources=2, masks_value=0.0)
    out = 2 * net.encode(structure)                  # layer 3 attention
    out = 2 * net.decoder0(out)                      # layer 2 attention
    expected = net.outconv(net.decoder2(net.decoder1(out)))
    torch.testing.assert_close(net(structure, features[0], features[1], flows, masks), expected)


def test_flow_estimator_heads_and_checks():
    estimator = FlowEstimator(5, 8, 32, 4, [1, 3], 'instance', 'LeakyReLU', False, flows_per_layer=2)
    flows, masks = estimator(torch.randn(1, 5, 32, 32))
    assert [tuple(f.shape) for f in flows] == [(1, 2, 4, 4)] * 2 + [(1, 2, 16, 16)] * 2
    assert [tuple(m.shape) for m in masks] == [(1, 1, 4, 4)] * 2 + [(1, 1, 16, 16)] * 2
    assert all(((m > 0) & (m < 1)).all() for m in masks)
    with pytest.raises(ValueError, match=r'attn_layer: expected layers in \[1, 3\], got \[4\]'):
        FlowEstimator(5, 8, 32, 4, [4], 'instance', 'LeakyReLU', False)
    with_code = FlowEstimator(3, 8, 32, 3, [1], 'instance', 'LeakyReLU', False, code_nc=2)
    with pytest.raises(ValueError, match=r'code: expected a \[B, 2, 1, 1\] tensor, got None'):
        with_code(torch.randn(1, 3, 16, 16))
    with pytest.raises(ValueError, match='code: this estimator has code_nc=0'):
        estimator(torch.randn(1, 5, 32, 32), torch.zeros(1, 2, 1, 1))


def test_target_net_argument_errors():
    with pytest.raises(ValueError, match=r"extractor_kz: no kernel size for attention layer 3; got \{'2': 3\}"):
        PoseTargetNet(4, 3, 8, 32, 3, 2, 'instance', 'LeakyReLU', [2, 3], {'2': 3}, False)
    with pytest.raises(ValueError, match=r'attn_layer: expected layers in \[1, 3\], got \[4\]'):
        PoseTargetNet(4, 3, 8, 32, 3, 2, 'instance', 'LeakyReLU', [4], {'4': 3}, False)
    with pytest.raises(ValueError, match="norm: TemporalDiscriminator supports only 'none', got 'batch'"):
        TemporalDiscriminator(norm='batch')
    with pytest.raises(ValueError, match='input_length: expected >= 5 frames, got 4'):
        TemporalDiscriminator(input_length=4)


def test_build_network_constructs_initialises_and_places_the_class():
    opt = types.SimpleNamespace(init_type='normal', device=torch.device('cpu'))
    torch.manual_seed(0)
    net = build_network(ResDiscriminator, opt, ndf=8, img_f=16, layers=2)
    assert type(net).__name__ == 'ResDiscriminator' and net.conv.weight_orig.shape == (1, 16, 1, 1)
    assert net.block0.model[1].bias.abs().sum() == 0  # initialised: biases zeroed
    with pytest.raises(ValueError, match="init_type: unknown initialisation 'glorot'"):
        build_network(ResDiscriminator, types.SimpleNamespace(init_type='glorot'), ndf=8, img_f=16, layers=2)
