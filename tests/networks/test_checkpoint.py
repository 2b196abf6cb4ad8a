"""Checkpoint I/O: files in the released layouts load strictly; wrong files fail with clear errors."""
import os
from collections import OrderedDict

import pytest
import torch
from torch import nn

from model.checkpoint import CheckpointMismatchError, load_handover, load_state_dict_strict
from tests.networks.manifests import MANIFEST_DIR, build_from_define_call, load_manifest

SN_MANIFESTS = ['pose_fashion_D', 'pose_market_D', 'face_faceforensics_D_V', 'dance_fashion_D_V']


def manifest_named(name):
    return load_manifest(os.path.join(MANIFEST_DIR, f'{name}.json'))


def random_state_in_layout(manifest, net, seed=0):
    """Random tensors with the manifest's keys, shapes, dtypes and order.

    Keys that name one shared tensor in the network (the Jump/Output ``conv1`` / ``model.N``
    aliases) get the same value, as in a real checkpoint.
    """
    first_key_of_tensor = {}
    alias_of = {key: first_key_of_tensor.setdefault(value.data_ptr(), key)
                for key, value in net.state_dict().items()}
    generator = torch.Generator().manual_seed(seed)
    values = OrderedDict()
    state = OrderedDict()
    for key, shape, dtype in manifest['state_dict']:
        source = alias_of[key]
        if source not in values:
            values[source] = torch.randn(shape, generator=generator, dtype=getattr(torch, dtype))
        state[key] = values[source]
    return state


def assert_loaded(net, state):
    for key, value in net.state_dict().items():
        assert torch.equal(value.cpu(), state[key]), f"{key} was not loaded"


def test_released_layout_file_loads_strictly(manifest, tmp_path):
    net = build_from_define_call(manifest)
    state = random_state_in_layout(manifest, net)
    path = tmp_path / manifest['checkpoint_file']
    torch.save(state, path)
    assert load_state_dict_strict(net, str(path)) is net
    assert_loaded(net, state)


@pytest.mark.parametrize('name', ['face_faceforensics_G', 'dance_fashion_D_V'])
def test_module_prefixed_state_dict_loads(name):
    """DataParallel saves (face/dance with several GPUs) prefix every key with 'module.'."""
    manifest = manifest_named(name)
    net = build_from_define_call(manifest)
    state = random_state_in_layout(manifest, net, seed=1)
    load_state_dict_strict(net, OrderedDict(('module.' + key, value) for key, value in state.items()))
    assert_loaded(net, state)


def trained_spectral_norm_net(manifest):
    """A discriminator with random weights whose u, v went through a few power iterations."""
    torch.manual_seed(0)
    net = build_from_define_call(manifest)
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.normal_(0, 0.05)
        for _ in range(3):
            net(discriminator_input(manifest))
    return net.eval()


def discriminator_input(manifest):
    first_weight = manifest['state_dict'][1][1]          # block0's first conv, weight_orig
    in_channels = first_weight[1]
    if len(first_weight) == 5:                           # temporal D: [B, C, L, H, W]
        length = manifest['define_call']['kwargs']['input_length']
        return torch.randn(1, in_channels, length, 16, 16, generator=torch.Generator().manual_seed(3))
    return torch.randn(2, in_channels, 16, 16, generator=torch.Generator().manual_seed(3))


def torch10_state(manifest, net):
    """The state of ``net`` as torch 1.0 saved it: ``<w>`` (= weight_orig / sigma) instead of ``<w>_v``."""
    state = net.state_dict()
    old = OrderedDict()
    for key, _, _ in manifest['state_dict_torch_1_0_layout']:
        if key in state:
            old[key] = state[key]
        else:
            orig, u, v = state[key + '_orig'], state[key + '_u'], state[key + '_v']
            sigma = u @ orig.reshape(orig.shape[0], -1) @ v
            old[key] = orig / sigma
    return old


@pytest.mark.parametrize('name', SN_MANIFESTS)
def test_torch10_spectral_norm_file_loads_and_gives_the_same_discriminator(name, tmp_path):
    manifest = manifest_named(name)
    reference = trained_spectral_norm_net(manifest)
    old_state = torch10_state(manifest, reference)
    assert not any(key.endswith('_v') for key in old_state)
    path = tmp_path / 'latest_net_D.pth'
    torch.save(old_state, path, _use_new_zipfile_serialization=False)   # the pre-1.6 file format

    net = build_from_define_call(manifest).eval()
    load_state_dict_strict(net, path)
    x = discriminator_input(manifest)
    with torch.no_grad():
        torch.testing.assert_close(net(x), reference(x), rtol=1e-4, atol=1e-5)


def test_torch10_conversion_agrees_with_torchs_own_load_hook():
    """torch's SpectralNorm load pre-hook converts the raw old layout to the same network (its v
    may differ: only sigma = u . W v enters the eval-mode weight). One small D: the hook's pinverse
    of W^T W is slow for the larger ones."""
    manifest = manifest_named('pose_market_D')
    reference = trained_spectral_norm_net(manifest)
    ours = load_state_dict_strict(build_from_define_call(manifest), torch10_state(manifest, reference)).eval()
    by_torch = build_from_define_call(manifest).eval()
    by_torch.load_state_dict(torch10_state(manifest, reference), strict=True)
    x = discriminator_input(manifest)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), by_torch(x), rtol=1e-4, atol=1e-5)


def test_data_parallel_wrapper_is_unwrapped():
    """(With GPUs, DataParallel also moves the net to the first one.)"""
    manifest = manifest_named('pose_market_D')
    net = build_from_define_call(manifest)
    state = random_state_in_layout(manifest, net)
    load_state_dict_strict(nn.DataParallel(net), state)
    assert_loaded(net, state)


def test_wrong_network_fails_naming_missing_and_unexpected_keys(tmp_path):
    generator_state = random_state_in_layout(manifest_named('pose_market_G'),
                                             build_from_define_call(manifest_named('pose_market_G')))
    path = tmp_path / 'latest_net_G.pth'
    torch.save(generator_state, path)
    net = build_from_define_call(manifest_named('pose_market_D'))
    before = {key: value.clone() for key, value in net.state_dict().items()}
    with pytest.raises(CheckpointMismatchError) as error:
        load_state_dict_strict(net, path)
    message = str(error.value)
    assert str(path) in message and 'ResDiscriminator' in message
    assert '40 keys of the network missing from the file: block0.model.1.bias' in message
    assert '196 keys in the file that the network does not have: source.block0.model.0.weight' in message
    assert '... and 186 more' in message
    assert all(torch.equal(value, before[key]) for key, value in net.state_dict().items()), 'net was modified'


def test_shape_mismatch_is_named():
    market = manifest_named('pose_market_G')
    state = random_state_in_layout(market, build_from_define_call(market))
    net = build_from_define_call(manifest_named('pose_fashion_G'))
    with pytest.raises(CheckpointMismatchError) as error:
        load_state_dict_strict(net, state)
    message = str(error.value)
    assert 'the given state_dict does not fit PoseGenerator' in message
    assert ('target.attn1.fully_connect_layer.0.weight (file (128, 256, 3, 3), network (128, 256, 5, 5))'
            in message)
    assert 'keys of the network missing from the file: target.attn0.fully_connect_layer.0.weight' in message


def test_unreadable_files_fail_clearly(tmp_path):
    net = build_from_define_call(manifest_named('pose_market_D'))
    with pytest.raises(FileNotFoundError, match='no such file .*absent.pth'):
        load_state_dict_strict(net, tmp_path / 'absent.pth')
    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'this is not a checkpoint')
    with pytest.raises(ValueError, match=r"^checkpoint '.*garbage.pth' cannot be read: it is corrupt or truncated "
                                         r"\([^\n]*\)$"):
        load_state_dict_strict(net, garbage)
    training_state = tmp_path / 'latest_state.pth'
    torch.save({'iteration': 5}, training_state)
    with pytest.raises(ValueError, match="is not a state_dict: entry 'iteration' holds a int"):
        load_state_dict_strict(net, training_state)
    with pytest.raises(ValueError, match='holds a list, expected a state_dict'):
        load_state_dict_strict(net, [torch.zeros(1)])


def test_flow_pretraining_hands_over_to_the_full_generator(tmp_path):
    flow_manifest = manifest_named('poseflownet_fashion_G')
    flow_state = random_state_in_layout(flow_manifest, build_from_define_call(flow_manifest))
    path = tmp_path / 'latest_net_G.pth'
    torch.save(flow_state, path)
    net = build_from_define_call(manifest_named('pose_fashion_G'))
    source_before = net.source.block0.model[2].weight.clone()

    assert load_handover(net, path) == (['flow_net'], ['source', 'target'])
    state = net.state_dict()
    assert all(torch.equal(state[key], value) for key, value in flow_state.items())
    assert torch.equal(net.source.block0.model[2].weight, source_before)


def test_hand_over_rejects_keys_the_network_lacks():
    """The fashion flow net has a layer-3 head (output1/mask1) that the market generator lacks."""
    flow_manifest = manifest_named('poseflownet_fashion_G')
    flow_state = random_state_in_layout(flow_manifest, build_from_define_call(flow_manifest))
    net = build_from_define_call(manifest_named('pose_market_G'))
    with pytest.raises(CheckpointMismatchError, match='4 keys in the file that the network does not have: '
                                                      'flow_net.output1.weight'):
        load_handover(net, flow_state)


def test_hand_over_must_hold_the_flow_estimator_exactly():
    """A Market flow estimator lacks the fashion one's layer-3 heads: loading it into the fashion
    generator would leave them random, so it is refused, naming them (on one line)."""
    flow_manifest = manifest_named('poseflownet_market_G')
    flow_state = random_state_in_layout(flow_manifest, build_from_define_call(flow_manifest))
    net = build_from_define_call(manifest_named('pose_fashion_G'))
    before = {key: value.clone() for key, value in net.state_dict().items()}
    with pytest.raises(CheckpointMismatchError) as error:
        load_handover(net, flow_state)
    message = str(error.value)
    assert '\n' not in message
    assert 'keys of the network missing from the file: flow_net.output1.weight' in message
    assert '(in flow_net)' in message and 'source.' not in message
    assert all(torch.equal(value, before[key]) for key, value in net.state_dict().items()), 'net was modified'
