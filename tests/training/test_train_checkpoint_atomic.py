"""Atomic checkpoints: a save that fails or is killed half-way leaves the previous checkpoint intact
and loadable, and no partial file that looks like a checkpoint."""
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import pytest
import torch

import model
from .conftest import ROOT, parse_train
from model.checkpoint_io import atomic_save, load_file


def snapshot(folder):
    """{file name: bytes} of every file in ``folder``, hidden ones included."""
    folder = pathlib.Path(folder)
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def checkpoint_files(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".pth"))


def failing_save(should_fail):
    """A torch.save that writes a partial file and then fails (disk full) when should_fail(obj)."""
    real_save = torch.save

    def save(obj, path, *args, **kwargs):
        if not should_fail(obj):
            return real_save(obj, path, *args, **kwargs)
        with open(path, "wb") as handle:
            handle.write(b"PK\x03\x04 half a checkpoint")
        raise OSError(28, "No space left on device")
    return save


def perturb(toy):
    with torch.no_grad():
        for parameter in toy.net_G.parameters():
            parameter.add_(1.0)


@pytest.fixture
def saved_toy(toy_registry, toy_argv):
    """A toy model whose 'latest' checkpoint is on disk, and a snapshot of its folder."""
    toy = model.create_model(parse_train(toy_argv("atomic")))
    toy.save_networks("latest")
    weights = {key: value.clone() for key, value in toy.net_G.state_dict().items()}
    return toy, weights, snapshot(toy.save_dir)


def test_failed_network_save_keeps_previous_checkpoint(saved_toy, toy_argv, monkeypatch):
    toy, weights, before = saved_toy
    perturb(toy)
    with monkeypatch.context() as patch, pytest.raises(OSError, match="No space left"):
        patch.setattr(torch, "save", failing_save(lambda obj: True))
        toy.save_networks("latest")
    assert snapshot(toy.save_dir) == before  # byte-identical, no temporary file left behind
    reloaded = model.create_model(parse_train(toy_argv("atomic", "--continue_train")))
    for key, value in reloaded.net_G.state_dict().items():
        assert torch.equal(value, weights[key]), f"{key} was not restored from the previous checkpoint"


def test_failed_state_save_never_leaves_a_state_newer_than_the_nets(saved_toy, monkeypatch):
    toy, _, before = saved_toy
    perturb(toy)
    toy.iteration = 7
    monkeypatch.setattr(torch, "save", failing_save(lambda obj: isinstance(obj, dict) and "rng" in obj))
    with pytest.raises(OSError):
        toy.save_networks("latest")
    after = snapshot(toy.save_dir)
    assert checkpoint_files(toy.save_dir) == ["latest_net_G.pth", "latest_train_state.pth"]
    assert after["latest_train_state.pth"] == before["latest_train_state.pth"]  # the old state, intact
    assert after["latest_net_G.pth"] != before["latest_net_G.pth"]  # the nets were written first
    assert load_file(os.path.join(toy.save_dir, "latest_train_state.pth"))["iteration"] == 0


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    import torch
    from model.checkpoint_io import atomic_save

    def slow_save(obj, path):  # a big checkpoint: the process is killed while it is written
        with open(path, "wb") as handle:
            handle.write(bytes(1_000_000))
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

    torch.save = slow_save
    atomic_save({"weight": torch.ones(3)}, sys.argv[1])
""")


def test_checkpoint_write_killed_midway_leaves_previous_file(tmp_path):
    path = tmp_path / "latest_net_G.pth"
    atomic_save({"weight": torch.zeros(3)}, path)
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        partial = [name for name in os.listdir(tmp_path) if name != path.name]
        assert len(partial) == 1 and os.path.getsize(tmp_path / partial[0]) == 1_000_000
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    assert torch.equal(load_file(path)["weight"], torch.zeros(3))
    # The killed write's file is hidden and not named *.pth: no loader or glob takes it for a checkpoint.
    assert checkpoint_files(tmp_path) == [path.name]
    assert all(name.startswith(".") and not name.endswith(".pth") for name in os.listdir(tmp_path) if name != path.name)
    atomic_save({"weight": torch.full((3,), 2.0)}, path)  # the next save of that file removes the debris
    assert os.listdir(tmp_path) == [path.name]
    assert torch.equal(load_file(path)["weight"], torch.full((3,), 2.0))
