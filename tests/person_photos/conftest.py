"""Fixtures of the photo tests: an offline torch hub holding a random-weight Keypoint R-CNN under
torchvision's file name, so the detector loads through its normal path."""
from script.random_weights import write_random_keypoint_rcnn
from tests.offline import offline_weights_fixtures

random_detector_home, offline_detector = offline_weights_fixtures(
    "random_detector_home", "offline_detector", write_random_keypoint_rcnn,
    "a random-weight Keypoint R-CNN (~240 MB, written once)")
