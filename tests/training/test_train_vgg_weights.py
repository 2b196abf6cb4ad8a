"""--vgg_weights: the loss network's weights from the hub cache, a file, or random for a smoke run;
without the network and without the file, one line saying what to do."""
import urllib.error

import pytest
import torch

import model
from .conftest import parse_train
from model.networks.losses import VGG19
from model.networks.losses.vgg import VGG19_RELU_INDEX
from options.train_options import TrainOptions
from script.random_weights import VGG19_FILE
from util.errors import UserError
from util.visualizer import RANDOM_VGG_WARNING

DEPTH = max(VGG19_RELU_INDEX.values()) + 1


def no_network(patch, torch_home):
    def unreachable(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    patch.setenv("TORCH_HOME", str(torch_home))
    patch.setattr(torch.hub, "download_url_to_file", unreachable)


def test_offline_without_the_file_says_what_to_do(tmp_path, monkeypatch):
    no_network(monkeypatch, tmp_path / "empty_home")
    with pytest.raises(UserError) as error:
        VGG19()
    folder = tmp_path / "empty_home" / "hub" / "checkpoints"
    assert str(error.value) == (
        f"the VGG19 weights of the losses, {VGG19_FILE}, are not in {folder} and downloading them from "
        f"https://download.pytorch.org/models/{VGG19_FILE} failed (URLError: <urlopen error [Errno -3] Temporary "
        "failure in name resolution>); copy the file there ($TORCH_HOME sets the folder), pass --vgg_weights PATH, "
        "or --vgg_weights=random for a smoke run whose losses are not meaningful")


@pytest.mark.slow
def test_explicit_file_and_random_weights(tmp_path, monkeypatch, random_vgg_home):
    no_network(monkeypatch, tmp_path / "empty_home")
    path = random_vgg_home / "hub" / "checkpoints" / VGG19_FILE
    loaded = VGG19(str(path))
    for key, value in torch.load(path, weights_only=True).items():
        if key.startswith("features.") and int(key.split(".")[1]) < DEPTH:
            assert torch.equal(loaded.state_dict()[key], value), key
    assert not any(p.requires_grad for p in VGG19("random").parameters())  # no file, no network
    with pytest.raises(UserError, match=r"^--vgg_weights: no file '.*absent\.pth'; pass a torchvision VGG19 "
                                        r"state_dict file or --vgg_weights=random$"):
        VGG19(str(tmp_path / "absent.pth"))


@pytest.mark.slow
def test_pose_flow_builds_its_losses_with_the_given_weights(tmp_path, monkeypatch):
    no_network(monkeypatch, tmp_path / "empty_home")
    argv = ["--model=pose_flow", "--attn_layer=2", "--kernel_size=2=3", "--dataset_mode=market", "--gpu_ids=-1",
            f"--checkpoints_dir={tmp_path}", "--display_id=0"]
    with pytest.raises(UserError, match="--vgg_weights=random"):
        model.find_model_class("pose_flow")(TrainOptions().parse(argv, save=False))
    flow = model.find_model_class("pose_flow")(TrainOptions().parse(argv + ["--vgg_weights=random"], save=False))
    assert isinstance(flow.losses.correctness_loss.vgg, VGG19)


def test_random_weights_are_recorded_and_marked_in_the_log_and_page(train_entry, toy_argv, tmp_path):
    argv = [arg for arg in toy_argv("smoke", "--vgg_weights=random", "--display_freq=4") if arg != "--no_html"]
    train_entry.train(parse_train(argv))
    run_dir = tmp_path / "result" / "smoke"
    assert "vgg_weights: random" in (run_dir / "train_opt.txt").read_text()
    assert RANDOM_VGG_WARNING in (run_dir / "loss_log.txt").read_text()
    assert "--vgg_weights=random: the perceptual losses use an untrained VGG19" in \
        (run_dir / "web" / "index.html").read_text()


def test_stand_in_weights_come_from_their_seed(tmp_path):
    """script/random_weights.py: the same seed writes the same file (benchmarks from two invocations
    train against the same stand-in VGG19), another seed other weights; the global random state is
    left as it was."""
    from script.random_weights import write_random_alexnet
    state = torch.random.get_rng_state()
    first, again, other = (torch.load(write_random_alexnet(tmp_path / name, seed=seed), weights_only=True)
                           for name, seed in (("a", 0), ("b", 0), ("c", 1)))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(first[key], again[key]) for key in first)
    assert not torch.equal(first["features.0.weight"], other["features.0.weight"])
