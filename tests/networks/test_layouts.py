"""Our networks reproduce the state_dict layout of every released checkpoint, in order."""
import os
import tempfile

import pytest

from tests.networks.manifests import (MANIFEST_DIR, MANIFEST_FILES, assert_same_layout, build_from_define_call,
                                      layout, load_manifest)


def test_every_released_network_has_a_manifest():
    index = load_manifest(os.path.join(MANIFEST_DIR, 'index.json'))
    assert sorted(entry['file'] for entry in index['manifests']) == [os.path.basename(p) for p in MANIFEST_FILES]
    assert len(MANIFEST_FILES) == 20


def test_define_call_builds_the_manifest_layout(manifest):
    net = build_from_define_call(manifest)
    assert_same_layout(layout(net.state_dict()), manifest['state_dict'])
    assert net.num_parameters() == manifest['num_params']
    assert len(net.state_dict()) == manifest['num_state_dict_entries']


def test_command_line_builds_the_manifest_layout(manifest):
    """The manifest's argv through the (training: discriminators included) options parser and the
    model's build_networks gives the same nets."""
    from model import find_model_class
    from options.train_options import TrainOptions
    with tempfile.TemporaryDirectory() as run_dir:
        # init_type=normal only for speed: initialisation does not change the layout
        argv = manifest['argv'] + ['--gpu_ids=-1', f'--checkpoints_dir={run_dir}', '--init_type=normal']
        opt = TrainOptions().parse(argv, save=False)
    nets = find_model_class(opt.model).build_networks(opt, discriminators=True)
    net = nets[manifest['net']]
    assert type(net).__name__ == manifest['class']
    assert_same_layout(layout(net.state_dict()), manifest['state_dict'])
    assert net.num_parameters() == manifest['num_params']
