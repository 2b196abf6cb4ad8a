"""Can data loading keep up with the fast path? Training batches per second from the real loader.

    python -m script.benchmark_loader [--datasets fashion,market] [--workers 0,2,4,8] [--batch 8]
    python -m script.benchmark_loader --datasets fashion --dataroot ./dataset/fashion   # your own set

For each dataset configuration (as script/benchmark_train.py's: fashion 256x256, market 128x64)
and each ``--nThreads`` value in ``--workers``, train.py's loader (data.create_dataloader: decoding,
augmentation, pose heatmap factors, and pinned memory where a GPU is visible; the model multiplies
the factors out on its device, not timed here) is read for ``--batches``
batches after a warm-up that lets every worker deliver once, within one epoch (the workers start
with each epoch). Prints batches/s and samples/s; the loader keeps up when its batches/s exceed the
training step's it/s (script/benchmark_train.py: fashion 21.6 it/s, market 76 it/s on the fast
path on one H200; 25.4 and 93.5 with ``--compile``). Without ``--dataroot`` a synthetic set large
enough for one measured epoch is generated in a temporary folder (script/make_synthetic_dataset.py:
the real on-disk formats).
"""
import argparse
import os
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from script.report_table import print_and_save  # noqa: E402
from util.cli import integer_list, run_entry_point  # noqa: E402
from util.cpus import available_cpus  # noqa: E402

PAIRS_PER_FIGURE = 8


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="fashion,market")
    parser.add_argument("--workers", type=integer_list, default=[0, 2],
                        help="comma-separated --nThreads values to measure (default 0,2)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--batches", type=int, default=40, help="measured batches per setting")
    parser.add_argument("--dataroot", default=None, help="measure this dataset (one entry in --datasets) instead "
                                                         "of a synthetic one")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    args.datasets = args.datasets.split(",")
    if not args.workers or args.batch < 1 or args.batches < 1 or min(args.workers) < 0:
        parser.error("--batch and --batches must be at least 1, --workers one or more counts of at least 0")
    if args.dataroot and len(args.datasets) != 1:
        parser.error("--dataroot: name its configuration alone in --datasets, e.g. --datasets fashion")
    return args


def warmup_batches(workers):
    """Batches read before the clock starts: every worker has started and delivered once."""
    return max(2, 2 * workers)


def batches_per_second(loader, warmup, measured):
    """Batches/s of ``loader`` over ``measured`` batches after ``warmup``, within one epoch.

    Raises:
        ValueError: the epoch has fewer than ``warmup + measured`` batches.
    """
    if len(loader) < warmup + measured:
        raise ValueError(f"the epoch has {len(loader)} batches, fewer than the {warmup} warm-up + {measured} measured; "
                         f"lower --batches or use a larger dataset")
    start = None
    for index, _ in enumerate(loader):
        if index == warmup:
            start = time.perf_counter()
        if index == warmup + measured:
            break
    return measured / (time.perf_counter() - start)


def measure(dataset, root, workdir, args):
    """Rows (dataset, workers, batch, batches/s) for every --workers value."""
    import data
    from script.benchmark_train import pose_options
    rows = []
    for workers in args.workers:
        opt = pose_options(dataset, root, workdir, True, args.batch, gpu_ids="0" if torch.cuda.is_available() else "-1",
                           threads=workers)
        loader = data.create_dataloader(opt)
        rows.append((dataset, workers, args.batch,
                     batches_per_second(loader, warmup_batches(workers), args.batches)))
        del loader
    return rows


def format_table(rows, source):
    lines = [f"Training loader, {source}, {available_cpus()} CPUs available",
             "| dataset | --nThreads | batch | batches / s | samples / s |", "|---|---|---|---|---|"]
    for dataset, workers, batch, rate in rows:
        lines.append(f"| {dataset} | {workers} | {batch} | {rate:.1f} | {rate * batch:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for dataset in args.datasets:
            root = args.dataroot
            if root is None:
                from script.make_synthetic_dataset import make_synthetic_dataset
                root = os.path.join(workdir, dataset)
                needed = (warmup_batches(max(args.workers)) + args.batches) * args.batch
                make_synthetic_dataset(root, fmt=dataset, num_train_figures=-(-needed // PAIRS_PER_FIGURE),
                                       num_test_figures=1, poses_per_figure=4, pairs_per_figure=PAIRS_PER_FIGURE,
                                       seed=0)
            rows += measure(dataset, root, workdir, args)
    source = f"--dataroot {args.dataroot}" if args.dataroot else "synthetic data"
    print_and_save(format_table(rows, source), args.out)


if __name__ == "__main__":
    run_entry_point(main)
