"""Shared pytest setup: CPU thread cap and automatic skipping of CUDA-marked tests."""
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
