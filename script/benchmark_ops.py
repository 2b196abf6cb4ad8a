"""Speed and memory of the custom ops and the whole local attention, PyTorch twin vs CUDA.

    python -m script.benchmark_ops [--out FILE] [--iters N] [--warmup N]

For each shape (B=8: fashion C=256 32x32 k=3, fashion C=128 64x64 k=5, market C=128 32x16 k=3,
and C=128 64x44 k=5 for the reference figure below), dtype (float32, bfloat16) and
implementation, it reports the median forward+backward time (CUDA events, after warm-up) and
the peak memory that one forward+backward allocates beyond its inputs
(torch.cuda.max_memory_allocated delta). Ops: block_extractor (gradients for source and flow),
resample2d (kernel 4, dilation 1, sigma 2, as in the correctness loss; gradient for the flow
and the input), local_attn_reshape (pixel_shuffle on both paths), local_attention_apply (the
weighted mean of the k x k samples; gradients for source, weights and flow) and ExtractorAttn
(the efficient forward; plus the original's straightforward composition, run with our kernels:
the reference of tests/ops/attention_reference.py).
Reference: the original GFLA local attention took about 9 ms (grid_sample) / 12 ms (its own
kernels) forward+backward and about 1.9 GB at B=8, C=128, 64x44, k=5 (fp32, H200).

Prints a markdown table at the end; ``--out FILE`` also writes it to FILE and the raw numbers
to FILE with the suffix .json.
"""
import argparse
import json
import os
import statistics
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from tqdm import tqdm  # noqa: E402

from model.networks.attention import ExtractorAttn  # noqa: E402
from model.ops import block_extractor, custom_ops, local_attention_apply, local_attn_reshape, resample2d  # noqa: E402
from script.build_ops import EXTENSIONS  # noqa: E402
from tests.ops.attention_reference import extractor_attn_composition  # noqa: E402
from util.cli import run_entry_point  # noqa: E402

SHAPES = [  # (label, B, C, H, W, k)
    ("fashion 32x32", 8, 256, 32, 32, 3),
    ("fashion 64x64", 8, 128, 64, 64, 5),
    ("market 32x16", 8, 128, 32, 16, 3),
    ("reference 64x44", 8, 128, 64, 44, 5),
]
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}
IMPLS = ("torch", "cuda")


def measure(step, iters, warmup):
    """Median milliseconds of ``step()`` (a forward+backward) and the peak bytes it allocates."""
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    baseline = torch.cuda.memory_allocated()
    step()
    torch.cuda.synchronize()
    return statistics.median(times), torch.cuda.max_memory_allocated() - baseline


def leaves(*tensors):
    return [tensor.detach().requires_grad_() for tensor in tensors]


def backward_step(forward, inputs):
    """A step running ``forward(*inputs)`` and its backward, clearing the inputs' gradients."""
    def step():
        for tensor in inputs:
            tensor.grad = None
        out = forward(*inputs)
        out.backward(torch.ones_like(out))
    return step


def cases(b, c, h, w, k, dtype):
    """(op, variant, step factory) for one shape and dtype; the factory takes the impl."""
    device = "cuda"
    features = torch.randn(b, c, h, w, device=device, dtype=dtype)
    target = torch.randn(b, c, h, w, device=device, dtype=dtype)
    flow = (torch.randn(b, 2, h, w, device=device) * 3).to(dtype)
    weights = torch.randn(b, k * k, h, w, device=device, dtype=dtype)
    module = ExtractorAttn(c, k, nn.LeakyReLU(0.1)).to(device, dtype)

    yield "block_extractor", "", lambda impl: backward_step(
        lambda s, f: block_extractor(s, f, k, impl=impl), leaves(features, flow))
    yield "resample2d", "", lambda impl: backward_step(
        lambda s, f: resample2d(s, f, 4, 1, 2.0, impl=impl), leaves(features, flow))
    yield "local_attn_reshape", "(pixel_shuffle)", lambda impl: backward_step(
        lambda a: local_attn_reshape(a, k, impl=impl), leaves(weights))
    yield "local_attention_apply", "", lambda impl: backward_step(
        lambda s, a, f: local_attention_apply(s, a, f, k, impl=impl), leaves(features, weights, flow))
    yield "ExtractorAttn", "", lambda impl: backward_step(module, leaves(features, target, flow))
    yield "ExtractorAttn", "composition", lambda impl: backward_step(
        lambda s, t, f: extractor_attn_composition(module, s, t, f), leaves(features, target, flow))


def run(iters, warmup):
    rows = []
    total = len(SHAPES) * len(DTYPES) * len(IMPLS) * 6
    progress = tqdm(total=total, desc="benchmark", file=sys.stderr)
    for label, b, c, h, w, k in SHAPES:
        for dtype_name, dtype in DTYPES.items():
            for op, variant, make_step in cases(b, c, h, w, k, dtype):
                for impl in IMPLS:
                    # ExtractorAttn has no impl argument: it follows the environment
                    os.environ[custom_ops.IMPL_ENV_VAR] = impl
                    milliseconds, peak = measure(make_step(impl), iters, warmup)
                    rows.append(dict(op=op, variant=variant, shape=f"{label} B={b} C={c} k={k}",
                                     dtype=dtype_name, impl=impl, ms=milliseconds, peak_mb=peak / 2 ** 20))
                    progress.update()
                torch.cuda.empty_cache()
    progress.close()
    return rows


def markdown(rows):
    lines = ["| op | shape | dtype | torch ms | cuda ms | speed-up | torch MB | cuda MB |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    paired = {}
    for row in rows:
        paired.setdefault((row["op"], row["variant"], row["shape"], row["dtype"]), {})[row["impl"]] = row
    for (op, variant, shape, dtype), pair in paired.items():
        twin, cuda = pair["torch"], pair["cuda"]
        lines.append(f"| {op} {variant} | {shape} | {dtype} | {twin['ms']:.3f} | {cuda['ms']:.3f} | "
                     f"{twin['ms'] / cuda['ms']:.1f}x | {twin['peak_mb']:.0f} | {cuda['peak_mb']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="also write the table here and the numbers to its .json")
    parser.add_argument("--iters", type=int, default=30, help="timed iterations per case (median)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations per case first")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("benchmark_ops: no CUDA device: nothing to measure (the benchmark compares the CUDA "
              "extensions with the PyTorch twins on a GPU).")
        return 0
    for extension in EXTENSIONS:
        extension.load()  # build first, so that compilation is not timed and errors show at once
    torch.backends.cudnn.benchmark = True
    rows = run(args.iters, args.warmup)
    table = markdown(rows)
    device = torch.cuda.get_device_name()
    header = (f"{device}, torch {torch.__version__}; median of {args.iters} forward+backward; "
              "MB = peak allocated beyond the inputs. 'torch' = pure-PyTorch twin, 'cuda' = extension; "
              "local_attn_reshape is pixel_shuffle on both.")
    print(f"\n{header}\n\n{table}")
    if args.out is not None:
        args.out.write_text(f"{header}\n\n{table}\n")
        args.out.with_suffix(".json").write_text(json.dumps(dict(device=device, torch=torch.__version__,
                                                                 rows=rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
