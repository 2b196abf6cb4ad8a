"""A checkpoint save is one unit: a save that fails or is killed at any instant leaves either the
previous set of files or the new one (never a mix, never a permanent temporary file), and a set
whose files disagree is refused on resume, naming them."""
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest
import torch

import model
from .conftest import ROOT, parse_train
from model.checkpoint import CheckpointError, StagedFiles, load_file
from model.checkpoint import files as checkpoint_files_module
from .test_train_resume import assert_same_training_state


def snapshot(folder):
    """{file name: bytes} of every file in ``folder``, hidden ones included."""
    folder = pathlib.Path(folder)
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder)) if (folder / name).is_file()}


def checkpoint_files(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".pth"))


def hidden_files(folder):
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


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


def test_failed_state_save_keeps_the_whole_previous_set(saved_toy, monkeypatch):
    toy, _, before = saved_toy
    perturb(toy)
    toy.iteration = 7
    monkeypatch.setattr(torch, "save", failing_save(lambda obj: isinstance(obj, dict) and "rng" in obj))
    with pytest.raises(OSError):
        toy.save_networks("latest")
    assert snapshot(toy.save_dir) == before  # the network written before the failure was not committed
    assert load_file(os.path.join(toy.save_dir, "latest_train_state.pth"))["iteration"] == 0


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    import torch
    from model.checkpoint import StagedFiles

    def slow_save(obj, path):  # a big checkpoint: the process is killed while it is written
        with open(path, "wb") as handle:
            handle.write(bytes(1_000_000))
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

    with StagedFiles(sys.argv[1]) as files:
        files.stage("latest_net_G.pth", {"weight": torch.ones(3)})
        torch.save = slow_save
        files.stage("latest_train_state.pth", {"iteration": 1})
""")


def test_save_killed_while_writing_leaves_the_previous_set(tmp_path):
    with StagedFiles(tmp_path) as files:
        files.stage("latest_net_G.pth", {"weight": torch.zeros(3)})
        files.stage("latest_train_state.pth", {"iteration": 0})
    before = snapshot(tmp_path)
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    # the killed save's files are hidden and not named *.pth: no loader or glob takes them for checkpoints
    assert checkpoint_files(tmp_path) == ["latest_net_G.pth", "latest_train_state.pth"]
    assert hidden_files(tmp_path) == [".latest_net_G.pth.tmp", ".latest_train_state.pth.tmp"]
    assert {name: data for name, data in snapshot(tmp_path).items() if not name.startswith(".")} == before
    checkpoint_files_module.recover_interrupted_save(tmp_path)  # the next start (resume or save) removes them
    assert snapshot(tmp_path) == before


class Killed(BaseException):
    """Stands for SIGKILL: no ``except Exception`` clean-up runs."""


def kill_at_step(monkeypatch, armed, step):
    """Raise Killed instead of the ``step``-th file operation (rename or removal) of an armed save."""
    calls = {"count": 0}
    real = {"replace": os.replace, "remove": os.remove}

    def operation(name):
        def run(*args):
            if armed["on"]:
                calls["count"] += 1
                if calls["count"] == step:
                    armed["on"] = False
                    raise Killed(f"killed before {name}{args}")
            return real[name](*args)
        return run
    monkeypatch.setattr(checkpoint_files_module.os, "replace", operation("replace"))
    monkeypatch.setattr(checkpoint_files_module.os, "remove", operation("remove"))


def arm_during_save(monkeypatch, at_iteration):
    armed = {"on": False}
    real_save = model.checkpoint.save_checkpoint

    def save(toy, which):
        armed["on"] = toy.iteration == at_iteration and which == "latest"
        try:
            real_save(toy, which)
        finally:
            armed["on"] = False
    monkeypatch.setattr(model.checkpoint, "save_checkpoint", save)
    return armed


# The save at iteration 6 of toy_full: (1) journal in place = commit point, (2)-(4) the renames of
# latest_net_G, latest_net_D, latest_train_state, (5) journal removed.
@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_kill_at_every_step_of_a_save_resumes_one_consistent_set(train_entry, toy_argv, monkeypatch, step, capsys,
                                                                 tmp_path):
    full = train_entry.train(parse_train(toy_argv("uninterrupted", model_name="toy_full")))
    argv = toy_argv("killed", "--save_latest_freq=3", model_name="toy_full")
    with monkeypatch.context() as patch:
        kill_at_step(patch, arm_during_save(patch, at_iteration=6), step)
        with pytest.raises(Killed):
            train_entry.train(parse_train(argv))
    run_dir = tmp_path / "result" / "killed"
    assert hidden_files(run_dir), "the kill should have left the save unfinished"

    capsys.readouterr()
    resumed = train_entry.train(parse_train(argv + ["--continue_train"]))
    printed = capsys.readouterr().out
    expected_start = 3 if step == 1 else 6  # before the journal: the previous set; after: the new one
    assert f"resuming ToyFullModel at iteration {expected_start}" in printed
    assert ("completed an interrupted save" in printed) == (step > 1)
    assert resumed.history == full.history[expected_start:]
    assert_same_training_state(resumed, full)
    assert hidden_files(run_dir) == []


KILLED_TRAINER = textwrap.dedent("""
    import os, sys
    import data, model
    import train
    from model.checkpoint import files
    from options.train_options import TrainOptions
    from tests.training.toy_training import TOY_MODELS, toy_loader

    find = model.find_model_class
    model.find_model_class = lambda name: TOY_MODELS.get(name) or find(name)
    canonical = model.canonical_model_name
    model.canonical_model_name = lambda name: name if name in TOY_MODELS else canonical(name)
    data.create_dataloader = toy_loader
    real_replace, real_save, renames = os.replace, model.checkpoint.save_checkpoint, []

    def save(toy, which):
        renames.append(toy.iteration == 6)
        real_save(toy, which)

    def replace(source, target):
        real_replace(source, target)
        if renames and renames[-1] and target.endswith("latest_net_G.pth"):
            os._exit(9)  # SIGKILL-like: no clean-up at all, G of iteration 6 beside D of iteration 3

    model.checkpoint.save_checkpoint, files.os.replace = save, replace
    train.train(TrainOptions().parse(sys.argv[1:]))
""")


@pytest.mark.slow
def test_process_killed_between_renames_resumes_the_new_set(train_entry, toy_argv):
    full = train_entry.train(parse_train(toy_argv("reference", model_name="toy_full")))
    argv = toy_argv("hard_killed", "--save_latest_freq=3", model_name="toy_full")
    result = subprocess.run([sys.executable, "-c", KILLED_TRAINER, *argv], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 9, result.stderr[-2000:]
    resumed = train_entry.train(parse_train(argv + ["--continue_train"]))
    assert resumed.history == full.history[6:]
    assert_same_training_state(resumed, full)


@pytest.fixture
def numbered_run(train_entry, toy_argv):
    """toy_full trained to 8 with numbered saves at 3 and 6; returns its argv and folder."""
    argv = toy_argv("numbered", "--save_iters_freq=3", model_name="toy_full")
    toy = train_entry.train(parse_train(argv))
    assert checkpoint_files(toy.save_dir) == [f"{which}_{kind}.pth" for which in ("3", "6", "latest")
                                              for kind in ("net_D", "net_G", "train_state")]
    return argv, toy.save_dir


def test_set_whose_files_disagree_is_refused_naming_them(train_entry, numbered_run):
    argv, run_dir = numbered_run
    shutil.copy(os.path.join(run_dir, "6_net_G.pth"), os.path.join(run_dir, "latest_net_G.pth"))
    with pytest.raises(CheckpointError) as error:
        model.create_model(parse_train(argv + ["--continue_train"]))
    assert str(error.value) == (
        f"checkpoint 'latest' in {run_dir} is not one save: latest_net_G.pth missing or changed since "
        "latest_train_state.pth was written; resume from a numbered save (--which_iter=N; on disk: 3, 6) "
        "or start over with --overwrite")
    assert model.create_model(parse_train(argv + ["--continue_train", "--which_iter=6"])).iteration == 6


def test_truncated_training_state_is_named(train_entry, numbered_run):
    argv, run_dir = numbered_run
    path = os.path.join(run_dir, "latest_train_state.pth")
    with open(path, "r+b") as handle:
        handle.truncate(os.path.getsize(path) // 2)
    with pytest.raises(CheckpointError) as error:
        model.create_model(parse_train(argv + ["--continue_train"]))
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"checkpoint '{path}' cannot be read: it is corrupt or truncated (")
    assert message.endswith("; resume from a numbered save (--which_iter=N; on disk: 3, 6) or start over "
                            "with --overwrite")
