"""Fixtures of the training-machinery tests: toy models in the model registry, a toy data loader,
and the real option parser, train() and test() driven by command lines."""
import importlib.util
import os

import pytest

import data
import model
from options.test_options import TestOptions
from options.train_options import TrainOptions
from .toy_training import TOY_MODELS, toy_loader

from tests.paths import REPO_ROOT as ROOT


def load_entry_script(name):
    """Import train.py / test.py by path (``import test`` could find the standard library's)."""
    spec = importlib.util.spec_from_file_location(f"gfla_{name}_entry", os.path.join(ROOT, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def toy_registry(monkeypatch):
    """Register ToyModel & co. as --model=toy|toy_flow|toy_full; data.create_dataloader gives ToyPairs."""
    find, canonical = model.find_model_class, model.canonical_model_name
    monkeypatch.setattr(model, "find_model_class", lambda name: TOY_MODELS.get(name) or find(name))
    monkeypatch.setattr(model, "canonical_model_name", lambda name: name if name in TOY_MODELS else canonical(name))
    monkeypatch.setattr(data, "create_dataloader", toy_loader)


@pytest.fixture
def train_entry(toy_registry):
    return load_entry_script("train")


@pytest.fixture
def test_entry(toy_registry):
    return load_entry_script("test")


@pytest.fixture
def toy_argv(tmp_path):
    """Command line of a short CPU run: 10 samples, batch 3 -> 3 batches per epoch; 8 iterations
    (5 constant + 3 decaying); logging and saving rarely unless a test asks."""
    def make(name="toy", *extra, model_name="toy"):
        return [f"--name={name}", f"--model={model_name}", f"--checkpoints_dir={tmp_path / 'result'}",
                "--gpu_ids=-1", "--batchSize=3", "--nThreads=0", "--niter=5", "--niter_decay=3", "--lr=0.01",
                "--display_id=0", "--no_html", "--print_freq=1000", "--display_freq=1000",
                "--save_latest_freq=1000", "--save_iters_freq=1000", *extra]
    return make


@pytest.fixture
def toy_test_argv(tmp_path):
    """Command line of test.py for a run trained with ``toy_argv``."""
    def make(name="toy", *extra, model_name="toy"):
        return [f"--name={name}", f"--model={model_name}", f"--checkpoints_dir={tmp_path / 'result'}",
                "--gpu_ids=-1", "--nThreads=0", "--display_id=0", f"--results_dir={tmp_path / 'results'}", *extra]
    return make


def parse_train(argv):
    return TrainOptions().parse(argv)


def parse_test(argv):
    return TestOptions().parse(argv)
