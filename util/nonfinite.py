"""Stopping a run whose numbers went non-finite before it writes them anywhere.

One NaN input pixel makes every weight NaN within a step, and a checkpoint saved afterwards
would replace the last good one. ``LossWatch`` notices a non-finite loss without a GPU sync per
step: each step's losses stay on the device (one small tensor, a finite check queued with them)
and the batch's image names on the host; they are inspected where the loop synchronises
anyway (printing, saving, the end) and before every checkpoint. ``non_finite_entries`` is the
last line of defence: the checkpoint code refuses to write any non-finite tensor.
"""
import math
from collections.abc import Mapping

import torch

from util import distributed as dist
from util.errors import UserError

MAX_NAMES = 8  # image names quoted in the error


class NonFiniteError(UserError):
    """A loss or a weight became NaN or infinite."""


def non_finite_entries(tree, prefix=""):
    """Names of the floating-point tensors in ``tree`` (nested dicts, lists, tuples) holding a
    NaN or an infinity, as dotted paths, e.g. ``['network G.conv1.weight']``."""
    if isinstance(tree, torch.Tensor):
        return [prefix] if tree.is_floating_point() and not bool(torch.isfinite(tree).all()) else []
    if isinstance(tree, float):
        return [] if math.isfinite(tree) else [prefix]
    if isinstance(tree, Mapping):
        items = tree.items()
    elif isinstance(tree, (list, tuple)):
        items = enumerate(tree)
    else:
        return []
    return [name for key, value in items for name in non_finite_entries(value, f"{prefix}.{key}" if prefix else str(key))]


class LossWatch:
    """Keeps the losses of the steps since the last check and stops at the first non-finite one.

    Args:
        loss_names: names of the model's losses, in the order of ``record``'s tensor.
        last_saved: iteration of the last checkpoint written (None: nothing saved yet); the
            training loop updates it after each save, for the error message.
        max_pending: steps kept before a check is forced (bounds the memory).
    """

    def __init__(self, loss_names, last_saved=None, max_pending=1000):
        self.loss_names = list(loss_names)
        self.last_saved = last_saved
        self.max_pending = max_pending
        self.pending = []  # (iteration, losses on the device, image names)

    def record(self, iteration, losses, image_names):
        """Remember one step: ``losses`` a 1-D tensor (no sync here), the batch's image names."""
        self.pending.append((iteration, losses.detach(), list(image_names)))
        if len(self.pending) >= self.max_pending:
            self.check()

    def check(self, every_rank=True):
        """Raise NonFiniteError naming the first step with a non-finite loss since the last check.

        Args:
            every_rank: agree with the other ranks (all must call it at the same step); False
                where only this process checks (after an exception).
        """
        pending, self.pending = self.pending, []
        finite = torch.isfinite(torch.stack([losses for _, losses, _ in pending])).cpu() if pending else None
        bad_rows = [] if finite is None else (~finite.all(dim=1)).nonzero().flatten().tolist()
        if not (dist.any_rank(bool(bad_rows)) if every_rank else bad_rows):
            return
        resume = ("nothing was saved" if self.last_saved is None else
                  f"the checkpoint of iteration {self.last_saved} stays the resume point (--continue_train)")
        if not bad_rows:
            raise NonFiniteError(f"a loss of another process became non-finite (NaN or inf) by iteration "
                                 f"{pending[-1][0] if pending else '?'}; stopped without saving: {resume}")
        iteration, losses, names = pending[bad_rows[0]]
        values = losses.float().cpu().tolist()
        bad = ", ".join(f"{name}={value}" for name, value, ok in zip(self.loss_names, values, finite[bad_rows[0]])
                        if not ok)
        shown = ", ".join(names[:MAX_NAMES]) + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")
        raise NonFiniteError(f"iteration {iteration}: non-finite loss {bad} on the batch {shown}; stopped "
                             f"without saving: {resume}; check those images (NaN or inf pixels) or lower --lr")
