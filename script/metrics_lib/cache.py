"""A cache of real-image FID statistics that is never stale.

The original stored ``statistics.npz`` inside the image folder and reused it whatever changed
since (original: script/metrics.py and script/inception.py, FID). Here the file lives in a cache directory and its name is a hash of
everything the statistics depend on: the folder, every file's name, size and modification time,
and the settings (protocol, weights hash, input handling, which images a batch policy keeps).
Any change gives a new key, hence a fresh computation; the key is also stored inside the file
and compared on load.
"""
import hashlib
import json
import os

import numpy as np

from util.atomic import atomic_path

CACHE_FORMAT = 1


def default_cache_dir():
    """``~/.cache/gfla_metrics`` (under ``$XDG_CACHE_HOME`` when that is set)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "gfla_metrics")


def statistics_key(paths, settings):
    """Hex SHA-256 of the files' names, sizes and modification times and of ``settings``.

    Args:
        paths: the image files of one folder.
        settings: JSON-serialisable dict of everything else the statistics depend on.
    Returns:
        str of 64 hex digits.
    """
    files = []
    for path in paths:
        status = os.stat(path)
        files.append([os.path.abspath(path), status.st_size, status.st_mtime_ns])
    payload = json.dumps({"format": CACHE_FORMAT, "files": files, "settings": settings},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def cache_file(cache_dir, prefix, key):
    """The cache file of ``key``."""
    return os.path.join(cache_dir, f"{prefix}-{key[:24]}.npz")


def load_statistics(path, key):
    """Return (mu, sigma) stored at ``path`` under ``key``, or None if absent, foreign or unreadable."""
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["key"]) != key:
                return None
            return stored["mu"], stored["sigma"]
    except (OSError, ValueError, KeyError) as error:
        print(f"FID: ignoring the unreadable statistics cache {path} ({error})")
        return None


def save_statistics(path, key, mu, sigma, description):
    """Write (mu, sigma) with ``key`` and a JSON ``description`` to ``path`` atomically."""
    with atomic_path(path) as temp_path:
        with open(temp_path, "wb") as handle:
            np.savez(handle, key=np.array(key), mu=mu, sigma=sigma,
                     description=np.array(json.dumps(description, sort_keys=True)))


def cached_statistics(cache_dir, prefix, paths, settings, compute):
    """(mu, sigma) of ``paths`` under ``settings``: from the cache, else ``compute()`` and store.

    Args:
        cache_dir: the cache directory (created when needed).
        prefix: file-name prefix, e.g. ``'fid-real-gfla'``.
        paths: the image files the statistics cover.
        settings: JSON-serialisable dict of everything else the statistics depend on.
        compute: callable returning (mu, sigma).
    Returns:
        (mu, sigma, cache file path, whether the cache was reused).
    """
    key = statistics_key(paths, settings)
    path = cache_file(cache_dir, prefix, key)
    stored = load_statistics(path, key)
    if stored is not None:
        return stored[0], stored[1], path, True
    mu, sigma = compute()
    description = {"settings": settings, "num_images": len(paths),
                   "folder": os.path.dirname(os.path.abspath(paths[0]))}
    save_statistics(path, key, mu, sigma, description)
    return mu, sigma, path, False
