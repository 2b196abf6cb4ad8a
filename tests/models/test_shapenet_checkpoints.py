"""The released view-synthesis checkpoints (car, chair, the car flow stage) load strictly through
create_model, for testing (G) and for training on from them with --continue_train (G and D), from
random-value files in the released layouts."""
import os

import pytest
import torch

import model as models
from options.test_options import TestOptions
from options.train_options import TrainOptions
from tests.networks.manifests import MANIFEST_DIR, build_from_define_call, load_manifest
from tests.networks.test_checkpoint import random_state_in_layout

pytestmark = pytest.mark.slow

RELEASED = {"shape_net_car_checkpoints": ["shapenet_car_G", "shapenet_car_D"],
            "shape_net_chair_checkpoints": ["shapenet_chair_G", "shapenet_chair_D"],
            "shape_net_car_flow": ["shapenetflow_car_G"]}


def write_released(checkpoints, name):
    """Random files in the layouts of run ``name``; returns (argv of the run, {network: state})."""
    states = {}
    for seed, manifest_name in enumerate(RELEASED[name]):
        manifest = load_manifest(os.path.join(MANIFEST_DIR, f"{manifest_name}.json"))
        state = random_state_in_layout(manifest, build_from_define_call(manifest), seed=seed)
        os.makedirs(checkpoints / name, exist_ok=True)
        torch.save(state, checkpoints / name / manifest["checkpoint_file"])
        states[manifest["net"]] = state
    return manifest["argv"], states


def assert_holds(model, states):
    networks = model.networks()
    assert sorted(networks) == sorted(states)
    for net_name, state in states.items():
        loaded = networks[net_name].state_dict()
        assert list(loaded) == list(state), net_name
        for key, value in state.items():
            assert torch.equal(loaded[key], value), f"{net_name}.{key}"


@pytest.mark.parametrize("name", sorted(RELEASED))
def test_released_files_load_strictly_for_testing_and_training_on(name, tmp_path, offline_vgg):
    checkpoints = tmp_path / "result"
    argv, states = write_released(checkpoints, name)
    common = [*argv, f"--name={name}", f"--checkpoints_dir={checkpoints}", "--gpu_ids=-1", "--init_type=normal"]
    tested = models.create_model(TestOptions().parse([*common, f"--results_dir={tmp_path}"], save=False))
    assert_holds(tested, {"G": states["G"]})
    assert not any(net.training for net in tested.networks().values())
    trained = models.create_model(TrainOptions().parse([*common, "--continue_train"], save=False))
    assert_holds(trained, states)  # no training state: each file loads strictly, D too
