"""A fresh run never replaces or mixes with an earlier run of the same --name; --overwrite starts over."""
import os

import pytest

from .conftest import parse_test, parse_train
from .test_train_checkpoint_atomic import snapshot
from util.errors import UserError


@pytest.fixture
def earlier_run(train_entry, toy_argv, tmp_path):
    """A finished run 'taken' (numbered saves at 3 and 6, a loss log) and a snapshot of its folder."""
    train_entry.train(parse_train(toy_argv("taken", "--save_iters_freq=3", "--print_freq=2")))
    run_dir = tmp_path / "result" / "taken"
    return run_dir, snapshot(run_dir)


def test_fresh_run_into_a_used_name_is_refused_and_changes_nothing(earlier_run, toy_argv):
    run_dir, before = earlier_run
    with pytest.raises(UserError) as error:
        parse_train(toy_argv("taken", "--niter=2", "--niter_decay=0"))
    assert str(error.value) == (
        f"{run_dir} already holds a run (3_net_G.pth, 3_train_state.pth, 6_net_G.pth, 6_train_state.pth, ...): "
        "pass --continue_train to resume it, another --name to start a new one, or --overwrite to delete it and "
        "start over")
    assert snapshot(run_dir) == before  # train_opt.txt included


def test_overwrite_starts_over(earlier_run, train_entry, toy_argv):
    run_dir, _ = earlier_run
    toy = train_entry.train(parse_train(toy_argv("taken", "--overwrite", "--niter=2", "--niter_decay=0",
                                                 "--print_freq=1")))
    assert toy.iteration == 2
    assert sorted(name for name in os.listdir(run_dir)) == [
        "latest_net_G.pth", "latest_train_state.pth", "loss_log.jsonl", "loss_log.txt", "train_opt.json",
        "train_opt.txt"]
    with open(run_dir / "loss_log.jsonl") as log:
        assert len(log.readlines()) == 2


def test_overwrite_and_continue_train_exclude_each_other(earlier_run, toy_argv):
    with pytest.raises(UserError, match="--overwrite deletes the run that --continue_train would resume"):
        parse_train(toy_argv("taken", "--overwrite", "--continue_train"))


def test_options_alone_do_not_make_a_run_and_testing_is_unaffected(earlier_run, toy_argv, toy_test_argv, tmp_path):
    os.makedirs(tmp_path / "result" / "failed_start")
    (tmp_path / "result" / "failed_start" / "train_opt.txt").write_text("from a run that failed to start\n")
    parse_train(toy_argv("failed_start"))  # accepted
    parse_test(toy_test_argv("taken"))  # test.py reads a run, it does not start one
