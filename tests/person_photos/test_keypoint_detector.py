"""Loading Keypoint R-CNN: torchvision's network and file, the hub cache or --detector_weights, and
one clear line when the weights are not there."""
import urllib.error

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.models.detection import keypointrcnn_resnet50_fpn
from torchvision.ops import FrozenBatchNorm2d

from tests.offline import go_offline
from util.errors import UserError
from util.keypoint_detector import WEIGHTS_FILE, build_keypoint_rcnn, detect_people, load_keypoint_detector


@pytest.fixture(scope="module")
def network():
    return build_keypoint_rcnn()


def test_network_has_the_layout_of_torchvisions_coco_weights(network):
    ours = network.state_dict()
    # torchvision's constructor without weights uses trainable batch norm (num_batches_tracked
    # buffers); with the COCO weights, as ours, frozen batch norm.
    theirs = {key: value for key, value in keypointrcnn_resnet50_fpn(weights=None, weights_backbone=None).state_dict().items()
              if not key.endswith("num_batches_tracked")}
    assert list(ours) == list(theirs)
    assert all(ours[key].shape == theirs[key].shape for key in ours)
    assert WEIGHTS_FILE == "keypointrcnn_resnet50_fpn_coco-fc266e95.pth"


def test_frozen_batch_norm_has_eps_zero(network):
    norms = [m for m in network.modules() if isinstance(m, FrozenBatchNorm2d)]
    assert norms and all(m.eps == 0.0 for m in norms)


def test_offline_without_the_weights_is_one_line_naming_file_folder_and_option(tmp_path, monkeypatch):
    go_offline(monkeypatch, tmp_path)

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    with pytest.raises(UserError) as caught:
        load_keypoint_detector()
    message = str(caught.value)
    assert "\n" not in message
    for part in (WEIGHTS_FILE, str(tmp_path / "hub" / "checkpoints"), "--detector_weights"):
        assert part in message


def test_missing_detector_weights_file(tmp_path):
    with pytest.raises(UserError, match="--detector_weights: no file at .*nothing.pth"):
        load_keypoint_detector(str(tmp_path / "nothing.pth"))


def test_a_file_of_another_network_is_refused(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"conv.weight": torch.zeros(1)}, path)
    with pytest.raises(UserError, match=f"other.pth is not a torchvision Keypoint R-CNN.*{WEIGHTS_FILE}"):
        load_keypoint_detector(str(path))


@pytest.mark.slow
def test_loads_from_the_hub_cache_and_detects(offline_detector):
    detector = load_keypoint_detector(detector_size=64)
    cached = torch.load(offline_detector / "hub" / "checkpoints" / WEIGHTS_FILE, weights_only=True)
    for key, value in detector.state_dict().items():
        assert torch.equal(value, cached[key]), key
    assert not detector.training
    detector.roi_heads.detections_per_img = 3  # random weights find up to 100 "people"; keep it quick
    found = detect_people(detector, Image.fromarray(np.random.default_rng(0).integers(0, 255, (96, 48, 3), np.uint8)))
    count = len(found.scores)
    assert found.boxes.shape == (count, 4) and found.keypoints.shape == (count, 17, 2)
    assert found.keypoint_scores.shape == (count, 17)
    assert (np.diff(found.scores) <= 0).all()
