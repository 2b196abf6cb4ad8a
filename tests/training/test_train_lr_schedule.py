"""Learning-rate schedules counted in iterations: values per iteration, resumption, bad options."""
from argparse import Namespace

import pytest
import torch

from .conftest import parse_train
from model.scheduler import get_scheduler, lr_factor


def options(policy="lambda", niter=3, niter_decay=4, lr_decay_iters=2):
    return Namespace(lr_policy=policy, niter=niter, niter_decay=niter_decay, lr_decay_iters=lr_decay_iters)


def learning_rates(opt, steps, start=0, lr=0.5):
    """lr in effect before each of ``steps`` optimisation steps, starting after ``start`` steps."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = get_scheduler(optimizer, opt, start)
    rates = []
    for iteration in range(start, start + steps):
        assert scheduler.last_epoch == iteration
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("policy, expected", [
    # niter=3 steps at the full rate, then niter_decay=4 decaying steps; 0 once all 7 are done
    ("lambda", [1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0]),
    ("step", [1, 1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001]),  # x0.1 every lr_decay_iters=2
    ("exponent", [0.95 ** (n / 2) for n in range(8)]),  # x0.95 per lr_decay_iters=2, smoothly
])
def test_learning_rate_per_iteration(policy, expected):
    got = learning_rates(options(policy), steps=8)
    assert got == pytest.approx([0.5 * factor for factor in expected], rel=1e-12, abs=0)


def test_lambda_without_decay_is_constant_for_all_steps():
    assert learning_rates(options(niter=5, niter_decay=0), steps=6) == [0.5] * 5 + [0.0]


@pytest.mark.parametrize("policy", ["lambda", "step", "exponent"])
def test_scheduler_created_at_an_iteration_continues_the_schedule(policy):
    assert learning_rates(options(policy), steps=4, start=4) == learning_rates(options(policy), steps=8)[4:]


def test_step_policy_needs_lr_decay_iters():
    with pytest.raises(ValueError, match=r"--lr_policy=step needs --lr_decay_iters >= 1, got 0"):
        learning_rates(options("step", lr_decay_iters=0), steps=1)


def test_unknown_policy_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown policy 'cosine'; expected one of lambda, step, exponent"):
        lr_factor("cosine", 0, 1, 1)


def test_training_updates_the_learning_rate_every_iteration(train_entry, toy_argv):
    """--niter=5 --niter_decay=3: steps 1-5 at lr, then 3/4, 2/4 and 1/4 of it; the scheduler
    counts the same iterations as the model."""
    toy = train_entry.train(parse_train(toy_argv("lr")))
    assert [lr for *_, lr in toy.history] == pytest.approx([0.01] * 5 + [0.0075, 0.005, 0.0025], rel=1e-12)
    assert toy.schedulers[0].last_epoch == toy.iteration == 8
    assert toy.current_learning_rate() == 0.0
