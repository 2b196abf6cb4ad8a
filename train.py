"""Train a model: ``python train.py --name=fashion --model=pose --attn_layer=2,3 --kernel_size=2=5,3=3
--gpu_id=0 --dataset_mode=fashion --dataroot=./dataset/fashion [--continue_train]`` (or under torchrun).

Iteration convention: ``model.iteration`` = N means N optimisation steps are done. A fresh run
starts at ``iter_count - 1`` (0 by default), a resumed one at the iteration stored in its training
state. After each step the counter becomes N + 1 and the learning rate is updated; every
frequency (print, display, save) is checked on the new count, e.g. ``save_latest_freq=1000``
saves after steps 1000, 2000, ... Training stops when ``niter + niter_decay`` steps are done and
saves 'latest'. The data position is a function of the iteration: batch ``N % L`` of epoch
``N // L`` (``L`` batches per epoch), in an order fixed by ``(seed, epoch)``, so a resumed run
continues with exactly the batches an uninterrupted run would have used. Ctrl-C finishes the
current step, saves 'latest' and stops (a second Ctrl-C aborts at once).
"""
import signal
import sys
import time

from tqdm import tqdm

import data
import model as models
from options.train_options import TrainOptions
from util import distributed as dist
from util.cli import run_entry_point
from util.reproducibility import epoch_batches, seed_everything
from util.visualizer import Visualizer
from util.visuals import visuals_to_images


class StopRequest:
    """Turns the first Ctrl-C (SIGINT) into a request honoured between steps, so that 'latest' is
    never saved half-way through an update; the second Ctrl-C raises KeyboardInterrupt."""

    def __init__(self):
        self.requested = False

    def __enter__(self):
        try:
            self.previous = signal.signal(signal.SIGINT, self.handle)
        except ValueError:  # not the main thread: signals cannot be caught here, Ctrl-C stays immediate
            self.previous = None
        return self

    def __exit__(self, *exc_info):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        tqdm.write("\nCtrl-C: stopping after this iteration and saving 'latest' (Ctrl-C again to abort now)")


def save(model, which):
    """Rank 0 writes the checkpoint; every rank waits until it is complete."""
    if dist.is_main_process():
        model.save_networks(which)
    dist.barrier()


def train(opt):
    """Run the training loop described in the module docstring; returns the model."""
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
    total_iterations = opt.niter + opt.niter_decay
    progress = tqdm(total=total_iterations, initial=min(model.iteration, total_iterations),
                    disable=not dist.is_main_process(), dynamic_ncols=True, desc="train")
    window_start, window_samples = time.time(), 0

    stopping = False  # a Ctrl-C seen on any rank: every rank saves and stops at the same step
    with StopRequest() as stop:
        while model.iteration < total_iterations and not stopping:
            model.epoch, position = divmod(model.iteration, batches_per_epoch)
            for batch in epoch_batches(loader, opt.seed, model.epoch, position, rank):
                # ------------------------------------------------ one optimisation step
                model.set_input(batch)
                model.optimize_parameters()
                model.iteration += 1
                model.update_learning_rate()
                iteration = model.iteration
                window_samples += opt.batchSize
                progress.update(1)
                progress.set_postfix(epoch=model.epoch, lr=f"{model.current_learning_rate():.3g}", refresh=False)

                # ------------------------------------------------ logging
                if iteration % opt.display_freq == 0:
                    visualizer.display_current_results(visuals_to_images(model.get_current_visuals()), iteration)
                if iteration % opt.print_freq == 0:
                    errors = dist.all_reduce_mean(model.get_current_errors())
                    seconds_per_sample = (time.time() - window_start) / window_samples
                    visualizer.print_current_errors(model.epoch, iteration, errors, seconds_per_sample)
                    visualizer.plot_current_errors(iteration, errors)
                    window_start, window_samples = time.time(), 0

                # ------------------------------------------------ checkpoints
                stopping = dist.any_rank(stop.requested)
                done = iteration >= total_iterations
                if iteration % opt.save_latest_freq == 0 or done or stopping:
                    save(model, "latest")
                if iteration % opt.save_iters_freq == 0:
                    save(model, iteration)
                if done or stopping:
                    break

    # ---------------------------------------------------------------- wrap-up
    progress.close()
    visualizer.close()
    if model.iteration < total_iterations:
        dist.print0(f"stopped at iteration {model.iteration}; resume with --continue_train")
    else:
        dist.print0(f"training done: {model.iteration} iterations; checkpoints in {model.save_dir}")
    return model


def main():
    opt = TrainOptions().parse()
    model = train(opt)
    if model.iteration < opt.niter + opt.niter_decay:
        sys.exit(130)  # interrupted by Ctrl-C


if __name__ == "__main__":
    run_entry_point(main)
