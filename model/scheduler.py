"""Learning-rate schedules counted in iterations (optimisation steps), stepped once per step.

The original stepped its schedulers once per data epoch with iteration-based arithmetic
(original: model/networks/base_function.py, get_scheduler); here every policy is a function ``factor(n)`` of ``n``, the
number of steps done, and the learning rate of step ``n + 1`` is ``lr * factor(n)``:

* ``lambda``: ``1 - max(0, n + 1 - niter) / (niter_decay + 1)``: steps 1..niter at the full rate,
  then steps niter+1..niter+niter_decay at ``niter_decay/(niter_decay+1), ..., 1/(niter_decay+1)``
  of it, reaching 0 when all ``niter + niter_decay`` steps are done (the ``+ 1`` of the original's
  formula, which keeps the last decaying step above zero);
* ``step``: ``0.1 ** (n // lr_decay_iters)``;
* ``exponent``: ``0.95 ** (n / lr_decay_iters)``, i.e. x0.95 per ``lr_decay_iters`` steps, smoothly
  (the original's x0.95 per epoch, with the epoch replaced by a fixed number of steps).

Because the factor depends on ``n`` only, a scheduler created at iteration ``n`` continues
exactly where a run stopped at ``n`` left off.
"""
import torch

LR_POLICIES = ("lambda", "step", "exponent")
STEP_GAMMA = 0.1
EXPONENT_GAMMA = 0.95


def lr_factor(policy, iteration, niter, niter_decay, lr_decay_iters=None):
    """The factor of the base learning rate after ``iteration`` steps (see module docstring)."""
    if policy == "lambda":
        return max(0.0, 1.0 - max(0, iteration + 1 - niter) / (niter_decay + 1))
    if policy in ("step", "exponent"):
        if lr_decay_iters is None or lr_decay_iters < 1:
            raise ValueError(f"--lr_policy={policy} needs --lr_decay_iters >= 1, got {lr_decay_iters}")
        if policy == "step":
            return STEP_GAMMA ** (iteration // lr_decay_iters)
        return EXPONENT_GAMMA ** (iteration / lr_decay_iters)
    raise ValueError(f"--lr_policy: unknown policy {policy!r}; expected one of {', '.join(LR_POLICIES)}")


def get_scheduler(optimizer, opt, iteration):
    """A LambdaLR for ``optimizer`` following ``opt.lr_policy``, positioned after ``iteration`` steps.

    Args:
        optimizer: torch optimizer; the current ``lr`` of each group is its base rate unless the
            group already has ``initial_lr`` (set by an earlier scheduler, restored on resume).
        opt: options with ``lr_policy``, ``niter``, ``niter_decay`` and ``lr_decay_iters``.
        iteration: steps done so far (0 for a fresh run); the groups' lr is set to
            ``initial_lr * factor(iteration)`` and ``scheduler.last_epoch == iteration``.
    Returns:
        torch.optim.lr_scheduler.LambdaLR, to be stepped once after every optimisation step.
    """
    lr_decay_iters = getattr(opt, "lr_decay_iters", None)
    lr_factor(opt.lr_policy, 0, opt.niter, opt.niter_decay, lr_decay_iters)  # validate the options now

    def factor(n):
        return lr_factor(opt.lr_policy, n, opt.niter, opt.niter_decay, lr_decay_iters)

    for group in optimizer.param_groups:
        group.setdefault("initial_lr", group["lr"])
    # last_epoch = iteration - 1: the constructor's own step() lands on `iteration`.
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor, last_epoch=iteration - 1)
