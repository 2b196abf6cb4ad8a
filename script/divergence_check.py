"""How far two training runs of the pose model drift apart from a rounding-level difference (CPU).

    python -m script.divergence_check [--steps 300] [--batch 2] [--window 50] [--dtype float32] [--out FILE]

From one seed on a synthetic Market set, three runs of the eager training step on the CPU:
  - ``reference``;
  - ``one ulp``: the same, with the generator's first weight tensor scaled by (1 + one unit in the
    last place of --dtype), a rounding-level change;
  - ``fast arithmetic``: the fast path's arithmetic short of the CUDA graph (model/fast_path.py):
    discriminator and VGG19 in channels_last, the fused capturable Adam.
Prints, per loss, the step at which each run first differs from the reference by more than 1 %,
and each run's mean per window of ``--window`` steps. The defaults take about 15 minutes on two
CPU cores. Two invocations print the same figures (the stand-in VGG19 comes from a fixed seed).

Why: GFLA trains with Adam at beta1 = 0, whose first updates are +-lr for every weight whatever
the size of its gradient, so a rounding-level difference grows to learning-rate size within a few
steps. Past that point two runs can only be compared by their statistics, and the ``one ulp`` run
shows how far apart chance alone takes them (the GPU's ``--same_training --noise_floor`` check
of script/benchmark_train.py asks the same of the eager path run twice).
"""
import argparse
import copy
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from script.report_table import print_and_save  # noqa: E402
from util.cli import run_entry_point  # noqa: E402

RUNS = ("reference", "one ulp", "fast arithmetic")
DIFFERS = 0.01  # relative difference counted as "differs"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300, help="training steps of each run")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--window", type=int, default=50, help="steps per mean in the table")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                        help="the networks' and the batches' precision")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the tables to this file")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.batch < 1 or args.window < 1:
        parser.error("--steps, --batch and --window must be at least 1")
    return args


def build_runs(root, workdir, args):
    """{run name: pose model} from one seed (the RUNS), the synthetic batches and the loss names."""
    from model.fast_path import to_channels_last
    from script.benchmark_train import build
    from util.cuda_graphs import make_capturable
    _, reference, batches = build("market", root, workdir, True, args.batch, seed=args.seed, gpu_ids="-1",
                                  threads=0)
    runs = {name: copy.deepcopy(reference) for name in RUNS}
    with torch.no_grad():
        next(runs["one ulp"].net_G.parameters()).mul_(1 + torch.finfo(torch.get_default_dtype()).eps)
    to_channels_last(runs["fast arithmetic"])
    for optimizer in runs["fast arithmetic"].optimizers:
        make_capturable(optimizer)
    dtype = torch.get_default_dtype()
    batches = [{key: value.to(dtype) if torch.is_tensor(value) and value.is_floating_point() else value
                for key, value in batch.items()} for batch in batches]
    return runs, batches, list(reference.loss_names)


def train(runs, batches, steps):
    """{run name: [steps, losses] float64 tensor}: every run trains on the same batches in turn."""
    from tqdm import tqdm
    losses = {name: [] for name in runs}
    for step in tqdm(range(steps), desc="steps (3 runs each)", unit="step"):
        for name, model in runs.items():
            model.set_input(batches[step % len(batches)])
            model.optimize_parameters()
            losses[name].append(model.current_loss_tensor().double())
    return {name: torch.stack(values) for name, values in losses.items()}


def first_difference(values, reference):
    """Per loss, the first step (1-based) where |values - reference| > DIFFERS * |reference|, or None."""
    differs = (values - reference).abs() > DIFFERS * reference.abs()
    return [int(column.nonzero()[0]) + 1 if column.any() else None for column in differs.T]


def format_tables(names, curves, window, dtype):
    steps = len(curves["reference"])
    starts = list(range(0, steps, window))
    lines = [f"Three CPU runs of the pose step from one seed ({dtype}, synthetic Market): first step at which a "
             f"loss differs from the reference's by more than {DIFFERS:.0%}",
             "| loss | " + " | ".join(RUNS[1:]) + " |", "|---|" + "---|" * (len(RUNS) - 1)]
    firsts = {name: first_difference(curves[name], curves["reference"]) for name in RUNS[1:]}
    for index, loss in enumerate(names):
        lines.append(f"| {loss} | " + " | ".join("-" if firsts[name][index] is None else str(firsts[name][index])
                                                 for name in RUNS[1:]) + " |")
    lines += ["", f"Mean of each loss over steps ({window} per column)",
              "| loss | run | " + " | ".join(f"{a + 1}-{min(a + window, steps)}" for a in starts) + " |",
              "|---|---|" + "---|" * len(starts)]
    for index, loss in enumerate(names):
        for name in RUNS:
            means = [curves[name][a:a + window, index].mean().item() for a in starts]
            lines.append(f"| {loss} | {name} | " + " | ".join(f"{mean:.4g}" for mean in means) + " |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    from script.make_synthetic_dataset import make_synthetic_dataset
    from script.random_weights import write_random_vgg19
    previous = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, args.dtype))
    try:
        with tempfile.TemporaryDirectory() as workdir:
            os.environ["TORCH_HOME"] = os.path.join(workdir, "torch_home")
            write_random_vgg19(os.environ["TORCH_HOME"])
            root = os.path.join(workdir, "market")
            make_synthetic_dataset(root, fmt="market", num_train_figures=8, num_test_figures=2,
                                   poses_per_figure=4, pairs_per_figure=8, seed=args.seed)
            runs, batches, names = build_runs(root, workdir, args)
            curves = train(runs, batches, args.steps)
    finally:
        torch.set_default_dtype(previous)
    print_and_save(format_tables(names, curves, args.window, args.dtype), args.out)


if __name__ == "__main__":
    run_entry_point(main)
