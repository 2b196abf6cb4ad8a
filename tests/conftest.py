"""Shared pytest setup: CPU thread cap, automatic skipping of CUDA-marked tests, offline weights, private copies."""
import shutil

import pytest
import torch

torch.set_num_threads(2)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip_cuda = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip_cuda)


@pytest.fixture(scope="session")
def random_vgg_home(tmp_path_factory):
    """A TORCH_HOME whose hub cache holds a random-weight torchvision VGG19 (the loss network)."""
    from script.random_weights import write_random_vgg19
    from tests.offline import random_weights_home
    return random_weights_home(tmp_path_factory, "vgg_torch_home", write_random_vgg19)


@pytest.fixture
def offline_vgg(random_vgg_home, monkeypatch):
    """TORCH_HOME = ``random_vgg_home``, with any download attempt failing the test."""
    from tests.offline import go_offline
    go_offline(monkeypatch, random_vgg_home)
    return random_vgg_home


@pytest.fixture
def unported_models_allowed(monkeypatch):
    """Parse the options of models flagged 'not implemented yet' as if they were."""
    import model
    monkeypatch.setattr(model, "check_implemented", lambda name: None)


@pytest.fixture
def private_copy(tmp_path):
    """``private_copy(root, name)`` -> a copy of the folder ``root`` at ``tmp_path/name``, for a test that damages it."""
    def copy(root, name):
        target = tmp_path / name
        shutil.copytree(root, target)
        return target
    return copy
