"""train.py's loop: iteration convention, logging and saving frequencies, stopping, Ctrl-C."""
import os
import signal

import pytest

from .conftest import parse_train
from model.checkpoint_io import load_file
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
    monkeypatch.setattr(train_entry, "save", lambda m, which: (saves.append((m.iteration, which)), real_save(m, which)))
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


def test_ctrl_c_saves_latest_and_exits_130(train_entry, toy_argv, monkeypatch):
    monkeypatch.setattr("sys.argv", ["train.py", *toy_argv("interrupted", "--toy_interrupt_at=2")])
    with pytest.raises(SystemExit) as exit_info:
        train_entry.main()
    assert exit_info.value.code == 130
    state = load_file(os.path.join(parse_train(toy_argv("interrupted")).checkpoints_dir, "interrupted",
                                   "latest_train_state.pth"))
    assert state["iteration"] == 2


def test_second_ctrl_c_aborts_at_once(train_entry):
    previous = signal.getsignal(signal.SIGINT)
    with train_entry.StopRequest() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is previous
