"""From nothing to a results page in one command: ``python -m script.quickstart``.

Makes a small synthetic dataset in the Market-1501 format (``script.make_synthetic_dataset``),
trains the flow estimator (``--model=pose_flow``) and then the full model (``--model=pose
--continue_train``) with ``train.py``, generates every test pair with ``test.py``, scores the
images and those of the "copy the source image" baseline with ``script.metrics`` (LPIPS, SSIM,
PSNR, L1; FID with ``--fid``), and writes one self-contained results page. Everything goes under
``--root`` (default ``./quickstart``), which must be empty or absent unless ``--overwrite``::

    <root>/data/                    the synthetic dataset
    <root>/checkpoints/quickstart/  the training run (checkpoints, loss logs, training page)
    <root>/results/                 test.py's images; <root>/baseline/: the copied sources
    <root>/page/index.html          the results page (images, losses.png, scores/*.json beside it)
    <root>/quickstart.log           everything the stages printed

Pretrained weights come from the torch hub cache (downloaded there unless ``--offline``); without
them the losses use a random VGG19 (``--vgg_weights=random``, said loudly on the console, in the
log and on the page) and LPIPS / FID are left out (said on the page).
"""
import argparse
import contextlib
import os
import sys
import time
from dataclasses import dataclass, replace

import torch
from tqdm import tqdm

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from data.annotations import read_annotations, read_pairs  # noqa: E402
from options.errors import OptionError  # noqa: E402
from script.make_synthetic_dataset import FORMATS, make_synthetic_dataset  # noqa: E402
from script.metrics_lib.completeness import generated_name  # noqa: E402
from script.quickstart_lib import weights as pretrained  # noqa: E402
from script.quickstart_lib.loss_plot import plot_losses, read_loss_log  # noqa: E402
from script.quickstart_lib.results_page import PageContent, PairRow, write_results_page  # noqa: E402
from script.quickstart_lib.scoring import (METRICS, Scorer, write_copy_source_baseline,  # noqa: E402
                                           write_mean_image_baseline)
from util.cli import run_entry_point  # noqa: E402
from util.output_folder import prepare_output_folder  # noqa: E402
from util.pose_draw import draw_pose_from_cords  # noqa: E402

NAME = "quickstart"
LOSS_PLOT = "losses.png"  # in the page folder
OUTPUTS = ("data", "checkpoints", "results", "baseline", "page", "quickstart.log")
FRAME = FORMATS["market"]["frame"]
# (key, heading, short label) of what is scored: the model, then the trivial baselines
METHODS = [("model", "model", "model"), ("copy_source", "baseline: copy the source image", "copy"),
           ("mean_image", "baseline: the mean training image", "mean")]
NETWORK = ["--attn_layer=2", "--kernel_size=2=3"]  # the paper's Market-1501 configuration


@dataclass(frozen=True)
class Size:
    """How much data and training a quick start uses."""
    train_figures: int
    test_figures: int
    poses_per_figure: int
    pairs_per_figure: int
    batch_size: int
    flow_iters: int  # stage one
    pose_iters: int  # stage two, counted on from stage one's

    @property
    def total_iters(self):
        return self.flow_iters + self.pose_iters


# DEFAULT: about 2 minutes on a quiet 2-core CPU (README, "Quick start"); SMALLEST: a test of the pipeline.
DEFAULT = Size(train_figures=16, test_figures=4, poses_per_figure=4, pairs_per_figure=4, batch_size=4,
               flow_iters=100, pose_iters=40)
SMALLEST = Size(train_figures=2, test_figures=1, poses_per_figure=3, pairs_per_figure=2, batch_size=2,
                flow_iters=2, pose_iters=2)

RANDOM_VGG_NOTE = ("WARNING: the training losses used a VGG19 with RANDOM weights ({reason}). The pipeline ran "
                   "end to end, but what the model learnt is not what the ImageNet VGG19 teaches: put "
                   "vgg19-dcbb9e9d.pth into $TORCH_HOME/hub/checkpoints (or run once with network access) and run "
                   "again with --overwrite.")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--root", default="./quickstart", help="folder of everything the run writes (default "
                                                                "./quickstart; empty or absent unless --overwrite)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier quick start in --root")
    parser.add_argument("--smallest", action="store_true",
                        help="a few images and iterations: checks the pipeline in under a minute (results mean nothing)")
    parser.add_argument("--flow_iters", type=int, help=f"stage-one iterations (default {DEFAULT.flow_iters})")
    parser.add_argument("--pose_iters", type=int, help=f"stage-two iterations (default {DEFAULT.pose_iters})")
    parser.add_argument("--fid", action="store_true",
                        help="also compute FID (not meaningful on so few test images; needs the Inception weights)")
    parser.add_argument("--offline", action="store_true", help="never download weights: use the hub cache or do "
                                                               "without (random VGG19, no LPIPS/FID)")
    parser.add_argument("--gpu_ids", default="0" if torch.cuda.is_available() else "-1",
                        help="GPU id, or -1 for the CPU (default: GPU 0 when there is one)")
    return parser


def chosen_size(args):
    """The Size of the command line; bad iteration counts are option errors."""
    size = SMALLEST if args.smallest else DEFAULT
    for flag in ("flow_iters", "pose_iters"):
        value = getattr(args, flag)
        if value is not None:
            if value < 1:
                raise OptionError(f"--{flag}: expected a positive number of iterations, got {value}")
            size = replace(size, **{flag: value})
    return size


class QuickStart:
    """The stages of one quick start and what they leave for the page."""

    def __init__(self, args, size, log):
        self.args, self.size, self.log = args, size, log
        self.root = args.root
        self.data = os.path.join(self.root, "data")
        self.checkpoints = os.path.join(self.root, "checkpoints")
        self.folders = {"model": os.path.join(self.root, "results")}
        self.folders.update({key: os.path.join(self.root, "baseline", key) for key, _, _ in METHODS[1:]})
        self.page = os.path.join(self.root, "page")
        self.warnings, self.notes, self.commands, self.timings = [], [], [], {}
        self.vgg = pretrained.vgg19_weights(args.offline)
        if self.vgg.path is None:
            self.warn(RANDOM_VGG_NOTE.format(reason=self.vgg.note))

    # ---------------------------------------------------------------- notes
    def warn(self, text):
        """A loud note: on the console now, in the log and on the page."""
        self.warnings.append(text)
        tqdm.write(text, file=sys.stderr)
        print(text, file=self.log, flush=True)

    def note(self, text):
        self.notes.append(text)
        print(text, file=self.log, flush=True)

    # ---------------------------------------------------------------- stages
    def on_cpu(self):
        return self.args.gpu_ids.strip() == "-1"

    def metric_device(self):
        """The training's device for the metric networks (the CPU where train.py fell back to it)."""
        if self.on_cpu() or not torch.cuda.is_available():
            return "cpu"
        return f"cuda:{self.args.gpu_ids.split(',')[0].strip()}"

    def common_options(self):
        # On a CPU, loader processes would take cores from the training itself: load in the main process.
        return [f"--name={NAME}", f"--checkpoints_dir={self.checkpoints}", f"--dataroot={self.data}",
                "--dataset_mode=market", *NETWORK, f"--gpu_ids={self.args.gpu_ids}", "--display_id=0",
                *(["--nThreads=0"] if self.on_cpu() else [])]

    def train_options(self, model, niter, *extra):
        size = self.size
        print_freq = max(1, size.total_iters // 100)  # about 100 points on the loss curves
        return [*self.common_options(), f"--model={model}", f"--niter={niter}", f"--batchSize={size.batch_size}",
                f"--print_freq={print_freq}", f"--display_freq={max(1, size.total_iters // 4)}",
                f"--save_latest_freq={size.total_iters}", f"--vgg_weights={self.vgg.path or 'random'}", *extra]

    def make_data(self):
        size = self.size
        make_synthetic_dataset(self.data, "market", size.train_figures, size.test_figures, size.poses_per_figure,
                               size.pairs_per_figure, seed=0)
        self.commands.append(f"python -m script.make_synthetic_dataset --root {self.data} --format market "
                             f"--train_figures {size.train_figures} --test_figures {size.test_figures} "
                             f"--poses_per_figure {size.poses_per_figure} --pairs_per_figure {size.pairs_per_figure}")

    def train(self, options):
        import train
        from options.train_options import TrainOptions
        self.commands.append("python train.py " + " ".join(options))
        train.train(TrainOptions().parse(options))

    def train_flow(self):
        self.train(self.train_options("pose_flow", self.size.flow_iters))

    def train_pose(self):
        self.train(self.train_options("pose", self.size.total_iters, "--continue_train"))

    def test(self):
        import test
        from options.test_options import TestOptions
        options = [*self.common_options(), "--model=pose", f"--results_dir={self.folders['model']}"]
        self.commands.append("python test.py " + " ".join(options))
        test.test(TestOptions().parse(options))

    def score(self):
        pairs_csv, gt_dir = os.path.join(self.data, "market-pairs-test.csv"), os.path.join(self.data, "test")
        train_dir = os.path.join(self.data, "train")
        pairs = read_pairs(pairs_csv)
        write_copy_source_baseline(pairs, gt_dir, self.folders["copy_source"])
        write_mean_image_baseline(pairs, train_dir, self.folders["mean_image"])
        alexnet = pretrained.alexnet_weights(self.args.offline)
        if alexnet.path is None:
            self.note(f"LPIPS left out: its AlexNet weights are missing ({alexnet.note}).")
        inception = pretrained.inception_weights(self.args.offline) if self.args.fid else None
        if not self.args.fid:
            self.note("FID left out: over a handful of test images it is not meaningful (--fid computes it anyway).")
        elif inception.path is None:
            self.note(f"FID left out: its Inception weights are missing ({inception.note}).")
        else:
            self.note("FID over this handful of test images is far from the FID of a real test set "
                      "(thousands of images): read it as a smoke value only.")
        scorer = Scorer(gt_dir, pairs_csv, alexnet.path, inception and inception.path, train_dir,
                        self.metric_device())
        scores_dir = os.path.join(self.page, "scores")
        networks = "".join(f" --{flag} {path}" for flag, path in (
            ("alexnet_weights", scorer.alexnet_path), ("inception_weights", scorer.inception_path),
            ("real_path", scorer.inception_path and train_dir)) if path)
        self.reports, self.pair_scores = {}, {}
        for key, folder in self.folders.items():
            output = os.path.join(scores_dir, f"{key}.json")
            self.reports[key] = scorer.report(folder, key, output)
            self.pair_scores[key] = scorer.per_pair(folder)
            self.commands.append(f"python -m script.metrics --generated_path {folder} --gt_path {gt_dir} "
                                 f"--metrics {','.join(scorer.metric_names)}{networks} --output {output}")
        self.metrics = [(name, better, {key: self.reports[key]["results"][name]["value"] for key in self.folders})
                        for name, better in METRICS if name in scorer.metric_names]

    def write_page(self):
        run_dir = os.path.join(self.checkpoints, NAME)
        os.makedirs(self.page, exist_ok=True)
        plot_losses(read_loss_log(os.path.join(run_dir, "loss_log.jsonl")), os.path.join(self.page, LOSS_PLOT),
                    stage_start=self.size.flow_iters + 1)
        annotations = read_annotations(os.path.join(self.data, "market-annotation-test.csv"))
        rows = []
        for source, target in read_pairs(os.path.join(self.data, "market-pairs-test.csv")):
            generated = generated_name(source, target)
            rows.append(PairRow(source, target, os.path.join(self.data, "test", source),
                                draw_pose_from_cords(annotations[target], FRAME),
                                os.path.join(self.folders["model"], generated + ".jpg"),
                                os.path.join(self.data, "test", target),
                                {key: scores[generated] for key, scores in self.pair_scores.items()}))
        size = self.size
        settings = {
            "data": f"synthetic Market-1501 format, {FRAME[0]}x{FRAME[1]}: {size.train_figures} training figures, "
                    f"{size.test_figures} test figures (unseen in training), {size.poses_per_figure} poses each",
            "training": f"stage one {size.flow_iters} iterations (flow estimator), stage two {size.pose_iters} "
                        f"(full model), batch {size.batch_size}",
            "device": "CPU" if self.on_cpu() else f"GPU {self.args.gpu_ids}",
            "VGG19 of the losses": self.vgg.path or "random weights (see the warning above)",
            "torch": torch.__version__,
        }
        content = PageContent(
            title="GFLA quick start: results", warnings=self.warnings, notes=self.notes, methods=METHODS,
            metrics=self.metrics, verdict=verdict(self.metrics), loss_plot=LOSS_PLOT, rows=rows, settings=settings,
            timings=self.timings, commands=self.commands,
            links={"the training page (visuals during training)":
                   os.path.relpath(os.path.join(run_dir, "web", "index.html"), self.page)})
        self.page_path = write_results_page(self.page, content)

    def stages(self):
        return [("synthetic data", self.make_data), ("stage one: flow estimator", self.train_flow),
                ("stage two: full model", self.train_pose), ("test", self.test), ("scores", self.score),
                ("results page", self.write_page)]


def verdict(metrics):
    """One sentence on whether the model beats both baselines, on how many of ``metrics``."""
    wins = [name for name, better, values in metrics
            if values["model"] == (min if better == "lower" else max)(values.values())]
    if len(wins) == len(metrics):
        return "The model beats both baselines on every metric: it has learnt to use its source image and target pose."
    return (f"The model beats both baselines on {len(wins)} of {len(metrics)} metrics"
            f"{' (' + ', '.join(wins) + ')' if wins else ''}. That is expected after so few iterations: this run "
            f"shows the whole pipeline, and drawing people in new poses takes thousands of iterations "
            f"(--pose_iters; on a GPU).")


def summary(quick):
    """The lines printed at the end: the scores against the baselines, the verdict and where the page is."""
    lines = ["metric  " + "".join(f"{short:>10}" for _, _, short in METHODS)]
    lines += [f"{name:<8}" + "".join(f"{values[key]:>10.4g}" for key, _, _ in METHODS) + f"  ({better} is better)"
              for name, better, values in quick.metrics]
    lines.append(verdict(quick.metrics))
    lines.append(f"total time {sum(quick.timings.values()):.0f} s")
    lines += quick.warnings
    lines.append(f"results page: {os.path.abspath(quick.page_path)}")
    return lines


def run(argv=None):
    """Run every stage; returns the results page's path."""
    args = build_parser().parse_args(argv)
    size = chosen_size(args)
    prepare_output_folder(args.root, OUTPUTS, args.overwrite)
    with open(os.path.join(args.root, "quickstart.log"), "w") as log:
        quick = QuickStart(args, size, log)
        stages = quick.stages()
        with tqdm(total=len(stages), desc="quick start", unit="stage", dynamic_ncols=True) as bar:
            for index, (stage, work) in enumerate(stages, start=1):
                bar.set_description(f"quick start [{index}/{len(stages)}: {stage}]")
                print(f"==== {stage}", file=log, flush=True)
                start = time.time()
                with contextlib.redirect_stdout(log):  # the stages' printing goes to the log; bars stay
                    work()
                quick.timings[stage] = time.time() - start
                bar.update()
        lines = summary(quick)
        print("\n".join(lines), file=log)
    print("\n".join(lines))
    return quick.page_path


def main():
    run()


if __name__ == "__main__":
    run_entry_point(main)
