"""util.atomic: files are replaced whole and get the mode a plain open() would give them."""
import os
import stat

import pytest

from util.atomic import atomic_path, atomic_write_text, temporary_folder


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it afterwards."""
    previous = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077, 0o027])
def test_written_files_honour_the_umask_like_open(tmp_path, umask, mask):
    umask(mask)
    with open(tmp_path / "plain.txt", "w") as handle:
        handle.write("x")
    atomic_write_text(tmp_path / "atomic.txt", "x")
    with atomic_path(tmp_path / "binary.bin") as temp_path:
        with open(temp_path, "wb") as handle:
            handle.write(b"x")
    expected = 0o666 & ~mask
    for name in ("plain.txt", "atomic.txt", "binary.bin"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == expected, name


def test_replaces_the_target_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["out.txt"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temp_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp_path:
            with open(temp_path, "w") as handle:
                handle.write("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_temporary_folders_honour_the_umask_like_mkdir(tmp_path, umask, mask):
    umask(mask)
    os.mkdir(tmp_path / "plain")
    made = temporary_folder(str(tmp_path), "out")
    assert os.path.basename(made).startswith(".out.tmp-")
    assert stat.S_IMODE(os.stat(made).st_mode) == stat.S_IMODE(os.stat(tmp_path / "plain").st_mode) == 0o777 & ~mask
