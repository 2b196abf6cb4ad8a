"""Benchmark the pose model on a GPU: the eager float32 path against the fast path (model/fast_path.py).

    python -m script.benchmark_train [--steps 30] [--datasets fashion,market] [--variants] [--compile] [--out FILE]
    python -m script.benchmark_train --same_training [--steps 200] [--noise_floor] [--plot curves.png]
    python -m script.benchmark_train --profile [--variants] [--compile] [--datasets fashion]

Default mode: for the fashion (256x256) and market (128x64) configurations with random weights, a
training step (``PoseModel``: G + D + all losses + both optimizer steps, batch 8) and generator
inference (batch 32, inference mode), each eagerly in float32 (``--cuda_graphs=off``) and on the
fast path (``--cuda_graphs=on``: whole-step CUDA graph, channels_last D and VGG): median ms per step
and it/s (img/s) over ``--steps`` after ``--warmup`` (and how long the warm-up took: compilation and
capture happen there), peak GiB, and from a profile of 3 steps the host launches per step (kernel
and graph launches the CPU issues), the kernels the GPU runs per step and the GPU-busy ms per step.
``--variants`` adds the fast path without channels_last and with bf16 autocast, ``--compile`` the
fast path with ``--compile`` (torch.compile before the capture; its compilation is in the warm-up,
not timed), both together also the compiled bf16 fast path. Inputs come from the real loaders on a
synthetic dataset in a temporary folder, moved to the GPU first (the loader is not timed); VGG19
gets random weights (no downloads).

``--same_training``: from one seed, both paths train ``--steps`` steps (default 200) on the same
synthetic batches; prints per loss the maximum and median relative difference of the fast path's
losses from the eager ones (``--noise_floor``: also of a second eager run from the first, the
run-to-run noise of the GPU's atomic additions and cuDNN's algorithm choice), and each run's mean
of every loss over the last quarter of the steps (where runs that have parted are compared):
``--seeds 1,2`` adds fast runs from other seeds (the spread another initialisation gives),
``--variants`` a fast bf16 run (``--precision=bf16``); ``--csv`` writes every step's losses,
``--plot`` overlays the loss curves in a PNG (matplotlib; moving means over 1 % of the steps),
e.g. ``--same_training --steps 2000 --noise_floor --seeds 1,2 --plot curves.png``.

``--profile``: per dataset, the fast path's GPU kernel time per training step by kind of kernel
(convolutions and matrix products, elementwise, NCHW<->NHWC conversions, normalisation, ...) and
the longest kernels, from a profile of 3 steps (``--variants``: also the bf16 variant's;
``--compile``: also the compiled ones').
"""
import argparse
import gc
import math
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from script.report_table import print_and_save  # noqa: E402
from util.cli import integer_list, run_entry_point  # noqa: E402
from util.precision import autocast  # noqa: E402

CONFIGS = {
    "fashion": ["--dataset_mode=fashion", "--attn_layer=2,3", "--kernel_size=2=5,3=3"],
    "market": ["--dataset_mode=market", "--attn_layer=2", "--kernel_size=2=3"],
}
# name -> (cuda_graphs, channels_last, autocast dtype, --compile)
TRAIN_PATHS = {"eager fp32": ("off", False, None, False), "fast": ("on", True, None, False)}
TRAIN_VARIANTS = {"fast NCHW": ("on", False, None, False), "fast bf16": ("on", True, torch.bfloat16, False)}
TRAIN_COMPILED = {"fast compiled": ("on", True, None, True)}
TRAIN_COMPILED_VARIANTS = {"fast bf16 compiled": ("on", True, torch.bfloat16, True)}
# name -> (CUDA graph, autocast dtype, torch.compile)
INFERENCE_PATHS = {"eager fp32": (False, None, False), "fast": (True, None, False)}
INFERENCE_VARIANTS = {"fast bf16": (True, torch.bfloat16, False)}
INFERENCE_COMPILED = {"fast compiled": (True, None, True)}
INFERENCE_COMPILED_VARIANTS = {"fast bf16 compiled": (True, torch.bfloat16, True)}
LAUNCH_CALLS = ("cudaLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernel", "cuLaunchKernelEx", "cudaGraphLaunch",
                "cudaMemcpyAsync", "cudaMemsetAsync")
DENOMINATOR_FLOOR = 1e-12  # relative differences of a loss that is exactly 0 stay finite


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=None,
                        help="timed iterations per measurement (default 30), or training steps of --same_training "
                             "(default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    parser.add_argument("--train_batch", type=int, default=8)
    parser.add_argument("--test_batch", type=int, default=32)
    parser.add_argument("--datasets", default="fashion,market")
    parser.add_argument("--variants", action="store_true",
                        help="also the fast path without channels_last and with bf16 (--same_training: with bf16)")
    parser.add_argument("--compile", action="store_true",
                        help="also the fast path with --compile (torch.compile before the capture; --same_training: "
                             "a compiled run; --profile: the compiled step's kernels)")
    parser.add_argument("--no_inference", action="store_true", help="training steps only")
    parser.add_argument("--impl", default=None, help="GFLA_OPS_IMPL for the custom ops (default: auto)")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    parser.add_argument("--same_training", action="store_true",
                        help="compare the losses of the fast and the eager path over --steps steps from one seed")
    parser.add_argument("--noise_floor", action="store_true", help="--same_training: also a second eager run")
    parser.add_argument("--seeds", type=integer_list, default=[],
                        help="--same_training: also train the fast path from these seeds (e.g. 1,2: the spread "
                             "another initialisation and batch order gives)")
    parser.add_argument("--csv", default=None, help="--same_training: write every step's losses to this CSV")
    parser.add_argument("--plot", default=None, help="--same_training: overlay the loss curves in this PNG")
    parser.add_argument("--no_tf32", action="store_true",
                        help="cuDNN convolutions in full float32 instead of PyTorch's default TF32 (the rounding "
                             "then depends less on which algorithm cuDNN picks for a layout)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true",
                        help="instead: the fast path's GPU kernel time per training step by kind of kernel and the "
                             "longest kernels (--variants: also the bf16 variant's)")
    args = parser.parse_args(argv)
    if args.steps is None:
        args.steps = 200 if args.same_training else 30
    return args


# ------------------------------------------------------------------------------------------ set-up
def pose_options(dataset, root, workdir, is_train, batch, seed=0, gpu_ids="0", threads=2):
    """train.py's (``is_train``) or test.py's options for the pose model on ``dataset``'s
    configuration (CONFIGS) at ``root``; test options read the larger train split."""
    from options.test_options import TestOptions
    from options.train_options import TrainOptions
    options, extra = (TrainOptions(), []) if is_train else (TestOptions(), [f"--results_dir={workdir}/results"])
    opt = options.parse(["--model=pose", *CONFIGS[dataset], f"--dataroot={root}", f"--checkpoints_dir={workdir}",
                         f"--name=bench_{dataset}", f"--gpu_ids={gpu_ids}", f"--batchSize={batch}",
                         f"--nThreads={threads}", "--display_id=0", f"--seed={seed}", *extra], save=False)
    if not is_train:
        opt.phase = "train"  # the larger split gives full batches of 32
    return opt


def build(dataset, root, workdir, is_train, batch, seed=0, gpu_ids="0", threads=2):
    """Options, a pose model with random weights (from ``seed``) and full batches on its device
    (``gpu_ids`` as the option, "-1" for the CPU; ``threads`` loader processes; ``on_device``)."""
    import data
    import model as models
    from util.reproducibility import seed_everything
    opt = pose_options(dataset, root, workdir, is_train, batch, seed, gpu_ids, threads)
    seed_everything(seed)
    model = models.find_model_class("pose")(opt)
    if is_train:
        model.setup(opt)  # the schedulers, as train.py has them
    else:
        model.net_G.eval()
    batches = [on_device(batch_data, opt.device) for batch_data in data.create_dataloader(opt)
               if len(batch_data["P1"]) == batch]
    if not batches:
        raise RuntimeError(f"the synthetic {dataset} dataset gave no full batch of {batch}")
    return opt, model, batches


def on_device(batch, device):
    """``batch`` with its tensors on ``device`` and its poses expanded there to heatmaps (as
    ``set_input`` would, so that neither the copy nor the expansion is timed)."""
    from data.heatmaps import expand_poses
    return {key: value.to(device) if torch.is_tensor(value) else value
            for key, value in expand_poses(batch, device).items()}


def training_step(opt, model, path):
    from model.fast_path import training_step as make_step
    opt.cuda_graphs, channels_last, dtype, opt.compile = path
    opt.precision = "bf16" if dtype == torch.bfloat16 else "fp32"
    return make_step(model, opt, channels_last=channels_last)


def inference_step(model, path):
    from util.cuda_graphs import GraphedInference
    graphed, dtype, compiled = path
    net = torch.compile(model.net_G, dynamic=False) if compiled else model.net_G  # as --compile (a wrapper here)
    net = GraphedInference(net) if graphed else net

    def step(batch):
        with torch.inference_mode(), autocast("cuda", dtype):
            net(batch["P1"], batch["BP1"], batch["BP2"])
    return step


def machine():
    """'GPU: <name>, torch <version>' for the tables."""
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "none"
    return f"GPU: {gpu}, torch {torch.__version__}"


def release():
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


# ------------------------------------------------------------------------------------------ measuring
def timed(step, batches, warmup, steps):
    """Median seconds per step and peak memory (GiB) over ``steps`` calls after ``warmup``, and
    the seconds the ``warmup`` calls took (compilation and graph capture happen there)."""
    start = time.perf_counter()
    for index in range(warmup):
        step(batches[index % len(batches)])
    torch.cuda.synchronize()
    warmup_seconds = time.perf_counter() - start
    torch.cuda.reset_peak_memory_stats()
    times = []
    for index in range(steps):
        start = time.perf_counter()
        step(batches[index % len(batches)])
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], torch.cuda.max_memory_allocated() / 2 ** 30, warmup_seconds


def profiled_events(step, batches, steps, host):
    """The torch.profiler events of ``steps`` calls of ``step`` (GPU activity; ``host``: also the CPU's)."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU, ProfilerActivity.CUDA] if host else [ProfilerActivity.CUDA]
    torch.cuda.synchronize()
    with profile(activities=activities) as profiler:
        for index in range(steps):
            step(batches[index % len(batches)])
        torch.cuda.synchronize()
    return profiler.events()


def launches_and_busy(step, batches, steps=3):
    """(host launches, GPU kernels, GPU-busy ms) per step, from a torch.profiler trace of ``steps``
    calls: launches are the CPU's kernel/graph launch and async copy calls, busy time the union of
    the GPU's kernel and copy intervals. (None, None, None) when the profiler sees no GPU activity."""
    from torch.autograd import DeviceType
    launches, kernels, intervals = 0, 0, []
    for event in profiled_events(step, batches, steps, host=True):
        if event.device_type == DeviceType.CUDA:
            intervals.append((event.time_range.start, event.time_range.end))
            kernels += not event.name.startswith(("Memcpy", "Memset"))
        elif event.name in LAUNCH_CALLS:
            launches += 1
    if not intervals:
        return None, None, None
    busy, end = 0.0, -math.inf
    for start, stop in sorted(intervals):
        busy += max(0.0, stop - max(start, end))
        end = max(end, stop)
    return launches / steps, kernels / steps, busy / 1e3 / steps


def chosen_paths(args, paths, variants, compiled, compiled_variants):
    """``paths`` plus ``variants`` with ``--variants``, ``compiled`` with ``--compile`` and
    ``compiled_variants`` with both."""
    return {**paths, **(variants if args.variants else {}), **(compiled if args.compile else {}),
            **(compiled_variants if args.variants and args.compile else {})}


def benchmark(dataset, root, workdir, args):
    rows = []
    train_paths = chosen_paths(args, TRAIN_PATHS, TRAIN_VARIANTS, TRAIN_COMPILED, TRAIN_COMPILED_VARIANTS)
    for name, path in train_paths.items():
        opt, model, batches = build(dataset, root, workdir, True, args.train_batch)
        rows.append(_measure(dataset, "train step", name, args.train_batch, training_step(opt, model, path),
                             batches, args))
        del model, batches
        release()
    if args.no_inference:
        return rows
    inference_paths = chosen_paths(args, INFERENCE_PATHS, INFERENCE_VARIANTS, INFERENCE_COMPILED,
                                   INFERENCE_COMPILED_VARIANTS)
    _, model, batches = build(dataset, root, workdir, False, args.test_batch)
    for name, path in inference_paths.items():
        rows.append(_measure(dataset, "inference", name, args.test_batch, inference_step(model, path), batches, args))
        release()
    return rows


def _measure(dataset, what, name, batch, step, batches, args):
    try:
        seconds, peak, warmup_seconds = timed(step, batches, args.warmup, args.steps)
        counts = launches_and_busy(step, batches)
    except Exception as error:  # one failing path must not hide the others' numbers
        print(f"{dataset} {what} {name}: FAILED: {type(error).__name__}: {error}", flush=True)
        return (dataset, what, name, batch, None, None, None, (None, None, None), None)
    print(f"{dataset} {what} {name}: {seconds * 1e3:.2f} ms, {peak:.2f} GiB, counts {counts}, warm-up "
          f"{warmup_seconds:.1f} s", flush=True)
    return (dataset, what, name, batch, seconds, (batch if what == "inference" else 1) / seconds, peak, counts,
            warmup_seconds)


def format_table(rows):
    def number(value, digits):
        return "-" if value is None else f"{value:.{digits}f}"

    lines = [f"{machine()}, ops impl: {os.environ.get('GFLA_OPS_IMPL', 'auto')}",
             "| dataset | what | batch | path | ms / step | per second | peak GiB | host launches / step "
             "| GPU kernels / step | GPU-busy ms / step | warm-up s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for dataset, what, name, batch, seconds, rate, peak, (launches, kernels, busy), warmup_seconds in rows:
        unit = "img/s" if what == "inference" else "it/s"
        lines.append(f"| {dataset} | {what} | {batch} | {name} | {number(seconds and seconds * 1e3, 1)} | "
                     f"{number(rate, 1)} {unit} | {number(peak, 2)} | {number(launches, 0)} | {number(kernels, 0)} | "
                     f"{number(busy, 1)} | {number(warmup_seconds, 1)} |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ same training
def train_losses(dataset, root, workdir, args, path, seed):
    """(loss names, [steps, losses] float64 CPU tensor) of ``args.steps`` steps from ``seed``,
    cycling through the same GPU-resident batches."""
    opt, model, batches = build(dataset, root, workdir, True, args.train_batch, seed=seed)
    step = training_step(opt, model, path)
    losses = []
    for index in range(args.steps):
        step(batches[index % len(batches)])
        model.iteration += 1
        model.update_learning_rate()
        losses.append(model.current_loss_tensor())
    values = torch.stack(losses).double().cpu()
    names = list(model.loss_names)
    del model, step, batches
    release()
    return names, values


def relative_difference(values, reference):
    """|values - reference| / |reference| per step and loss."""
    return (values - reference).abs() / reference.abs().clamp_min(DENOMINATOR_FLOOR)


def same_training_runs(args):
    """(curve name, path, seed) of every run ``--same_training`` makes, the eager reference first."""
    runs = [("eager fp32", TRAIN_PATHS["eager fp32"], args.seed), ("fast", TRAIN_PATHS["fast"], args.seed)]
    if args.noise_floor:
        runs.append(("eager fp32 again", TRAIN_PATHS["eager fp32"], args.seed))
    if args.variants:
        runs.append(("fast bf16", TRAIN_VARIANTS["fast bf16"], args.seed))
    if args.compile:
        runs.append(("fast compiled", TRAIN_COMPILED["fast compiled"], args.seed))
    runs += [(f"fast, seed {seed}", TRAIN_PATHS["fast"], seed) for seed in args.seeds]
    return runs


def same_training(dataset, root, workdir, args):
    """Rows (dataset, loss, fast max, fast median, noise max, noise median; None without
    ``--noise_floor``), the loss names and the loss curves of every run."""
    curves = {}
    for name, path, seed in same_training_runs(args):
        names, curves[name] = train_losses(dataset, root, workdir, args, path, seed)
    eager = curves["eager fp32"]
    difference = relative_difference(curves["fast"], eager)
    noise = relative_difference(curves["eager fp32 again"], eager) if args.noise_floor else None
    rows = [(dataset, name, *_max_and_median(difference[:, i]),
             *_max_and_median(None if noise is None else noise[:, i])) for i, name in enumerate(names)]
    return rows, names, curves


def _max_and_median(values):
    return (None, None) if values is None else (values.max().item(), values.median().item())


def late_window(steps):
    """(first, last) 1-based step of the last quarter of ``steps``: where curves are compared once
    the runs have parted."""
    return steps - max(steps // 4, 1) + 1, steps


def format_late_means(all_curves, steps):
    """Per dataset and run, each loss's mean over the last quarter of the steps: how far the fast
    path's training lands from the eager one's, next to what another seed or a second eager run gives."""
    first, last = late_window(steps)
    lines = [f"Mean of each loss over steps {first}-{last}"]
    for dataset, (names, curves) in all_curves.items():
        lines += ["", f"| {dataset}: run | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for run, values in curves.items():
            lines.append(f"| {run} | " + " | ".join(f"{m:.4g}" for m in values[first - 1:last].mean(0).tolist()) + " |")
    return "\n".join(lines)


def format_same_training(rows, steps):
    tf32 = "TF32 convolutions (default)" if torch.backends.cudnn.allow_tf32 else "no TF32"
    lines = [f"Same training, {steps} steps from one seed: relative difference of each loss, fast path vs eager fp32 "
             f"({machine()}, {tf32})",
             "| dataset | loss | max | median | eager vs eager (noise): max | median |", "|---|---|---|---|---|---|"]
    for dataset, name, *values in rows:
        lines.append(f"| {dataset} | {name} | " + " | ".join("-" if v is None else f"{v:.2e}" for v in values) + " |")
    return "\n".join(lines)


def write_curves(all_curves, csv_path, plot_path):
    """Every step's losses as CSV (dataset, path, step, loss, value) and/or overlaid in a PNG."""
    if csv_path:
        with open(csv_path, "w") as handle:
            handle.write("dataset,path,step,loss,value\n")
            for dataset, (names, curves) in all_curves.items():
                for path, values in curves.items():
                    for step, row in enumerate(values.tolist(), start=1):
                        handle.writelines(f"{dataset},{path},{step},{name},{value!r}\n"
                                          for name, value in zip(names, row))
    if plot_path:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot
        rows = max(len(names) for names, _ in all_curves.values())
        window = max(1, min(len(values) for _, curves in all_curves.values() for values in curves.values()) // 100)
        figure, axes = pyplot.subplots(rows, len(all_curves), figsize=(5 * len(all_curves), 2.2 * rows), squeeze=False)
        for column, (dataset, (names, curves)) in enumerate(all_curves.items()):
            for row, name in enumerate(names):
                for path, values in curves.items():
                    axes[row, column].plot(range(window, len(values) + 1), moving_average(values[:, row], window),
                                           label=path, linewidth=0.8, alpha=0.8)
                axes[row, column].set_title(f"{dataset}: {name}" + (f" (mean of {window} steps)" if window > 1 else ""),
                                            fontsize=9)
            axes[0, column].legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(plot_path, dpi=110)


def moving_average(values, window):
    """Means of ``window`` consecutive values (one per full window): a 2,000-step curve is readable."""
    sums = torch.cat([values.new_zeros(1), values.cumsum(0)])
    return ((sums[window:] - sums[:-window]) / window).numpy()


# ------------------------------------------------------------------------------------------ profile
# kernel kind -> substrings of the (lower-cased) kernel names, tried in this order
KERNEL_KINDS = (
    ("NCHW<->NHWC conversion", ("nchwtonhwc", "nhwctonchw")),
    ("normalisation", ("batch_norm", "instance_norm", "group_norm", "welford", "bn_fw", "bn_bw")),
    ("convolution / matrix product", ("conv", "gemm", "xmma", "cutlass", "winograd", "dgrad", "wgrad", "cudnn")),
    ("custom ops", ("block_extractor", "resample2d", "local_attention")),
    ("grid_sample", ("grid_sampler",)),
    ("optimizer", ("adam", "multi_tensor_apply")),
    ("reduction", ("reduce_kernel",)),
    ("copy / cast / cat", ("copy", "memcpy", "memset", "cat_", "catarray")),
    ("elementwise", ("elementwise", "pointwise")),
)


def kernel_kind(name):
    """The KERNEL_KINDS entry a GPU kernel's name belongs to ('other' for none)."""
    lowered = name.lower()
    return next((kind for kind, keys in KERNEL_KINDS if any(key in lowered for key in keys)), "other")


def kernel_times(kernels, steps):
    """Per step: {kind: ms} and [(ms, launches, name)] by kernel name, longest first, from
    ``kernels`` = [(name, microseconds)] recorded over ``steps`` steps."""
    by_kind, by_name = {}, {}
    for name, microseconds in kernels:
        ms = microseconds / 1e3 / steps
        kind = kernel_kind(name)
        by_kind[kind] = by_kind.get(kind, 0.0) + ms
        total, count = by_name.get(name, (0.0, 0))
        by_name[name] = (total + ms, count + 1)
    return (dict(sorted(by_kind.items(), key=lambda item: -item[1])),
            sorted(((ms, count / steps, name) for name, (ms, count) in by_name.items()), reverse=True))


def format_kernel_times(title, by_kind, by_name, top=15):
    lines = [f"{title}: {sum(by_kind.values()):.1f} ms of GPU kernels per step", "| kind | ms / step |", "|---|---|"]
    lines += [f"| {kind} | {ms:.2f} |" for kind, ms in by_kind.items()]
    lines += ["", "| ms / step | launches / step | kernel |", "|---|---|---|"]
    lines += [f"| {ms:.2f} | {count:.0f} | `{name[:100]}` |" for ms, count, name in by_name[:top]]
    return "\n".join(lines)


def profile(dataset, root, workdir, args):
    """The fast path's (and with ``--variants`` / ``--compile`` its bf16 / compiled variants') GPU
    kernel time per training step, by kind and by kernel: where the remaining time goes."""
    from torch.autograd import DeviceType
    tables, steps = [], 3
    paths = {name: path for name, path in chosen_paths(args, TRAIN_PATHS, TRAIN_VARIANTS, TRAIN_COMPILED,
                                                       TRAIN_COMPILED_VARIANTS).items()
             if name not in ("eager fp32", "fast NCHW")}  # the layouts the fast path does not use
    for name, path in paths.items():
        opt, model, batches = build(dataset, root, workdir, True, args.train_batch)
        step = training_step(opt, model, path)
        timed(step, batches, args.warmup, steps)  # the warm-up (and the graph's capture) before the profile
        kernels = [(event.name, event.time_range.end - event.time_range.start)
                   for event in profiled_events(step, batches, steps, host=False)
                   if event.device_type == DeviceType.CUDA]
        tables.append(format_kernel_times(f"{dataset} train step, {name} ({machine()})", *kernel_times(kernels, steps)))
        del model, step, batches
        release()
    return tables


def main(argv=None):
    args = parse_args(argv)
    if args.impl:
        os.environ["GFLA_OPS_IMPL"] = args.impl
    if args.no_tf32:
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    if not torch.cuda.is_available():
        print("benchmark_train: no CUDA GPU visible; nothing to measure")
        return
    from script.make_synthetic_dataset import make_synthetic_dataset
    from script.random_weights import write_random_vgg19
    rows, all_curves = [], {}
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["TORCH_HOME"] = os.path.join(workdir, "torch_home")
        write_random_vgg19(os.environ["TORCH_HOME"])
        for dataset in args.datasets.split(","):
            root = os.path.join(workdir, dataset)
            make_synthetic_dataset(root, fmt=dataset, num_train_figures=16, num_test_figures=2,
                                   poses_per_figure=4, pairs_per_figure=8, seed=0)
            if args.profile:
                rows += profile(dataset, root, workdir, args)
                continue
            if args.same_training:
                dataset_rows, names, curves = same_training(dataset, root, workdir, args)
                rows += dataset_rows
                all_curves[dataset] = (names, curves)
            else:
                rows += benchmark(dataset, root, workdir, args)
    if args.profile:
        return print_and_save("\n\n".join(rows), args.out)
    if args.same_training:
        print_and_save(format_same_training(rows, args.steps) + "\n\n" + format_late_means(all_curves, args.steps),
                       args.out)
        write_curves(all_curves, args.csv, args.plot)
    else:
        print_and_save(format_table(rows), args.out)


if __name__ == "__main__":
    run_entry_point(main)
