"""A training run owns its folder ``<checkpoints_dir>/<name>``: a new run never mixes with an old one.

A fresh run (no ``--continue_train``) into a folder that holds another run's checkpoints or
logs would replace some of its files, keep others beside the new ones and append to its loss
log; it is refused unless ``--overwrite`` says to delete that run's outputs first.
"""
import glob
import os
import shutil

from util.distributed import is_main_process, print0
from util.errors import UserError

RUN_OUTPUTS = ("*.pth", ".*.tmp", ".checkpoint-commit.json", "loss_log.txt", "loss_log.jsonl", "web", "tensorboard")


def run_outputs(run_dir):
    """Names of the checkpoints, logs and pages of a run in ``run_dir`` (hidden debris included), sorted."""
    found = set()
    for pattern in RUN_OUTPUTS:
        found.update(os.path.basename(path) for path in glob.glob(os.path.join(glob.escape(run_dir), pattern)))
    return sorted(found)


def claim_run_folder(opt):
    """Make sure a training run may write into its folder (rank 0 decides; see module docstring).

    Raises:
        UserError: a fresh run into a used folder without ``--overwrite``, or ``--overwrite``
            together with ``--continue_train``.
    """
    if not is_main_process():
        return
    run_dir = os.path.join(opt.checkpoints_dir, opt.name)
    if opt.overwrite and opt.continue_train:
        raise UserError("--overwrite deletes the run that --continue_train would resume: pass one of them")
    found = run_outputs(run_dir) if not opt.continue_train else []
    if not found:
        return
    if not opt.overwrite:
        shown = ", ".join(found[:4]) + (", ..." if len(found) > 4 else "")
        raise UserError(f"{run_dir} already holds a run ({shown}): pass --continue_train to resume it, "
                        f"another --name to start a new one, or --overwrite to delete it and start over")
    for name in found:
        path = os.path.join(run_dir, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    print0(f"--overwrite: deleted the previous run's {', '.join(found)} in {run_dir}")
