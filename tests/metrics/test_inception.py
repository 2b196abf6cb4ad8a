"""The two FID feature extractors against the networks they stand for, and weight resolution."""
import os

import pytest
import pytorch_fid.inception
import torch
import torch.nn.functional as F
import torchvision

from script.metrics_lib.inception import build_inception
from script.metrics_lib.weights import file_sha256

from .helpers import FID_INCEPTION_FILE, INCEPTION_FILE


def _images():
    torch.manual_seed(3)
    return torch.rand(1, 3, 128, 64)


def test_gfla_extractor_is_torchvision_inception_with_the_2018_input(offline_hub):
    """torchvision's own transform_input is exactly the 2018 quirk x*std/0.5+(mean-0.5)/0.5, so the
    reference is torchvision's Inception with transform_input=True fed the resized [0, 1] image."""
    network, identity = build_inception("gfla")
    reference = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False,
                                                transform_input=True)
    path = os.path.join(offline_hub, "hub", "checkpoints", INCEPTION_FILE)
    reference.load_state_dict(torch.load(path, weights_only=True))
    pooled = {}
    reference.avgpool.register_forward_hook(lambda module, args, output: pooled.update(out=output))
    images = _images()
    with torch.no_grad():
        got = network(images)
        reference.eval()(F.interpolate(images, size=(299, 299), mode="bilinear", align_corners=False))
    assert got.shape == (1, 2048)
    torch.testing.assert_close(got, pooled["out"].flatten(1), rtol=1e-5, atol=1e-6)
    assert identity["weights_file"] == os.path.abspath(path)
    assert identity["weights_sha256"] == file_sha256(path)


def test_standard_extractor_is_pytorch_fid_inception(offline_hub):
    network, identity = build_inception("standard")
    reference = pytorch_fid.inception.InceptionV3([3]).eval()  # loads from the hub cache itself
    images = _images()
    with torch.no_grad():
        torch.testing.assert_close(network(images), reference(images)[0].flatten(1), rtol=0, atol=0)
    assert identity["weights_file"].endswith(FID_INCEPTION_FILE)


def test_explicit_weights_file_overrides_the_hub_cache(offline_hub, tmp_path, monkeypatch):
    explicit = tmp_path / "my_inception.pth"
    os.link(os.path.join(offline_hub, "hub", "checkpoints", INCEPTION_FILE), explicit)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty_home"))
    _, identity = build_inception("gfla", str(explicit))
    assert identity["weights_file"] == str(explicit)


def test_missing_weights_give_clear_errors(offline_hub, tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="--inception_weights: no file at"):
        build_inception("gfla", str(tmp_path / "absent.pth"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty_home"))
    with pytest.raises(RuntimeError, match=f"{INCEPTION_FILE} are not in the torch hub cache.*"
                                           f"--inception_weights PATH"):
        build_inception("gfla")
    with pytest.raises(ValueError, match=r"--protocol must be one of \('gfla', 'standard'\), got 'tf'"):
        build_inception("tf")
