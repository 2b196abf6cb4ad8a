"""Fixtures of the photo tests: an offline torch hub holding a random-weight Keypoint R-CNN under
torchvision's file name, so the detector loads through its normal path."""
import pytest

from tests.offline import go_offline, random_weights_home


@pytest.fixture(scope="session")
def random_detector_home(tmp_path_factory):
    """A TORCH_HOME whose hub cache holds a random-weight Keypoint R-CNN (~240 MB, written once)."""
    from script.random_weights import write_random_keypoint_rcnn
    return random_weights_home(tmp_path_factory, "detector_torch_home", write_random_keypoint_rcnn)


@pytest.fixture
def offline_detector(random_detector_home, monkeypatch):
    """TORCH_HOME = ``random_detector_home``, with any download attempt failing the test."""
    go_offline(monkeypatch, random_detector_home)
    return random_detector_home
