"""Exact resume: a run stopped by Ctrl-C and resumed with --continue_train goes on exactly as an
uninterrupted run (same batches, losses, learning rates, weights, optimizer and scheduler state)."""
import pytest
import torch

import data
from .conftest import parse_train
from .toy_training import toy_loader

TOTAL = 8  # --niter=5 --niter_decay=3; 3 batches per epoch


def assert_same_training_state(got, expected):
    for (name, a), (_, b) in zip(got.net_G.state_dict().items(), expected.net_G.state_dict().items()):
        assert torch.equal(a, b), f"net_G.{name} differs by {(a - b).abs().max().item():.3g}"
    got_state, expected_state = got.optimizers[0].state_dict(), expected.optimizers[0].state_dict()
    assert got_state["param_groups"] == expected_state["param_groups"]
    for index, slots in expected_state["state"].items():
        for slot, value in slots.items():
            assert torch.equal(got_state["state"][index][slot], value), f"Adam {slot} of parameter {index} differs"
    assert got.schedulers[0].last_epoch == expected.schedulers[0].last_epoch == got.iteration


@pytest.mark.parametrize("sampler", ["seeded", "plain", "distributed"])
@pytest.mark.parametrize("stop_at", [4, 6])  # 4: mid-epoch (epoch 1, batch 1); 6: an epoch boundary
def test_resumed_run_equals_uninterrupted_run(train_entry, toy_argv, monkeypatch, sampler, stop_at):
    monkeypatch.setattr(data, "create_dataloader", lambda opt: toy_loader(opt, sampler))
    full = train_entry.train(parse_train(toy_argv("full")))
    assert full.iteration == TOTAL and [step for step, *_ in full.history] == list(range(1, TOTAL + 1))
    epochs = [sum((indices for _, indices, _, _ in full.history[e * 3:e * 3 + 3]), []) for e in range(2)]
    assert epochs[0] != epochs[1], "the toy data should be shuffled differently in each epoch"

    # Ctrl-C during step `stop_at`: the step completes, 'latest' is saved, training stops.
    # Numbered checkpoints every 3 steps: resume must take the true iteration, not the last number.
    split_argv = toy_argv("split", "--save_iters_freq=3")
    first = train_entry.train(parse_train(split_argv + [f"--toy_interrupt_at={stop_at}"]))
    assert first.iteration == stop_at
    assert first.history == full.history[:stop_at]

    second = train_entry.train(parse_train(split_argv + ["--continue_train"]))
    assert second.iteration == TOTAL
    # (step, sample indices, loss, lr) of every step after the resume, compared exactly
    assert second.history == full.history[stop_at:]
    assert_same_training_state(second, full)


def test_resume_with_worker_processes_keeps_the_data_order(train_entry, toy_argv):
    """With workers the augmentation of the resumed epoch is drawn afresh (documented), but the
    order of the samples and the learning rates stay those of the uninterrupted run."""
    argv = toy_argv("workers", "--nThreads=2")
    full = train_entry.train(parse_train(toy_argv("workers_full", "--nThreads=2")))
    train_entry.train(parse_train(argv + ["--toy_interrupt_at=4"]))
    second = train_entry.train(parse_train(argv + ["--continue_train"]))
    assert [(step, indices, lr) for step, indices, _, lr in second.history] == \
        [(step, indices, lr) for step, indices, _, lr in full.history[4:]]


@pytest.mark.cuda
def test_resume_on_the_gpu_continues_the_cuda_random_stream(train_entry, toy_argv):
    """The toy model's noise is drawn on the GPU: a resumed run matches only if the CUDA generator
    is restored (tolerance instead of equality: cuDNN may pick other algorithms per run)."""
    full = train_entry.train(parse_train(toy_argv("gpu_full", "--gpu_ids=0")))
    split_argv = toy_argv("gpu_split", "--gpu_ids=0")
    train_entry.train(parse_train(split_argv + ["--toy_interrupt_at=4"]))
    second = train_entry.train(parse_train(split_argv + ["--continue_train"]))
    assert [(step, indices, lr) for step, indices, _, lr in second.history] == \
        [(step, indices, lr) for step, indices, _, lr in full.history[4:]]
    assert [loss for _, _, loss, _ in second.history] == \
        pytest.approx([loss for _, _, loss, _ in full.history[4:]], rel=1e-5, abs=1e-6)
