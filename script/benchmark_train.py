"""Benchmark the pose model on a GPU: training step (G + D + all losses) and test-time throughput.

Measures, for the fashion (256x256) and market (128x64) configurations with random weights:
iterations/s and peak memory of ``PoseModel.optimize_parameters`` at batch 8, in float32 and under
bf16 autocast, and generated images/s at batch 32 (``net_G`` in eval mode, inference mode).
Inputs come from the real loaders, reading a synthetic dataset written to a temporary folder;
a handful of batches is moved to the GPU first so that the loader is not what is timed.
VGG19 gets random weights written into a temporary TORCH_HOME (no downloads).

    python -m script.benchmark_train [--steps 30] [--impl auto|torch|cuda] [--out table.md]
"""
import argparse
import contextlib
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from util.cli import run_entry_point  # noqa: E402

CONFIGS = {
    "fashion": ["--dataset_mode=fashion", "--attn_layer=2,3", "--kernel_size=2=5,3=3"],
    "market": ["--dataset_mode=market", "--attn_layer=2", "--kernel_size=2=3"],
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30, help="timed iterations per measurement")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    parser.add_argument("--train_batch", type=int, default=8)
    parser.add_argument("--test_batch", type=int, default=32)
    parser.add_argument("--datasets", default="fashion,market")
    parser.add_argument("--impl", default=None, help="GFLA_OPS_IMPL for the custom ops (default: auto)")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    parser.add_argument("--profile", action="store_true",
                        help="instead: profile a few fp32 training steps of the first dataset and print the "
                             "operators taking the most CPU and GPU time")
    return parser.parse_args()


def build(dataset, root, workdir, is_train, batch):
    """Options, a model with random weights, and GPU-resident batches from the real loader."""
    import data
    import model as models
    from options.test_options import TestOptions
    from options.train_options import TrainOptions
    options, extra = (TrainOptions(), []) if is_train else (TestOptions(), [f"--results_dir={workdir}/results"])
    opt = options.parse(["--model=pose", *CONFIGS[dataset], f"--dataroot={root}", f"--checkpoints_dir={workdir}",
                         f"--name=bench_{dataset}", "--gpu_ids=0", f"--batchSize={batch}", "--nThreads=2",
                         "--display_id=0", *extra], save=False)
    if not is_train:
        opt.phase = "train"  # the larger split gives full batches of 32
    model = models.find_model_class("pose")(opt)
    if not is_train:
        model.net_G.eval()
    batches = []
    for batch_data in data.create_dataloader(opt):
        if len(batch_data["P1"]) == batch:
            batches.append({k: v.to(opt.device) if torch.is_tensor(v) else v for k, v in batch_data.items()})
        if len(batches) == 4:
            break
    if not batches:
        raise RuntimeError(f"the synthetic {dataset} dataset gave no full batch of {batch}")
    return model, batches


def timed(step, batches, warmup, steps):
    """Median seconds per step and peak memory (GiB) over ``steps`` calls after ``warmup``."""
    for index in range(warmup):
        step(batches[index % len(batches)])
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times = []
    for index in range(steps):
        start = time.perf_counter()
        step(batches[index % len(batches)])
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], torch.cuda.max_memory_allocated() / 2 ** 30


def autocast(precision):
    if precision == "bf16":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def benchmark(dataset, root, workdir, args):
    rows = []
    model, batches = build(dataset, root, workdir, True, args.train_batch)
    for precision in ("fp32", "bf16"):
        def train_step(batch):
            model.set_input(batch)
            with autocast(precision):
                model.optimize_parameters()
        seconds, peak = timed(train_step, batches, args.warmup, args.steps)
        rows.append((dataset, "train step", args.train_batch, precision, 1 / seconds, seconds * 1e3, peak))
    del model, batches
    torch.cuda.empty_cache()
    model, batches = build(dataset, root, workdir, False, args.test_batch)
    for precision in ("fp32", "bf16"):
        def test_step(batch):
            with torch.inference_mode(), autocast(precision):
                model.net_G(batch["P1"], batch["BP1"], batch["BP2"])
        seconds, peak = timed(test_step, batches, args.warmup, args.steps)
        rows.append((dataset, "inference", args.test_batch, precision, args.test_batch / seconds, seconds * 1e3, peak))
    return rows


def profile(dataset, root, workdir, args):
    """Print torch.profiler tables (CPU and CUDA time) of a few fp32 training steps."""
    from torch.profiler import ProfilerActivity
    model, batches = build(dataset, root, workdir, True, args.train_batch)

    def train_step(batch):
        model.set_input(batch)
        model.optimize_parameters()

    timed(train_step, batches, args.warmup, 3)
    with torch.profiler.profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as profiler:
        for index in range(5):
            with torch.profiler.record_function("train_step"):
                train_step(batches[index % len(batches)])
        torch.cuda.synchronize()
    averages = profiler.key_averages()
    print(averages.table(sort_by="self_cpu_time_total", row_limit=25))
    print(averages.table(sort_by="self_cuda_time_total", row_limit=25))


def main():
    args = parse_args()
    if args.impl:
        os.environ["GFLA_OPS_IMPL"] = args.impl
    if not torch.cuda.is_available():
        print("benchmark_train: no CUDA GPU visible; nothing to measure")
        return
    from script.make_synthetic_dataset import make_synthetic_dataset
    from script.random_weights import write_random_vgg19
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["TORCH_HOME"] = os.path.join(workdir, "torch_home")
        write_random_vgg19(os.environ["TORCH_HOME"])
        for dataset in args.datasets.split(","):
            root = os.path.join(workdir, dataset)
            make_synthetic_dataset(root, fmt=dataset, num_train_figures=16, num_test_figures=2,
                                   poses_per_figure=4, pairs_per_figure=8, seed=0)
            if args.profile:
                return profile(dataset, root, workdir, args)
            rows += benchmark(dataset, root, workdir, args)
    lines = [f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}, ops impl: "
             f"{os.environ.get('GFLA_OPS_IMPL', 'auto')}",
             "| dataset | what | batch | precision | per second | ms / step | peak GiB |",
             "|---|---|---|---|---|---|---|"]
    for dataset, what, batch, precision, rate, ms, peak in rows:
        unit = "it/s" if what == "train step" else "img/s"
        lines.append(f"| {dataset} | {what} | {batch} | {precision} | {rate:.1f} {unit} | {ms:.1f} | {peak:.2f} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    run_entry_point(main)
