"""BaseModel services: checkpoint format, test-mode loading, errors, visuals, results, helpers."""
import os
from collections import OrderedDict

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import model
from .conftest import parse_test, parse_train
from model.base_model import BaseModel, unwrap
from model.checkpoint import load_file

GENERATOR_KEYS = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"]


@pytest.fixture
def toy(toy_registry, toy_argv):
    return model.create_model(parse_train(toy_argv("services")))


@pytest.mark.parametrize("wrap", [nn.DataParallel, torch.compile], ids=["DataParallel", "compile"])
def test_saved_network_is_a_plain_state_dict_without_wrapper_prefixes(toy, wrap):
    bare = toy.net_G
    toy.net_G = wrap(bare)
    assert unwrap(toy.net_G) is bare
    toy.save_networks(3)
    saved = load_file(os.path.join(toy.save_dir, "3_net_G.pth"))
    assert list(saved) == GENERATOR_KEYS
    for key, value in bare.state_dict().items():  # (DataParallel moves the net to the GPU if there is one)
        assert saved[key].device.type == "cpu" and torch.equal(saved[key], value.cpu())


def test_training_state_holds_what_exact_resume_needs(toy):
    toy.iteration, toy.epoch = 5, 1
    toy.save_networks("latest")
    state = load_file(os.path.join(toy.save_dir, "latest_train_state.pth"))  # weights-only unpickler
    assert (state["model"], state["iteration"], state["epoch"]) == ("ToyModel", 5, 1)
    assert len(state["optimizers"]) == len(state["schedulers"]) == 1
    assert set(state["rng"]) == {"python", "numpy", "torch", "cuda"}


def test_spectral_norm_network_round_trips(toy_registry, toy_argv):
    def spectral_toy(argv):
        toy = model.find_model_class("toy")(parse_train(argv))
        toy.net_G = nn.Sequential(nn.utils.spectral_norm(nn.Conv2d(3, 3, 3, padding=1)))
        return toy

    saved = spectral_toy(toy_argv("spectral"))
    saved.net_G(torch.randn(1, 3, 8, 8))  # a power iteration: u differs from a fresh layer's
    saved.save_networks("latest")
    loaded = spectral_toy(toy_argv("spectral", "--continue_train"))
    loaded.load_networks("latest")
    for key, value in saved.net_G.state_dict().items():
        assert torch.equal(loaded.net_G.state_dict()[key], value), key


def test_test_mode_loads_the_requested_checkpoint_in_eval_mode(toy, toy_test_argv):
    with torch.no_grad():
        toy.net_G.conv1.bias.fill_(0.25)
    toy.save_networks(20)
    tester = model.create_model(parse_test(toy_test_argv("services", "--which_iter=20")))
    assert torch.equal(tester.net_G.conv1.bias, torch.full((4,), 0.25))
    assert not tester.net_G.training and not tester.optimizers and not tester.schedulers


def test_fresh_run_starts_at_iter_count(toy_registry, toy_argv):
    toy = model.create_model(parse_train(toy_argv("counted", "--iter_count=7")))
    assert toy.iteration == 6
    assert toy.current_learning_rate() == pytest.approx(0.01 * 0.5)  # step 7 of 5 + 3: 2nd decaying step
    with pytest.raises(ValueError, match=r"--iter_count: expected >= 1 \(1 = a fresh run\), got 0"):
        model.create_model(parse_train(toy_argv("counted", "--iter_count=0")))


def test_current_errors_and_visuals(toy):
    batch = {"x": torch.rand(2, 3, 8, 8), "y": torch.rand(2, 3, 8, 8), "index": torch.tensor([4, 7]),
             "path": ["a.jpg", "b.jpg"]}
    toy.set_input(batch)
    toy.optimize_parameters()
    errors = toy.get_current_errors()
    assert isinstance(errors, OrderedDict) and list(errors) == ["rec"] and type(errors["rec"]) is float
    toy.visual_names.append("flows")
    toy.flows = [torch.rand(2, 2, 4, 4, requires_grad=True), torch.rand(2, 2, 8, 8)]
    visuals = toy.get_current_visuals()
    assert list(visuals) == ["input", "output", "flows"]
    assert torch.equal(visuals["input"], batch["x"][0]) and not visuals["output"].requires_grad
    assert [tuple(flow.shape) for flow in visuals["flows"]] == [(2, 4, 4), (2, 8, 8)]


def test_save_results_names_files_after_the_inputs(toy, tmp_path):
    toy.opt.results_dir = str(tmp_path / "out")
    toy.image_paths = ["dir/img01_2_img02.jpg", "img03_2_img04.jpg"]
    images = torch.stack([torch.full((3, 4, 6), -1.0), torch.full((3, 4, 6), 1.0)])
    toy.save_results(images, "vis", ext="png")
    assert sorted(os.listdir(tmp_path / "out")) == ["img01_2_img02_vis.png", "img03_2_img04_vis.png"]
    white = np.asarray(Image.open(tmp_path / "out" / "img03_2_img04_vis.png"))
    assert white.shape == (4, 6, 3) and (white == 255).all()
    with pytest.raises(ValueError, match="3 images but only 2 image_paths"):
        toy.save_results(torch.zeros(3, 3, 4, 6), "vis")


def test_models_without_test_say_so(toy_registry, toy_argv):
    opt = parse_train(toy_argv("train_only", model_name="toy_train_only"))
    with pytest.raises(NotImplementedError, match=r"model ToyTrainOnlyModel \(--model=toy_train_only\) has no test\(\)"):
        model.create_model(opt).test()


def test_set_requires_grad_switches_every_parameter(toy):
    other = nn.Linear(2, 2)
    BaseModel.set_requires_grad([toy.net_G, other], False)
    assert not any(p.requires_grad for net in (toy.net_G, other) for p in net.parameters())
    toy.set_requires_grad(other, True)
    assert all(p.requires_grad for p in other.parameters())


@pytest.mark.cuda
def test_checkpoints_of_a_gpu_run_hold_cpu_tensors_and_resume_on_the_gpu(toy_registry, toy_argv):
    argv = toy_argv("gpu", "--gpu_ids=0")
    toy = model.create_model(parse_train(argv))
    toy.set_input({"x": torch.rand(2, 3, 8, 8), "y": torch.rand(2, 3, 8, 8), "index": torch.tensor([0, 1]),
                   "path": ["a.jpg", "b.jpg"]})
    toy.optimize_parameters()
    toy.iteration = 1
    toy.save_networks("latest")
    assert all(v.device.type == "cpu" for v in load_file(os.path.join(toy.save_dir, "latest_net_G.pth")).values())
    resumed = model.create_model(parse_train(argv + ["--continue_train"]))
    moments = resumed.optimizers[0].state_dict()["state"][0]["exp_avg"]
    assert resumed.net_G.conv1.weight.is_cuda and moments.is_cuda
    assert torch.equal(moments, toy.optimizers[0].state_dict()["state"][0]["exp_avg"])
