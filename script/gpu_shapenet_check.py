"""View synthesis on a GPU, the whole pipeline as a user runs it, timed: a synthetic car set,
``shapenetflow`` for N iterations, ``shapenet`` for N more with ``--continue_train``, ``test.py``
and ``script/metrics.py``. Prints per stage the training speed and the peak GPU memory.

Everything goes through the real entry functions (train.train, test.test, metrics.main) on the
released configuration (256 x 256, --layers=3, --attn_layer=2,3, --kernel_size=2=5,3=3), with a
random-weight VGG19 in a temporary TORCH_HOME (no downloads). "steady it/s" is taken from the
second half of each stage (train.py's logged time per sample), after the warm-up; "overall it/s"
counts the whole stage, set-up and saves included. About a minute on an H200.

    python -m script.gpu_shapenet_check [--iterations 30] [--batch 8] [--sub_dataset car] [--out table.md]
"""
import argparse
import gc
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from script.report_table import print_and_save  # noqa: E402
from util.cli import run_entry_point  # noqa: E402

RELEASED = ["--attn_layer=2,3", "--kernel_size=2=5,3=3"]
SMALL = ["--attn_layer=2", "--kernel_size=2=3"]  # a 2-layer generator (128 x 128) has no attention layer 3
TEST_OBJECTS = 2


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=30, help="training iterations per stage (>= 2)")
    parser.add_argument("--batch", type=int, default=8, help="training batch size")
    parser.add_argument("--sub_dataset", choices=["car", "chair"], default="car")
    parser.add_argument("--gpu_ids", default="0", help="the GPU (-1: the CPU, a smoke run without memory figures)")
    parser.add_argument("--size", type=int, default=256, help="image side; the generator's --layers follows (256: 3)")
    parser.add_argument("--nThreads", type=int, default=4, help="data loading workers")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.iterations < 2:
        parser.error("--iterations: expected >= 2 (the steady speed is measured on the second half)")
    return args


def peak_gib(device):
    return torch.cuda.max_memory_allocated() / 2 ** 30 if device.type == "cuda" else float("nan")


def reset_memory(device):
    gc.collect()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def run_stage(label, function, options, argv, iterations):
    """Parse ``argv`` with ``options`` and run ``function(opt)`` (train or test); returns a row of the table."""
    opt = options.parse(argv)
    reset_memory(opt.device)
    start = time.perf_counter()
    result = function(opt)
    if opt.device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    steady = float("nan")
    log = os.path.join(opt.checkpoints_dir, opt.name, "loss_log.jsonl")
    if opt.isTrain and os.path.isfile(log):
        with open(log) as handle:
            last = [json.loads(line) for line in handle if line.strip()][-1]
        steady = 1.0 / (last["seconds_per_sample"] * opt.batchSize)
    del result
    return label, opt.batchSize, iterations / seconds, steady, seconds, peak_gib(opt.device)


def main(argv=None):
    args = parse_args(argv)
    import test as test_script
    import train as train_script
    from options.test_options import TestOptions
    from options.train_options import TrainOptions
    from script import metrics
    from script.random_weights import write_random_vgg19
    from script.synthetic_shapenet import make_synthetic_shapenet

    size, n = args.size, args.iterations
    layers = size.bit_length() - 6  # the shapenet generator makes 8 * 2**(layers + 2) pixels
    if size != 8 * 2 ** (layers + 2) or layers < 2:
        raise SystemExit(f"gpu_shapenet_check: --size must be 128, 256, 512, ...; got {size}")
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["TORCH_HOME"] = os.path.join(workdir, "torch_home")
        write_random_vgg19(os.environ["TORCH_HOME"])
        root = os.path.join(workdir, "shapenet")
        start = time.perf_counter()
        make_synthetic_shapenet(root, args.sub_dataset, num_train_objects=2, num_test_objects=TEST_OBJECTS,
                                image_size=size)
        print(f"synthetic {args.sub_dataset} set: {time.perf_counter() - start:.1f} s")
        common = [*(RELEASED if layers > 2 else SMALL), "--dataset_mode=shapenet", f"--load_size={size},{size}",
                  f"--sub_dataset={args.sub_dataset}", f"--dataroot={root}", f"--checkpoints_dir={workdir}/checkpoints",
                  "--name=check", f"--gpu_ids={args.gpu_ids}", f"--nThreads={args.nThreads}", "--display_id=0"]
        train = [*common, f"--batchSize={args.batch}", f"--print_freq={n // 2}", f"--display_freq={n}",
                 f"--save_latest_freq={n}"]
        results = os.path.join(workdir, "results")
        rows.append(run_stage("shapenetflow train", train_script.train, TrainOptions(),
                              [*train, "--model=shapenetflow", f"--niter={n}"], n))
        rows.append(run_stage("shapenet train (--continue_train)", train_script.train, TrainOptions(),
                              [*train, "--model=shapenet", f"--layers={layers}", f"--niter={2 * n}",
                               "--continue_train"], n))
        rows.append(run_stage("test.py (objects/s, 18 views each)", test_script.test, TestOptions(),
                              [*common, "--model=shapenet", f"--layers={layers}", f"--results_dir={results}"],
                              TEST_OBJECTS))
        report = metrics.main(["--generated_path", results, "--output", os.path.join(workdir, "scores.json"),
                               "--metrics", "l1,psnr,ssim", "--num_workers", "0"])
        views = report["results"]["l1"]["count"]

    device = torch.cuda.get_device_name() if torch.cuda.is_available() and args.gpu_ids != "-1" else "CPU"
    lines = [f"{device}, torch {torch.__version__}, {size}x{size}, --layers={layers}, {args.sub_dataset}, "
             f"{n} iterations per stage; test: {views} views scored",
             "| stage | batch | overall it/s | steady it/s | seconds | peak GiB |", "|---|---|---|---|---|---|"]
    for label, batch, overall, steady, seconds, peak in rows:
        lines.append(f"| {label} | {batch} | {overall:.2f} | {steady:.2f} | {seconds:.1f} | {peak:.2f} |"
                     .replace("| nan ", "| - "))
    print_and_save("\n".join(lines), args.out)


if __name__ == "__main__":
    run_entry_point(main)
