"""Paths of the shared real samples and folder builders for the metric tests."""
import os
import shutil

import pytest

from script.metrics_lib.matching import target_stem
from tests.paths import REAL_SAMPLES

MARKET = os.path.join(REAL_SAMPLES, "market")
MARKET_ANNOTATIONS = os.path.join(MARKET, "market-annotation-test.csv")


def real_market():
    """The shared real Market samples folder; skips the calling test where it is absent."""
    if not os.path.isdir(MARKET):
        pytest.skip(f"real samples not found at {MARKET}")
    return MARKET

INCEPTION_FILE = "inception_v3_google-0cc3c7bd.pth"
FID_INCEPTION_FILE = "pt_inception-2015-12-05-6726825d.pth"
ALEXNET_FILE = "alexnet-owt-7be5be79.pth"


def copy_market_pairs(root, count):
    """Copy the first ``count`` Market generated images and their targets into root/gen and root/gt."""
    generated_dir, gt_dir = root / "gen", root / "gt"
    generated_dir.mkdir()
    gt_dir.mkdir()
    for name in sorted(os.listdir(os.path.join(real_market(), "generated")))[:count]:
        shutil.copy(os.path.join(MARKET, "generated", name), generated_dir / name)
        target = f"{target_stem(name)}.jpg"
        shutil.copy(os.path.join(MARKET, "test", target), gt_dir / target)
    return generated_dir, gt_dir


def copy_market_photos(folder, count):
    """Copy the first ``count`` Market test photos into ``folder``."""
    folder.mkdir()
    for name in sorted(os.listdir(os.path.join(real_market(), "test")))[:count]:
        shutil.copy(os.path.join(MARKET, "test", name), folder / name)
    return folder
