"""Training logs and visuals behind one small interface (original: util/visualizer.py, Visualizer).

Always: losses printed to the console and appended to ``<checkpoints_dir>/<name>/loss_log.txt``
(the original's text format) and, at full precision for scripts, to ``loss_log.jsonl`` (one JSON
object per line: epoch, iteration, seconds_per_sample, losses).
Optional backends:

* HTML page ``<checkpoints_dir>/<name>/web/index.html`` (training, unless ``--no_html``);
* visdom when ``--display_id > 0``: server ``--visdom_server`` on ``--display_port``, environment
  ``--display_env``. Start one with ``python -m script.visdom_server --port 8096``; without a
  server, one warning and training goes on;
* TensorBoard with ``--display_tensorboard``, under ``<checkpoints_dir>/<name>/tensorboard``.

Only the main process (rank 0) writes anything; on other ranks every method does nothing.
A resumed run drops the records of the iterations it redoes (``drop_records_after``), so each
iteration is logged once. A run with ``--vgg_weights=random`` says in the log, on the console
and on the HTML page that its losses are not meaningful.
"""
import json
import os
import re
import time

import numpy as np
from tqdm import tqdm

from util.atomic import atomic_write_text
from util.distributed import is_main_process
from util.html_page import HtmlPage
from util.tensorboard_display import TensorBoardDisplay
from util.visdom_display import VisdomDisplay


RANDOM_VGG_WARNING = ("WARNING: --vgg_weights=random: the perceptual losses use an untrained VGG19, so the "
                      "losses and images of this run are not meaningful (a smoke run)")
_TEXT_RECORD = re.compile(r"\(epoch: \d+, iters: (\d+),")  # a loss_log.txt record (print_current_errors)


def _check_images(images):
    """Raise unless ``images`` maps labels to uint8 [H, W, 3] arrays."""
    if not images:
        raise ValueError("display_current_results: images is empty; expected label -> uint8 [H, W, 3] array")
    for label, image in images.items():
        if not (isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3
                and image.shape[2] == 3):
            got = (f"{image.dtype} array of shape {image.shape}" if isinstance(image, np.ndarray)
                   else type(image).__name__)
            raise ValueError(f"display_current_results: image {label!r} must be a uint8 [H, W, 3] array, got {got}; "
                             "draw tensors with model.get_current_images() (util.visuals)")


class Visualizer:
    """Console, loss_log.txt, HTML, visdom and TensorBoard logging of one run.

    Args:
        opt: options; reads name, checkpoints_dir, isTrain, no_html (training only), display_id,
            display_port, display_env, display_winsize, display_single_pane_ncols,
            display_tensorboard and visdom_server.
    """

    def __init__(self, opt):
        self.run_dir = os.path.join(opt.checkpoints_dir, opt.name)
        self.log_path = os.path.join(self.run_dir, "loss_log.txt")
        self.jsonl_path = os.path.join(self.run_dir, "loss_log.jsonl")
        self.enabled = is_main_process()
        self.html = self.visdom = self.tensorboard = None
        if not self.enabled:
            return
        os.makedirs(self.run_dir, exist_ok=True)
        warning = RANDOM_VGG_WARNING if getattr(opt, "vgg_weights", None) == "random" else None
        if opt.isTrain and not opt.no_html:
            self.html = HtmlPage(os.path.join(self.run_dir, "web"), f"Experiment name = {opt.name}",
                                 image_width=opt.display_winsize, warning=warning)
        if opt.display_id > 0:
            self.visdom = VisdomDisplay(opt.visdom_server, opt.display_port, opt.display_env, opt.display_id,
                                        ncols=opt.display_single_pane_ncols, title=opt.name)
        if opt.display_tensorboard:
            self.tensorboard = TensorBoardDisplay(os.path.join(self.run_dir, "tensorboard"))
        with open(self.log_path, "a") as log_file:
            log_file.write(f"================ Training Loss ({time.strftime('%c')}) ================\n")
            if warning:
                log_file.write(warning + "\n")
        if warning:
            tqdm.write(warning)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def drop_records_after(self, iteration):
        """Remove the records of iterations after ``iteration`` from loss_log.txt and loss_log.jsonl
        (a resumed run redoes them and logs them again)."""
        if not self.enabled:
            return

        def text_iteration(line):
            match = _TEXT_RECORD.match(line)
            return int(match.group(1)) if match else None

        def jsonl_iteration(line):
            return json.loads(line)["iteration"] if line.strip() else None

        for path, record_iteration in ((self.log_path, text_iteration), (self.jsonl_path, jsonl_iteration)):
            if not os.path.exists(path):
                continue
            with open(path) as handle:
                lines = handle.readlines()
            kept = [line for line in lines if (record_iteration(line) or 0) <= iteration]
            if len(kept) < len(lines):
                atomic_write_text(path, "".join(kept))

    def display_current_results(self, images, iteration):
        """Show the current visuals on the HTML page, in visdom and in TensorBoard.

        Args:
            images: mapping label -> np.ndarray uint8 [H, W, 3] (e.g. model.get_current_images()).
            iteration: training iteration the visuals belong to.
        """
        if not self.enabled:
            return
        _check_images(images)
        if self.html is not None:
            self.html.add_visuals(iteration, images)
        if self.visdom is not None:
            self.visdom.show_images(images)
        if self.tensorboard is not None:
            self.tensorboard.show_images(images, iteration)

    def plot_current_errors(self, iteration, errors):
        """Plot the losses against the iteration in visdom (window display_id) and TensorBoard.

        Args:
            iteration: x value.
            errors: mapping loss name -> float; visdom's legend is fixed by the first call.
        """
        if not self.enabled:
            return
        if self.visdom is not None:
            self.visdom.plot(iteration, errors)
        if self.tensorboard is not None:
            self.tensorboard.plot(iteration, errors)

    def print_current_errors(self, epoch, iteration, errors, seconds_per_sample):
        """Print the losses and append them to loss_log.txt and loss_log.jsonl.

        Format (the original's): ``(epoch: 1, iters: 200, time: 0.052) name: 0.123 name: 4.560 ``.

        Args:
            epoch: current epoch.
            iteration: current iteration.
            errors: mapping loss name -> float.
            seconds_per_sample: computing time per training sample.
        """
        if not self.enabled:
            return
        message = "(epoch: %d, iters: %d, time: %.3f) " % (epoch, iteration, seconds_per_sample)
        message += "".join("%s: %.3f " % (name, value) for name, value in errors.items())
        tqdm.write(message)  # keeps any progress bar intact
        with open(self.log_path, "a") as log_file:
            log_file.write(message + "\n")
        record = {"epoch": epoch, "iteration": iteration, "seconds_per_sample": float(seconds_per_sample),
                  "losses": {name: float(value) for name, value in errors.items()}}
        with open(self.jsonl_path, "a") as jsonl_file:
            jsonl_file.write(json.dumps(record) + "\n")

    def close(self):
        """Flush and close the backends that hold files open."""
        if self.tensorboard is not None:
            self.tensorboard.close()
