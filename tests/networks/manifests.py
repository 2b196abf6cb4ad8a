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
    """Minimal options for define_g/define_d. 'normal' init by default: layout tests do not need
    the (slow, QR-based) orthogonal init, which test_init checks on its own."""
    return types.SimpleNamespace(init_type=init_type, device=torch.device('cpu'))


def build_from_define_call(manifest, init_type='normal'):
    """The network of a manifest, built through define_g / define_d with its define_call kwargs."""
    from model.networks import define_d, define_g
    call = manifest['define_call']
    # the original's define_* took `filename` and, for D_V, repeated `name` among the kwargs
    kwargs = {key: value for key, value in call['kwargs'].items() if key not in ('name', 'filename')}
    define = {'define_g': define_g, 'define_d': define_d}[call['fn']]
    return define(network_options(init_type), call['name'], **kwargs)


def layout(state_dict):
    """[[key, shape, dtype], ...] in the manifests' format."""
    return [[key, list(value.shape), str(value.dtype).replace('torch.', '')] for key, value in state_dict.items()]


def assert_same_layout(got, expected):
    """Layouts equal entry by entry; on failure name the first differing entry."""
    for index, (got_entry, expected_entry) in enumerate(zip(got, expected)):
        assert got_entry == expected_entry, f"entry {index}: network {got_entry} != manifest {expected_entry}"
    assert len(got) == len(expected), f"network has {len(got)} entries, manifest {len(expected)}"
