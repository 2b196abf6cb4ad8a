"""The entry scripts as a user runs them: a user error is one line on stderr naming the path and
the fix, the exit status is not 0, and a run that fails before it holds anything leaves no run
folder behind; GFLA_DEBUG=1 shows the traceback.

Most cases call the scripts' ``main`` through ``util.cli.run_entry_point`` in this process (what
``__main__`` does, without a slow interpreter start); a few run the real command lines.
"""
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from script.make_synthetic_dataset import make_synthetic_dataset
from tests.paths import REPO_ROOT
from util import cli

COMMON = ["--gpu_ids=-1", "--model=pose_flow", "--attn_layer=2", "--kernel_size=2=3", "--dataset_mode=market",
          "--nThreads=0", "--display_id=0", "--name=run"]


@pytest.fixture(scope="module")
def market_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("entry_errors") / "market"
    make_synthetic_dataset(root, fmt="market", num_train_figures=1, num_test_figures=1, poses_per_figure=2,
                           pairs_per_figure=2, seed=0)
    return root


@pytest.fixture
def market_copy(market_root, private_copy):
    return private_copy(market_root, "market")


def entry_main(script):
    """``main`` of train.py / test.py / script/<name>.py, imported by path."""
    path = os.path.join(REPO_ROOT, script)
    spec = importlib.util.spec_from_file_location(f"entry_{os.path.basename(script)[:-3]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def run_in_process(script, *argv, monkeypatch, capsys):
    """Run ``script`` as its ``__main__`` does; returns (exit status, stderr lines)."""
    main = entry_main(script)
    monkeypatch.setattr(sys, "argv", [os.path.join(REPO_ROOT, script), *argv])
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    with pytest.raises(SystemExit) as info:
        cli.run_entry_point(main)
    return info.value.code, capsys.readouterr().err.strip().splitlines()


def run_command(script, *argv, cwd, env=None):
    """Run ``python <script>`` in a new interpreter; returns (exit status, stderr lines)."""
    completed = subprocess.run([sys.executable, os.path.join(REPO_ROOT, script), *argv], cwd=cwd,
                               capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
    return completed.returncode, completed.stderr.strip().splitlines()


def test_missing_dataroot_is_one_line_and_leaves_no_run_folder(tmp_path):
    status, stderr = run_command("train.py", *COMMON, f"--checkpoints_dir={tmp_path / 'result'}",
                                 "--dataroot=./no/such", cwd=tmp_path)
    assert status == 1
    assert stderr == ["train.py: error: --dataroot=./no/such: no such folder; put the market dataset there or pass "
                      "--dataroot=<its folder> (see dataset/README.md)"]
    assert not (tmp_path / "result").exists()


def test_gfla_debug_gives_the_traceback(tmp_path):
    status, stderr = run_command("train.py", *COMMON, f"--checkpoints_dir={tmp_path / 'result'}",
                                 "--dataroot=./no/such", cwd=tmp_path, env={"GFLA_DEBUG": "1"})
    assert status == 1 and stderr[0] == "Traceback (most recent call last):"
    assert stderr[-1].startswith("util.errors.MissingPathError: --dataroot=./no/such: no such folder")


def test_training_on_a_test_only_set_says_so(tmp_path, market_copy, monkeypatch, capsys):
    shutil.rmtree(market_copy / "train")
    status, stderr = run_in_process("train.py", *COMMON, f"--checkpoints_dir={tmp_path / 'result'}",
                                    f"--dataroot={market_copy}", monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1 and len(stderr) == 1
    assert stderr[0].startswith(f"train.py: error: {market_copy}/train: no such folder (train.py reads the train "
                                f"split from it); {market_copy} is a test-only set: test it with test.py")
    assert not (tmp_path / "result").exists()


def test_a_missing_split_names_the_one_that_exists(tmp_path, market_root, monkeypatch, capsys):
    status, stderr = run_in_process("test.py", *COMMON, f"--checkpoints_dir={tmp_path / 'result'}",
                                    f"--dataroot={market_root}", "--phase=val", monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1
    assert stderr == [f"test.py: error: {market_root}/val: no such folder (--phase=val reads from it); {market_root} "
                      f"has train, test: pass --phase=train or add the val images and CSVs"]
    assert not (tmp_path / "result").exists()


def test_an_existing_run_folder_is_never_removed(tmp_path, monkeypatch, capsys):
    run_dir = tmp_path / "result" / "run"
    run_dir.mkdir(parents=True)
    status, _ = run_in_process("train.py", *COMMON, f"--checkpoints_dir={tmp_path / 'result'}", "--dataroot=./no/such",
                               monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1 and (run_dir / "train_opt.txt").is_file()


def test_compile_on_the_cpu_is_one_line_and_leaves_no_run_folder(tmp_path, market_root, offline_vgg, monkeypatch,
                                                                  capsys):
    status, stderr = run_in_process("train.py", *COMMON, f"--checkpoints_dir={tmp_path / 'result'}",
                                    f"--dataroot={market_root}", "--batchSize=1", "--compile", monkeypatch=monkeypatch,
                                    capsys=capsys)
    assert status == 2 and stderr == [
        "train.py: error: --compile: only on the fast path, which does not apply here (the model runs on cpu, CUDA "
        "graphs need a CUDA device); drop --compile"]
    assert not (tmp_path / "result").exists()


@pytest.mark.slow
def test_an_unreadable_image_in_a_worker_before_the_first_iteration(tmp_path, market_copy, offline_vgg,
                                                                     monkeypatch, capsys):
    broken = sorted((market_copy / "train").iterdir())[0]
    broken.write_bytes(broken.read_bytes()[:200])  # a truncated JPEG
    status, stderr = run_in_process("train.py", *COMMON, f"--checkpoints_dir={tmp_path / 'result'}",
                                    f"--dataroot={market_copy}", "--nThreads=1", "--batchSize=1", "--serial_batches",
                                    "--no_html", monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1 and not any("Traceback" in line for line in stderr)
    assert stderr[-1].startswith(f"train.py: error: cannot read image {broken}: ")
    assert not (tmp_path / "result").exists()  # the model was built, no iteration done: nothing kept


def test_an_existing_eval_folder(market_copy, monkeypatch, capsys):
    (market_copy / "test_12864").mkdir()
    status, stderr = run_in_process("script/make_eval_folders.py", "--root", str(market_copy), "--dataset", "market",
                                    monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1
    assert stderr == [f"make_eval_folders.py: error: {market_copy}/test_12864 exists; pass --overwrite to replace it "
                      "(or remove it)"]


def test_metrics_with_a_missing_folder(tmp_path, market_root, monkeypatch, capsys):
    status, stderr = run_in_process("script/metrics.py", "--generated_path", str(market_root / "test"), "--gt_path",
                                    str(tmp_path / "absent"), "--metrics", "ssim", monkeypatch=monkeypatch,
                                    capsys=capsys)
    assert status == 1
    assert stderr == [f"metrics.py: error: --gt_path: '{tmp_path / 'absent'}' is not a directory"]
