"""Helpers of the network tests: the released checkpoint manifests, building and comparing layouts."""
import glob
import json
import os
import types

import pytest
import torch

# copied verbatim from the project's shared checkpoint_manifests/ (layouts of the released files)
MANIFEST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'checkpoint_manifests')
MANIFEST_FILES = sorted(path for path in glob.glob(os.path.join(MANIFEST_DIR, '*.json'))
                        if not path.endswith('index.json'))


def load_manifest(path):
    with open(path) as handle:
        return json.load(handle)


def manifest_params():
    """pytest params, one per manifest, with readable ids."""
    return [pytest.param(path, id=os.path.basename(path)[:-5]) for path in MANIFEST_FILES]


def network_options(init_type='normal'):
    """Minimal options for build_network. 'normal' init by default: layout tests do not need
    the (slow, QR-based) orthogonal init, which test_init checks on its own."""
    return types.SimpleNamespace(init_type=init_type, device=torch.device('cpu'))


def original_network_class(fn, name):
    """Our class for a name of the original's define_g / define_d registry (a manifest's define_call)."""
    from model.networks.dance_generator import DanceGenerator
    from model.networks.discriminators import ResDiscriminator, TemporalDiscriminator
    from model.networks.face_generator import FaceGenerator
    from model.networks.pose_generator import PoseFlowNetGenerator, PoseGenerator
    from model.networks.shapenet_generator import ShapeNetFlowNetGenerator, ShapeNetGenerator
    registry = {
        'define_g': {'pose': PoseGenerator, 'poseflownet': PoseFlowNetGenerator, 'face': FaceGenerator,
                     'dance': DanceGenerator, 'shapenet': ShapeNetGenerator,
                     'shapenetflownet': ShapeNetFlowNetGenerator},
        'define_d': {'res': ResDiscriminator, 'temporal': TemporalDiscriminator},
    }
    return registry[fn][name]


def build_from_define_call(manifest, init_type='normal'):
    """The network of a manifest, built from the class and kwargs of its define_call."""
    from model.networks import build_network
    call = manifest['define_call']
    # the original's define_* took `filename` and, for D_V, repeated `name` among the kwargs
    kwargs = {key: value for key, value in call['kwargs'].items() if key not in ('name', 'filename')}
    return build_network(original_network_class(call['fn'], call['name']), network_options(init_type), **kwargs)


def layout(state_dict):
    """[[key, shape, dtype], ...] in the manifests' format."""
    return [[key, list(value.shape), str(value.dtype).replace('torch.', '')] for key, value in state_dict.items()]


def assert_same_layout(got, expected):
    """Layouts equal entry by entry; on failure name the first differing entry."""
    for index, (got_entry, expected_entry) in enumerate(zip(got, expected)):
        assert got_entry == expected_entry, f"entry {index}: network {got_entry} != manifest {expected_entry}"
    assert len(got) == len(expected), f"network has {len(got)} entries, manifest {len(expected)}"
