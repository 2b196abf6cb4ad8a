"""A non-finite loss stops training with one line (iteration, loss, images) and never overwrites the
last good checkpoint, which stays the resume point; nothing non-finite is ever written."""

import pytest
import torch

import model
from .conftest import parse_train
from .toy_training import ToyModel
from .test_train_checkpoint_atomic import snapshot
from util.nonfinite import LossWatch, NonFiniteError, non_finite_entries


def checkpoint_snapshot(folder):
    return {name: data for name, data in snapshot(folder).items() if name.endswith(".pth") or name.startswith(".")}


@pytest.fixture
def good_run(train_entry, toy_argv):
    """A toy run saved at iteration 4 ('latest' and numbered), and what an uninterrupted run does."""
    argv = toy_argv("nan", "--save_latest_freq=2", "--save_iters_freq=4")
    full = train_entry.train(parse_train(toy_argv("nan_reference")))
    first = train_entry.train(parse_train(argv + ["--niter=4", "--niter_decay=0"]))
    return argv, first.save_dir, full


def batch_names(full, step):
    return ", ".join(f"img{index:02d}.jpg" for index in full.history[step - 1][1])


def test_nan_batch_stops_and_keeps_the_last_good_save_byte_identical(train_entry, good_run):
    argv, run_dir, full = good_run
    before = checkpoint_snapshot(run_dir)
    with pytest.raises(NonFiniteError) as error:  # step 5 has a NaN pixel; step 6 would save 'latest'
        train_entry.train(parse_train(argv + ["--continue_train", "--toy_nan_at=5"]))
    assert str(error.value) == (
        f"iteration 5: non-finite loss rec=nan on the batch {batch_names(full, 5)}; stopped without saving: the "
        "checkpoint of iteration 4 stays the resume point (--continue_train); check those images (NaN or inf "
        "pixels) or lower --lr")
    assert checkpoint_snapshot(run_dir) == before
    resumed = train_entry.train(parse_train(argv + ["--continue_train"]))  # the good save resumes exactly
    assert resumed.history == full.history[4:]


def test_crash_caused_by_nan_weights_reports_the_nan(train_entry, good_run, monkeypatch):
    """As resample2d does on NaN flows, the step after the NaN one fails: the NaN is the news."""
    argv, run_dir, full = good_run
    real_step = ToyModel.optimize_parameters

    def step_failing_on_nan_weights(self):
        if not all(torch.isfinite(p).all() for p in self.net_G.parameters()):
            raise IndexError("index -9223372036854775808 is out of bounds for dimension 0 with size 8")
        real_step(self)
    monkeypatch.setattr(ToyModel, "optimize_parameters", step_failing_on_nan_weights)
    before = checkpoint_snapshot(run_dir)
    with pytest.raises(NonFiniteError, match=r"^iteration 5: non-finite loss rec=nan on the batch ") as error:
        train_entry.train(parse_train(argv + ["--continue_train", "--toy_nan_at=5"]))
    assert isinstance(error.value.__context__, IndexError)
    assert checkpoint_snapshot(run_dir) == before


def test_non_finite_weights_are_never_saved(train_entry, good_run, toy_registry):
    argv, run_dir, _ = good_run
    toy = model.create_model(parse_train(argv + ["--continue_train"]))
    before = checkpoint_snapshot(run_dir)
    with torch.no_grad():
        toy.net_G.conv2.bias[1] = float("inf")
    with pytest.raises(NonFiniteError) as error:
        toy.save_networks("latest")
    assert str(error.value) == (
        f"not saving checkpoint 'latest' at iteration 4: non-finite values in network G.conv2.bias; the files in "
        f"{run_dir} are unchanged (resume from them with --continue_train)")
    assert checkpoint_snapshot(run_dir) == before


def test_loss_watch_reports_the_first_bad_step_and_names_its_losses():
    watch = LossWatch(["a", "b", "c"], last_saved=None)
    watch.record(1, torch.tensor([1.0, 2.0, 3.0]), ["x.jpg"])
    watch.record(2, torch.tensor([1.0, float("inf"), float("nan")]), [f"{i}.jpg" for i in range(10)])
    watch.record(3, torch.tensor([float("nan")] * 3), ["z.jpg"])
    with pytest.raises(NonFiniteError) as error:
        watch.check()
    assert str(error.value).startswith("iteration 2: non-finite loss b=inf, c=nan on the batch 0.jpg, 1.jpg, 2.jpg, "
                                       "3.jpg, 4.jpg, 5.jpg, 6.jpg, 7.jpg and 2 more; stopped without saving: "
                                       "nothing was saved;")
    watch.check()  # the reported steps are gone; a finite history passes
    assert non_finite_entries({"net": {"w": torch.ones(2), "steps": torch.tensor([3])}, "opt": [{"x": 1.5}]}) == []
    assert non_finite_entries({"net": {"w": torch.tensor([0.0, float("nan")])}}) == ["net.w"]


def test_loss_watch_bounds_the_steps_it_keeps():
    watch = LossWatch(["a"], max_pending=3)
    for step in range(1, 3):
        watch.record(step, torch.ones(1), ["x.jpg"])
    with pytest.raises(NonFiniteError, match="^iteration 3: "):
        watch.record(3, torch.tensor([float("nan")]), ["x.jpg"])  # the third step forces a check
    assert not watch.pending  # nothing kept after a check
