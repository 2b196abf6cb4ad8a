"""Atomic file writes: write beside the target, flush to disk, then rename over it.

A process killed mid-write leaves the previous file intact and at worst a hidden
``.<name>.tmp-*`` file, never a truncated target. The temporary file is created like a plain
``open(path, "w")`` would create the target: mode 0666 less the process's umask (``mkstemp``
would make every output 0600, unreadable to the rest of a shared machine's group).
"""
import contextlib
import os
import secrets


def _create_unique(folder, basename, kind, create):
    """``create(path)`` for a new hidden ``.<basename>.<kind>-<random>`` in ``folder``; return the path."""
    while True:
        path = os.path.join(folder, f".{basename}.{kind}-{secrets.token_hex(4)}")
        try:
            create(path)
            return path
        except FileExistsError:
            continue


def _create_temp_file(folder, basename):
    """A new empty ``.<basename>.tmp-<random>`` file in ``folder``, mode 0666 & ~umask."""
    return _create_unique(folder, basename, "tmp",
                          lambda path: os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)))


def temporary_folder(folder, basename, kind="tmp"):
    """A new empty folder ``.<basename>.<kind>-<random>`` in ``folder``, mode 0777 & ~umask like
    ``os.mkdir`` (``tempfile.mkdtemp`` makes 0700): fill it, then rename it over the target."""
    return _create_unique(folder, basename, kind, os.mkdir)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path in the target's folder; on success it replaces ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temp_path = _create_temp_file(folder, os.path.basename(path))
    try:
        yield temp_path
        with open(temp_path, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp_path, path)
    finally:
        if os.path.exists(temp_path):
            os.remove(temp_path)


def atomic_write_text(path, text):
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as temp_path:
        with open(temp_path, "w") as handle:
            handle.write(text)
