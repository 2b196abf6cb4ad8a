"""The face model: the released G, D and D_V files load strictly through create_model (testing: G;
--continue_train from released weights: all three); its options are checked; D_V sees frame differences."""
import os

import pytest
import torch

import model as models
from options.errors import OptionError
from options.test_options import TestOptions
from options.train_options import TrainOptions
from tests.networks.manifests import MANIFEST_DIR, build_from_define_call, load_manifest
from tests.networks.test_checkpoint import random_state_in_layout

FACE = ["--model=face", "--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=face", "--gpu_ids=-1",
        "--init_type=normal", "--name=face_checkpoints"]


def released_files(checkpoints, experiment, release):
    """Random weights in the layouts of the released G, D and D_V of ``release`` (the manifests'
    prefix, e.g. 'face_faceforensics'), written as ``<checkpoints>/<experiment>/latest_net_*.pth``."""
    folder = checkpoints / experiment
    folder.mkdir(parents=True)
    states = {}
    for name in ("G", "D", "D_V"):
        manifest = load_manifest(os.path.join(MANIFEST_DIR, f"{release}_{name}.json"))
        states[name] = random_state_in_layout(manifest, build_from_define_call(manifest), seed=len(name))
        torch.save(states[name], folder / manifest["checkpoint_file"])
    return states


def assert_holds(net, state):
    for key, value in net.state_dict().items():
        assert torch.equal(value, state[key]), f"{key} was not loaded"


@pytest.mark.slow  # three networks built and loaded twice
def test_released_face_networks_load_strictly_through_create_model(tmp_path, offline_vgg):
    states = released_files(tmp_path, "face_checkpoints", "face_faceforensics")
    assert_released_networks_load(FACE, tmp_path, states)


def assert_released_networks_load(args, tmp_path, states):
    """Testing loads G, --continue_train from released weights loads G, D and D_V, all strictly."""
    common = [*args, f"--checkpoints_dir={tmp_path}"]
    tester = models.create_model(TestOptions().parse([*common, f"--results_dir={tmp_path / 'results'}"], save=False))
    assert tester.model_names == ["G"] and not tester.net_G.training
    assert_holds(tester.net_G, states["G"])

    trainer = models.create_model(TrainOptions().parse([*common, "--continue_train"], save=False))
    assert trainer.model_names == ["G", "D", "D_V"]
    for name in trainer.model_names:
        assert_holds(trainer.networks()[name], states[name])
    assert trainer.iteration == 0  # released weights carry no training state: fresh optimizers


@pytest.mark.parametrize("frames_d_v", [1, 7])
def test_temporal_discriminator_longer_than_a_chunk_is_refused(tmp_path, frames_d_v):
    opt = TrainOptions().parse([*FACE, f"--checkpoints_dir={tmp_path}", f"--frames_D_V={frames_d_v}"], save=False)
    with pytest.raises(OptionError, match=rf"^--frames_D_V={frames_d_v}: the temporal discriminator sees "
                                          r"consecutive frames of one chunk of 6 .*; expected 2\.\.6$"):
        models.find_model_class("face")(opt)


def test_test_batches_of_more_than_one_chunk_are_refused(tmp_path):
    opt = TestOptions().parse([*FACE, f"--checkpoints_dir={tmp_path}", "--batchSize=2"], save=False)
    with pytest.raises(OptionError, match=r"^--batchSize=2: the animation test generates one video at a time"):
        models.find_model_class("face")(opt)


def test_temporal_input_stacks_consecutive_frame_differences():
    frames = [torch.full((2, 3, 4, 4), float(value)) for value in (1, 4, 9)]
    differences = models.find_model_class("face").temporal_input(None, frames)
    assert differences.shape == (2, 6, 4, 4)
    assert torch.equal(differences[:, :3], frames[0] - frames[1])
    assert torch.equal(differences[:, 3:], frames[1] - frames[2])
