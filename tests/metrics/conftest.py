"""Fixtures of the metric tests: an offline torch hub of random-weight networks, and small image folders.

The weight files have the names and layouts of the real downloads, so the metric code loads them
through its normal path (``$TORCH_HOME/hub/checkpoints``). Their convolutions get He-normal
weights: PyTorch's default init makes Inception's 2048-d features vanish (~1e-8), which would
make every FID about 0 and the FID tests meaningless.
"""
import os
from unittest import mock

import pytest
import pytorch_fid.inception
import torch
import torchvision
from torch import nn

import script.metrics_lib.evaluate as evaluate_module
from tests.offline import offline_weights_fixtures

from .helpers import (ALEXNET_FILE, FID_INCEPTION_FILE, INCEPTION_FILE, copy_market_pairs,
                      copy_market_photos)


def _he_init(network):
    for module in network.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
    return network


def _pytorch_fid_network():
    """pytorch-fid's FID Inception built by the package itself, left with random weights."""
    built = {}

    def keep_network(network, state_dict, *args, **kwargs):
        built["network"] = network

    with mock.patch.object(pytorch_fid.inception, "load_state_dict_from_url", lambda *a, **k: None), \
            mock.patch.object(torchvision.models.Inception3, "load_state_dict", keep_network):
        pytorch_fid.inception.fid_inception_v3()
    return built["network"]


def _write_random_networks(torch_home):
    """Random torchvision Inception, pytorch-fid Inception and AlexNet files in ``<torch_home>/hub/checkpoints``."""
    checkpoints = os.path.join(torch_home, "hub", "checkpoints")
    os.makedirs(checkpoints)
    networks = {
        INCEPTION_FILE: torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False),
        FID_INCEPTION_FILE: _pytorch_fid_network(),
        ALEXNET_FILE: torchvision.models.alexnet(weights=None),
    }
    for file_name, network in networks.items():
        torch.save(_he_init(network).state_dict(), os.path.join(checkpoints, file_name))


random_hub, offline_hub = offline_weights_fixtures(
    "random_hub", "offline_hub", _write_random_networks,
    "random torchvision Inception, pytorch-fid Inception and AlexNet")


class FirstFeatures(nn.Module):
    """The first ``count`` features of an extractor."""

    def __init__(self, network, count):
        super().__init__()
        self.network, self.count = network, count

    def forward(self, images):
        return self.network(images)[:, :self.count]


@pytest.fixture
def fewer_fid_features(monkeypatch):
    """Make evaluate() keep 64 of Inception's 2048 features.

    scipy's sqrtm of a 2048x2048 matrix takes 10-40 s on a shared CI CPU; the distance itself is
    tested on its own, and the full 2048-d path runs in the CUDA-marked test.
    """
    build = evaluate_module.build_inception

    def build_with_fewer_features(*args, **kwargs):
        network, identity = build(*args, **kwargs)
        return FirstFeatures(network, 64), identity

    monkeypatch.setattr(evaluate_module, "build_inception", build_with_fewer_features)


@pytest.fixture
def market(tmp_path):
    """tmp folders: gen/ (3 generated), gt/ (their 3 targets), real/ (5 photos), cache/.

    Small because every image costs an Inception pass at 299x299 on the CPU.
    """
    generated_dir, gt_dir = copy_market_pairs(tmp_path, 3)
    real_dir = copy_market_photos(tmp_path / "real", 5)
    return {"gen": generated_dir, "gt": gt_dir, "real": real_dir, "cache": tmp_path / "cache",
            "root": tmp_path}
