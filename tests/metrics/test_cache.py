"""The real-statistics cache: reused while nothing changed, recomputed after any change."""
import os

import numpy as np
import pytest
from PIL import Image

from script.metrics_lib.cache import cached_statistics, statistics_key

SETTINGS = {"protocol": "gfla", "weights_sha256": "abc"}


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "real"
    folder.mkdir()
    paths = []
    for index in range(3):
        path = folder / f"{index}.png"
        Image.new("RGB", (8, 8), (index, 0, 0)).save(path)
        os.utime(path, ns=(10**18, 10**18 + index))
        paths.append(str(path))
    return paths


class CountingStatistics:
    """A stand-in for the Inception pass that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return np.full(4, float(self.calls)), np.eye(4) * self.calls


def test_reused_when_nothing_changed_and_recomputed_after_a_change(images, tmp_path):
    compute, cache_dir = CountingStatistics(), str(tmp_path / "cache")

    def statistics(paths=images, settings=SETTINGS):
        return cached_statistics(cache_dir, "fid-real-gfla", paths, settings, compute)

    mu, sigma, path, reused = statistics()
    assert (compute.calls, reused) == (1, False) and os.path.isfile(path)
    mu2, sigma2, path2, reused = statistics()
    assert (compute.calls, reused, path2) == (1, True, path)
    np.testing.assert_array_equal(mu2, mu)
    np.testing.assert_array_equal(sigma2, sigma)

    # New content (and so a new modification time) in one real image.
    Image.new("RGB", (8, 8), (200, 0, 0)).save(images[1])
    *_, path3, reused = statistics()
    assert (compute.calls, reused) == (2, False) and path3 != path
    assert statistics()[3] is True
    # Other settings, or another file list, are other statistics.
    assert statistics(settings={**SETTINGS, "weights_sha256": "def"})[3] is False
    assert statistics(paths=images[:2])[3] is False
    assert compute.calls == 4


def test_key_covers_modification_time_and_size(images):
    key = statistics_key(images, SETTINGS)
    assert statistics_key(images, SETTINGS) == key
    status = os.stat(images[0])
    os.utime(images[0], ns=(status.st_atime_ns, status.st_mtime_ns + 1))
    touched = statistics_key(images, SETTINGS)
    assert touched != key
    with open(images[0], "ab") as handle:  # same mtime, one more byte
        handle.write(b"\0")
    os.utime(images[0], ns=(status.st_atime_ns, status.st_mtime_ns + 1))
    assert statistics_key(images, SETTINGS) not in (key, touched)


def test_an_unreadable_cache_file_is_recomputed(images, tmp_path, capsys):
    compute, cache_dir = CountingStatistics(), str(tmp_path / "cache")
    *_, path, _ = cached_statistics(cache_dir, "fid", images, SETTINGS, compute)
    with open(path, "wb") as handle:
        handle.write(b"not an npz")
    *_, reused = cached_statistics(cache_dir, "fid", images, SETTINGS, compute)
    assert (compute.calls, reused) == (2, False)
    assert "ignoring the unreadable statistics cache" in capsys.readouterr().out
    assert cached_statistics(cache_dir, "fid", images, SETTINGS, compute)[3] is True
