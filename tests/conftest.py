"""Shared pytest setup: CPU thread cap, automatic skipping of CUDA-marked tests, offline weights, private copies."""
import shutil

import pytest
import torch

from script.random_weights import write_random_vgg19
from tests.offline import offline_weights_fixtures

torch.set_num_threads(2)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip_cuda = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip_cuda)


random_vgg_home, offline_vgg = offline_weights_fixtures(
    "random_vgg_home", "offline_vgg", write_random_vgg19, "a random-weight torchvision VGG19 (the loss network)")


@pytest.fixture
def private_copy(tmp_path):
    """``private_copy(root, name)``: a copy of the folder ``root`` at ``tmp_path/name``, for a test to damage."""
    def copy(root, name):
        target = tmp_path / name
        shutil.copytree(root, target)
        return target
    return copy
