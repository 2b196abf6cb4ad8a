"""Paths the tests share: the real samples live beside the checkout (../shared), as in CI."""
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL_SAMPLES = os.environ.get("GFLA_REAL_SAMPLES", os.path.join(REPO_ROOT, os.pardir, "shared", "real_samples"))
