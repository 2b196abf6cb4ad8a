"""Proof that training learns, in minutes on one GPU: both stages on a synthetic Market set, then
test.py, and the generated images scored against copying the source image.

    python -m script.learning_check [--minutes 10] [--out_dir ./learning_check] [--workdir DIR]

Writes a synthetic Market-format dataset (``script.make_synthetic_dataset``) and a random-weight
VGG19 for the losses (no download is possible on an offline GPU machine, so the perceptual losses
see untrained features: say so with the numbers), trains ``pose_flow`` for a quarter of the time
budget and ``pose`` (``--continue_train``, the flow estimator handed over) for the rest, each
stopped by the clock as by Ctrl-C (the step completes, 'latest' is saved), with the default
``--cuda_graphs=auto``. Then ``test.py --save_input`` generates every test pair, and each
generated image and, as the baseline, the source image itself are scored against the target:
L1 and SSIM (``script.metrics_lib.reconstruction``), and LPIPS when the ``lpips`` package and the
AlexNet weights (hub cache or ``--alexnet_weights``) are available (``script.metrics_lib.lpips_metric``;
skipped with the reason otherwise). Prints a markdown table, writes it to ``<out_dir>/learning_check.md`` with the
iterations reached, and an image grid (rows: source | target | generated) to
``<out_dir>/learning_check_grid.png``.
"""
import argparse
import glob
import os
import signal
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from script.report_table import print_and_save  # noqa: E402
from util.cli import run_entry_point  # noqa: E402

COMMON = ["--dataset_mode=market", "--attn_layer=2", "--kernel_size=2=3", "--name=learning_check", "--display_id=0"]
GRID_ROWS = 8
RESULT_EXTENSION = ".jpg"  # test.py's: <P1 stem>_2_<P2 stem>_{vis,ref,gt}.jpg
STAGE_ONE_SHARE = 0.25


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="training time of both stages together")
    parser.add_argument("--out_dir", default="./learning_check", help="where the table and the grid go")
    parser.add_argument("--workdir", default=None,
                        help="dataset, checkpoints and results (default: a temporary folder)")
    parser.add_argument("--gpu_ids", default="0")
    parser.add_argument("--alexnet_weights", default=None,
                        help="torchvision AlexNet weights for LPIPS (default: the torch hub cache)")
    parser.add_argument("--figures", type=int, default=48, help="synthetic training figures (4 poses, 8 pairs each)")
    return parser.parse_args(argv)


def train_for(argv, seconds):
    """train.py's loop with ``argv``, stopped after ``seconds`` as by Ctrl-C; returns the model."""
    import train as train_script
    from options.train_options import TrainOptions
    stop = train_script.StopRequest()
    timer = threading.Timer(seconds, lambda: setattr(stop, "signum", signal.SIGINT))
    timer.start()
    try:
        return train_script.train(TrainOptions().parse(argv), stop)
    finally:
        timer.cancel()


def score(results_dir, alexnet_weights=None):
    """{metric: (generated, copied source)} means over the test pairs, and the triplets' paths."""
    from script.metrics_lib.image_files import read_rgb
    from script.metrics_lib.reconstruction import l1, ssim
    generated = sorted(glob.glob(os.path.join(results_dir, "*_vis" + RESULT_EXTENSION)))
    stems = [path[:-len("_vis" + RESULT_EXTENSION)] for path in generated]
    triplets = [(stem + "_ref" + RESULT_EXTENSION, stem + "_gt" + RESULT_EXTENSION, path)
                for stem, path in zip(stems, generated)]
    if not triplets:
        raise RuntimeError(f"test.py wrote no *_vis{RESULT_EXTENSION} into {results_dir}")
    images = [[read_rgb(path).astype(np.float64) / 255 for path in triplet] for triplet in triplets]
    scores = {name: (np.mean([metric(target, generated) for _, target, generated in images]),
                     np.mean([metric(target, source) for source, target, _ in images]))
              for name, metric in (("L1 (lower is better)", l1), ("SSIM (higher is better)", ssim))}
    lpips_scores, note = lpips_means(images, alexnet_weights)
    if lpips_scores:
        scores["LPIPS (lower is better)"] = lpips_scores
    return scores, triplets, note


def lpips_means(images, alexnet_weights=None):
    """LPIPS means (generated, copied source), or (None, why not)."""
    try:
        import torch

        from script.metrics_lib.lpips_metric import build_lpips, lpips_distances
        model, _ = build_lpips(alexnet_weights)
    except Exception as error:  # no lpips package or no AlexNet weights offline: report, do not fail
        return None, f"LPIPS skipped: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"

    def batch(index):
        stacked = np.stack([triplet[index] for triplet in images]) * 255
        return torch.from_numpy(stacked).round().byte().permute(0, 3, 1, 2)

    source, target, generated = batch(0), batch(1), batch(2)
    return (lpips_distances(model, generated, target).mean().item(),
            lpips_distances(model, source, target).mean().item()), None


def write_grid(triplets, path):
    from script.metrics_lib.image_files import read_rgb
    from util.image_io import save_image
    rows = [np.concatenate([read_rgb(image) for image in triplet], axis=1) for triplet in triplets[:GRID_ROWS]]
    save_image(np.concatenate(rows, axis=0), path)


def main(argv=None):
    args = parse_args(argv)
    import test as test_script
    from options.test_options import TestOptions
    from script.make_synthetic_dataset import make_synthetic_dataset
    from script.random_weights import write_random_vgg19
    os.makedirs(args.out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        workdir = args.workdir or temporary
        root, checkpoints = os.path.join(workdir, "market"), os.path.join(workdir, "checkpoints")
        results = os.path.join(workdir, "results")
        vgg = write_random_vgg19(os.path.join(workdir, "random_vgg"))  # LPIPS keeps the usual hub cache
        make_synthetic_dataset(root, fmt="market", num_train_figures=args.figures, num_test_figures=4,
                               poses_per_figure=4, pairs_per_figure=8, seed=0, overwrite=True)
        common = [*COMMON, f"--dataroot={root}", f"--checkpoints_dir={checkpoints}", f"--gpu_ids={args.gpu_ids}",
                  "--niter=100000000", "--print_freq=500", "--display_freq=100000000", "--save_latest_freq=5000",
                  "--no_html", f"--vgg_weights={vgg}"]
        budget = args.minutes * 60
        flow = train_for([*common, "--model=pose_flow", "--overwrite"], budget * STAGE_ONE_SHARE)
        full = train_for([*common, "--model=pose", "--continue_train"], budget * (1 - STAGE_ONE_SHARE))
        test_script.test(TestOptions().parse([*COMMON, "--model=pose", f"--dataroot={root}", "--phase=test",
                                              f"--checkpoints_dir={checkpoints}", f"--gpu_ids={args.gpu_ids}",
                                              f"--results_dir={results}", "--save_input"]))
        scores, triplets, note = score(results, args.alexnet_weights)
        write_grid(triplets, os.path.join(args.out_dir, "learning_check_grid.png"))
    lines = [f"Synthetic Market, random VGG19 weights, {args.minutes:g} min: pose_flow {flow.iteration} iterations, "
             f"pose to iteration {full.iteration}; {len(triplets)} test pairs",
             "| metric | generated | copy of the source |", "|---|---|---|"]
    lines += [f"| {name} | {generated:.4f} | {copied:.4f} |" for name, (generated, copied) in scores.items()]
    lines += [note] if note else []
    print_and_save("\n".join(lines), os.path.join(args.out_dir, "learning_check.md"))


if __name__ == "__main__":
    run_entry_point(main)
