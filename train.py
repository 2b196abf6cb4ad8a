"""Train a model: ``python train.py --name=fashion --model=pose --attn_layer=2,3 --kernel_size=2=5,3=3
--gpu_id=0 --dataset_mode=fashion --dataroot=./dataset/fashion [--continue_train]`` (or under torchrun).

Iteration convention: ``model.iteration`` = N means N optimisation steps are done. A fresh run
starts at ``iter_count - 1`` (0 by default), a resumed one at the iteration stored in its training
state. After each step the counter becomes N + 1 and the learning rate is updated; every
frequency (print, display, save) is checked on the new count, e.g. ``save_latest_freq=1000``
saves after steps 1000, 2000, ... Training stops when ``niter + niter_decay`` steps are done and
saves 'latest'. The data position is a function of the iteration: batch ``N % L`` of epoch
``N // L`` (``L`` batches per epoch), in an order fixed by ``(seed, epoch)``, so a resumed run
continues with exactly the batches an uninterrupted run would have used. Ctrl-C or SIGTERM (a
cluster scheduler's notice) finishes the current step, saves 'latest' and stops with exit status
128 + the signal (130, 143); the same signal again aborts at once. A non-finite loss stops the
run without saving (util.nonfinite): the last save stays the resume point. A resumed run drops
the log records of the iterations it redoes.
"""
import signal
import sys
import time

from tqdm import tqdm

import data
import model as models
from model.fast_path import training_step
from options.train_options import TrainOptions
from util import distributed as dist
from util.cli import run_entry_point
from util.nonfinite import LossWatch
from util.reproducibility import epoch_batches, seed_everything
from util.visualizer import Visualizer


class StopRequest:
    """Turns the first Ctrl-C (SIGINT) or SIGTERM into a request honoured between steps, so that
    'latest' is never saved half-way through an update; a second one raises KeyboardInterrupt.
    ``signum`` is the signal that asked to stop (None: none did)."""

    SIGNALS = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}

    def __init__(self):
        self.signum = None
        self.previous = {}

    @property
    def requested(self):
        return self.signum is not None

    def __enter__(self):
        try:
            self.previous = {signum: signal.signal(signum, self.handle) for signum in self.SIGNALS}
        except ValueError:  # not the main thread: signals cannot be caught here and stay immediate
            self.previous = {}
        return self

    def __exit__(self, *exc_info):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.signum = signum
        name = self.SIGNALS[signum]
        tqdm.write(f"\n{name}: stopping after this iteration and saving 'latest' ({name} again to abort now)")


def save(model, which, watch):
    """Check the losses since the last check (no save after a NaN), then rank 0 writes the
    checkpoint; every rank waits until it is complete."""
    watch.check()
    if dist.is_main_process():
        model.save_networks(which)
    dist.barrier()
    watch.last_saved = model.iteration


def train(opt, stop=None):
    """Run the training loop described in the module docstring; returns the model.

    Args:
        opt: training options.
        stop: the StopRequest to honour (default: a new one); after the call its ``signum``
            says which signal, if any, stopped the run.
    """
    # ---------------------------------------------------------------- set-up
    dist.init_from_env(backend="nccl" if opt.device.type == "cuda" else "gloo")
    rank = dist.get_rank()
    seed_everything(opt.seed + rank)
    loader = data.create_dataloader(opt)  # before the model: datasets may set options it reads
    batches_per_epoch = len(loader)
    if batches_per_epoch == 0:
        raise ValueError(f"the training set has fewer samples than --batchSize={opt.batchSize}: no full batch")
    visualizer = Visualizer(opt)
    model = models.create_model(opt)  # restores the RNG on resume: nothing may draw from it before the loop
    if opt.continue_train:
        visualizer.drop_records_after(model.iteration)  # the iterations redone now are logged again
    step = training_step(model, opt)  # set_input + optimize_parameters; one CUDA graph replay on one GPU
    watch = LossWatch(model.loss_names, last_saved=model.iteration if opt.continue_train else None)
    total_iterations = opt.niter + opt.niter_decay
    progress = tqdm(total=total_iterations, initial=min(model.iteration, total_iterations),
                    disable=not dist.is_main_process(), dynamic_ncols=True, desc="train")
    window_start, window_samples = time.time(), 0

    stopping = False  # a stop request seen on any rank: every rank saves and stops at the same step
    with stop or StopRequest() as stop, progress, visualizer:
        while model.iteration < total_iterations and not stopping:
            model.epoch, position = divmod(model.iteration, batches_per_epoch)
            for batch in epoch_batches(loader, opt.seed, model.epoch, position, rank):
                # ------------------------------------------------ one optimisation step
                try:
                    step(batch)
                except Exception:
                    watch.check(every_rank=False)  # an earlier NaN is the cause: report that instead
                    raise
                model.iteration += 1
                model.update_learning_rate()
                iteration = model.iteration
                watch.record(iteration, model.current_loss_tensor(), model.image_paths)
                window_samples += opt.batchSize
                progress.update(1)
                progress.set_postfix(epoch=model.epoch, lr=f"{model.current_learning_rate():.3g}", refresh=False)

                # ------------------------------------------------ logging (each syncs: losses checked first)
                if iteration % opt.display_freq == 0:
                    watch.check()
                    visualizer.display_current_results(model.get_current_images(), iteration)
                if iteration % opt.print_freq == 0:
                    watch.check()
                    errors = dist.all_reduce_mean(model.get_current_errors())
                    seconds_per_sample = (time.time() - window_start) / window_samples
                    visualizer.print_current_errors(model.epoch, iteration, errors, seconds_per_sample)
                    visualizer.plot_current_errors(iteration, errors)
                    window_start, window_samples = time.time(), 0

                # ------------------------------------------------ checkpoints
                stopping = dist.any_rank(stop.requested)
                done = iteration >= total_iterations
                if iteration % opt.save_latest_freq == 0 or done or stopping:
                    save(model, "latest", watch)
                if iteration % opt.save_iters_freq == 0:
                    save(model, iteration, watch)
                if done or stopping:
                    break

    # ---------------------------------------------------------------- wrap-up
    if model.iteration < total_iterations:
        dist.print0(f"stopped at iteration {model.iteration}; resume with --continue_train")
    else:
        dist.print0(f"training done: {model.iteration} iterations; checkpoints in {model.save_dir}")
    return model


def main():
    opt = TrainOptions().parse()
    stop = StopRequest()
    train(opt, stop)
    if stop.requested:
        sys.exit(128 + stop.signum)  # 130 after Ctrl-C, 143 after SIGTERM


if __name__ == "__main__":
    run_entry_point(main)
