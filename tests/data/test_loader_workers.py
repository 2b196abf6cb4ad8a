"""DataLoader workers: never more processes than the CPUs this process may use (no PyTorch warning)."""
import os
import warnings

import pytest

import data
from options.test_options import TestOptions


@pytest.fixture
def two_cpus(monkeypatch):
    """This process may run on two CPUs (as on a small shared machine or a cluster job's share)."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


def test_default_worker_count_is_capped_by_the_available_cpus(two_cpus, tmp_path):
    opt = TestOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=-1", "--model=pose", "--attn_layer=2",
                               "--kernel_size=2=3", "--dataset_mode=market"], save=False)
    assert opt.nThreads == 2


@pytest.mark.parametrize("requested, expected", [(8, 2), (2, 2), (1, 1), (0, 0)])
def test_loader_uses_no_more_workers_than_cpus_and_torch_does_not_warn(two_cpus, make_opt, market_root,
                                                                      requested, expected, capsys):
    loader = data.create_dataloader(make_opt("market", market_root, is_train=False, nThreads=requested))
    assert loader.num_workers == expected
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loader.check_worker_number_rationality()  # what torch runs (and warns from) on iteration
    if requested > expected:
        assert "2 worker processes (--nThreads=8, but only 2 CPUs available)" in capsys.readouterr().out
