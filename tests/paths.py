"""Paths the tests share: the real samples live beside the checkout (../shared), as in CI; frame file numbers."""
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL_SAMPLES = os.environ.get("GFLA_REAL_SAMPLES", os.path.join(REPO_ROOT, os.pardir, "shared", "real_samples"))


def frame_numbers(paths):
    """The numbers of frame files named ``<number>.<3-letter extension>`` (00007.png -> 7)."""
    return [int(os.path.basename(path)[:-4]) for path in paths]
