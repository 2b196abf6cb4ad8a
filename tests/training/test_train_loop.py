"""train.py's loop: iteration convention, logging and saving frequencies, stopping, Ctrl-C and
SIGTERM, the loss log of a resumed run."""
import json
import os
import re
import signal

import pytest

from .conftest import parse_train
from model.checkpoint import load_file
from util.visualizer import Visualizer


class RecordingVisualizer(Visualizer):
    """The real Visualizer, remembering when it was called."""
    calls = []

    def display_current_results(self, images, iteration):
        self.calls.append(("display", iteration, sorted(images)))
        super().display_current_results(images, iteration)

    def print_current_errors(self, epoch, iteration, errors, seconds_per_sample):
        self.calls.append(("print", epoch, iteration, list(errors)))
        assert seconds_per_sample > 0
        super().print_current_errors(epoch, iteration, errors, seconds_per_sample)

    def plot_current_errors(self, iteration, errors):
        self.calls.append(("plot", iteration))
        super().plot_current_errors(iteration, errors)


def test_frequencies_count_optimisation_steps(train_entry, toy_argv, monkeypatch):
    RecordingVisualizer.calls = []
    monkeypatch.setattr(train_entry, "Visualizer", RecordingVisualizer)
    saves = []
    real_save = train_entry.save
    monkeypatch.setattr(train_entry, "save", lambda m, which, watch: (saves.append((m.iteration, which)),
                                                                       real_save(m, which, watch)))
    argv = [arg for arg in toy_argv("frequencies") if arg != "--no_html"]
    toy = train_entry.train(parse_train(argv + ["--print_freq=2", "--display_freq=3", "--save_latest_freq=4",
                                                "--save_iters_freq=5"]))

    # 8 steps (niter 5 + niter_decay 3), 3 batches per epoch: steps 1-3 epoch 0, 4-6 epoch 1, 7-8 epoch 2
    assert toy.iteration == 8
    assert [c[1:] for c in RecordingVisualizer.calls if c[0] == "display"] == [(3, ["input", "output"]),
                                                                                (6, ["input", "output"])]
    assert [c[1:3] for c in RecordingVisualizer.calls if c[0] == "print"] == [(0, 2), (1, 4), (1, 6), (2, 8)]
    assert [c[1] for c in RecordingVisualizer.calls if c[0] == "plot"] == [2, 4, 6, 8]
    assert saves == [(4, "latest"), (5, 5), (8, "latest")]  # 'latest' again when training ends
    run_dir = toy.save_dir
    assert sorted(f for f in os.listdir(run_dir) if f.endswith(".pth")) == [
        "5_net_G.pth", "5_train_state.pth", "latest_net_G.pth", "latest_train_state.pth"]
    assert load_file(os.path.join(run_dir, "5_train_state.pth"))["iteration"] == 5
    assert load_file(os.path.join(run_dir, "latest_train_state.pth"))["iteration"] == 8
    with open(os.path.join(run_dir, "loss_log.txt")) as log:
        assert "(epoch: 1, iters: 4, time: " in log.read()
    assert os.path.isfile(os.path.join(run_dir, "web", "index.html"))


def test_fresh_run_with_iter_count_starts_mid_schedule(train_entry, toy_argv):
    toy = train_entry.train(parse_train(toy_argv("late_start", "--iter_count=3")))
    assert [step for step, *_ in toy.history] == list(range(3, 9))
    # iteration 2 = epoch 0 after 2 batches: the first step uses the epoch's last batch
    first_epoch = train_entry.train(parse_train(toy_argv("reference", "--niter=3", "--niter_decay=0")))
    assert toy.history[0][1] == first_epoch.history[2][1]


def test_finished_run_resumed_does_nothing(train_entry, toy_argv):
    train_entry.train(parse_train(toy_argv("finished")))
    again = train_entry.train(parse_train(toy_argv("finished", "--continue_train")))
    assert again.iteration == 8 and again.history == []


def test_training_set_smaller_than_a_batch_is_an_error(train_entry, toy_argv):
    with pytest.raises(ValueError, match=r"fewer samples than --batchSize=3: no full batch"):
        train_entry.train(parse_train(toy_argv("tiny", "--toy_samples=2")))


def test_ctrl_c_saves_latest_and_exits_130(train_entry, toy_argv, monkeypatch, tmp_path):
    monkeypatch.setattr("sys.argv", ["train.py", *toy_argv("interrupted", "--toy_interrupt_at=2")])
    with pytest.raises(SystemExit) as exit_info:
        train_entry.main()
    assert exit_info.value.code == 130
    state = load_file(tmp_path / "result" / "interrupted" / "latest_train_state.pth")
    assert state["iteration"] == 2


def test_sigterm_saves_latest_exits_143_and_resumes_exactly(train_entry, toy_argv, monkeypatch, tmp_path, capsys):
    """Cluster schedulers send SIGTERM before they kill: it is a Ctrl-C."""
    full = train_entry.train(parse_train(toy_argv("sigterm_reference")))
    argv = toy_argv("sigterm", "--save_latest_freq=2")
    monkeypatch.setattr("sys.argv", ["train.py", *argv, "--toy_interrupt_at=3", "--toy_signal=SIGTERM"])
    with pytest.raises(SystemExit) as exit_info:
        train_entry.main()
    assert exit_info.value.code == 143
    assert "SIGTERM: stopping after this iteration and saving 'latest' (SIGTERM again to abort now)" in \
        capsys.readouterr().out
    assert load_file(tmp_path / "result" / "sigterm" / "latest_train_state.pth")["iteration"] == 3
    resumed = train_entry.train(parse_train(argv + ["--continue_train"]))
    assert resumed.history == full.history[3:]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_second_stop_signal_aborts_at_once(train_entry, signum):
    previous = signal.getsignal(signum)
    with train_entry.StopRequest() as stop:
        os.kill(os.getpid(), signum)
        assert stop.requested and stop.signum == signum
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signum)
    assert signal.getsignal(signum) is previous


def test_resumed_run_logs_each_iteration_once(train_entry, toy_argv, monkeypatch, tmp_path):
    """A run killed at step 5 logged 4 and 5 after its last save (3); they are redone on resume."""
    argv = toy_argv("logged", "--print_freq=1", "--save_latest_freq=3")

    def killed_at_step_5(model):
        if model.iteration + 1 == 5:
            raise KeyboardInterrupt  # stands for a kill: nothing after this runs
        real_step(model)
    toy_class = train_entry.models.find_model_class("toy")
    real_step = toy_class.optimize_parameters
    with monkeypatch.context() as patch:
        patch.setattr(toy_class, "optimize_parameters", killed_at_step_5)
        with pytest.raises(KeyboardInterrupt):
            train_entry.train(parse_train(argv))
    train_entry.train(parse_train(argv + ["--continue_train"]))
    run_dir = tmp_path / "result" / "logged"
    with open(run_dir / "loss_log.jsonl") as log:
        assert [json.loads(line)["iteration"] for line in log] == list(range(1, 9))
    with open(run_dir / "loss_log.txt") as log:
        assert [int(n) for n in re.findall(r"\(epoch: \d+, iters: (\d+),", log.read())] == list(range(1, 9))
