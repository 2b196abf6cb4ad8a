"""Fixtures of the data tests: small synthetic datasets on disk and dataset options built by the real setters."""
import argparse
import os
import sys

import pytest

import data
from script.make_synthetic_dataset import make_synthetic_dataset
from script.synthetic_face import make_synthetic_face_dataset
from script.synthetic_shapenet import make_synthetic_shapenet

from tests.paths import REAL_SAMPLES

# Options the entry points declare before a dataset's setter runs (values as options/ gives them).
_ENTRY_POINT_DEFAULTS = dict(load_size=(1024, 1024), old_size=(256, 256), structure_nc=18, image_nc=3,
                             display_winsize=256, batchSize=2, nThreads=0, serial_batches=False,
                             max_dataset_size=sys.maxsize)
SMALL = dict(num_train_figures=3, num_test_figures=2, poses_per_figure=3, pairs_per_figure=4)


def build_opt(dataset_mode, dataroot, is_train=True, **overrides):
    """An options namespace as the entry points build it: base defaults, then the dataset's setter."""
    parser = argparse.ArgumentParser()
    for name, default in _ENTRY_POINT_DEFAULTS.items():
        parser.add_argument(f"--{name}", default=default)
    data.get_option_setter(dataset_mode)(parser, is_train)
    opt = parser.parse_args([])
    vars(opt).update(dataset_mode=dataset_mode, dataroot=str(dataroot), phase="train" if is_train else "test",
                     isTrain=is_train, gpu_ids=[], seed=0)
    vars(opt).update(overrides)
    return opt


@pytest.fixture(scope="session")
def market_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic") / "market"
    make_synthetic_dataset(root, "market", seed=3, **SMALL)
    return root


@pytest.fixture(scope="session")
def fashion_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic") / "fashion"
    make_synthetic_dataset(root, "fashion", seed=4, **SMALL)
    return root


@pytest.fixture(scope="session")
def synthetic_face_root(tmp_path_factory):
    """Synthetic face videos: 2 train and 1 test video of 6 frames, 64x64."""
    root = tmp_path_factory.mktemp("synthetic") / "face"
    make_synthetic_face_dataset(root, num_train_videos=2, num_test_videos=1, frames_per_video=6, frame_size=64, seed=5)
    return root


@pytest.fixture(scope="session")
def shapenet_synthetic_root(tmp_path_factory):
    """Synthetic chairs in the ShapeNet layout: 2 train and 1 test object, 54 views of 32x32 each."""
    root = tmp_path_factory.mktemp("synthetic") / "shapenet"
    make_synthetic_shapenet(root, "chair", num_train_objects=2, num_test_objects=1, image_size=32, seed=1)
    return root


@pytest.fixture
def market_copy(market_root, private_copy):
    """A private copy of the synthetic Market dataset that a test may damage."""
    return private_copy(market_root, "market")


@pytest.fixture
def make_opt():
    """``make_opt(dataset_mode, dataroot, is_train=True, **overrides)`` -> options namespace."""
    return build_opt


def _real_sample_root(name):
    root = os.path.join(REAL_SAMPLES, name)
    if not os.path.isdir(root):
        pytest.skip(f"real samples not found at {root}")
    return root


@pytest.fixture
def real_fashion_root():
    return _real_sample_root("deepfashion")


@pytest.fixture
def real_market_root():
    return _real_sample_root("market")
