"""Build the custom ops' CUDA extensions ahead of time (used by setup.sh).

    python -m script.build_ops

Builds into the same cache as the just-in-time loader (``$TORCH_EXTENSIONS_DIR``, else
PyTorch's default folder) for ``$TORCH_CUDA_ARCH_LIST``, else the GPU in use. Without CUDA it
says so and exits 0: the ops then run their pure-PyTorch implementations. Exits 1 when a build
fails (the ops would fall back to PyTorch with a warning).
"""
import concurrent.futures
import multiprocessing
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from model.ops.block_extractor import EXTENSION as BLOCK_EXTRACTOR  # noqa: E402
from model.ops.local_attention_apply import EXTENSION as LOCAL_ATTENTION_APPLY  # noqa: E402
from model.ops.resample2d import EXTENSION as RESAMPLE2D  # noqa: E402
from util.cli import run_entry_point  # noqa: E402

# local_attn_reshape has no extension: pixel_shuffle is its CUDA path (see its module docstring)
EXTENSIONS = [BLOCK_EXTRACTOR, RESAMPLE2D, LOCAL_ATTENTION_APPLY]


def build(index):
    """Build EXTENSIONS[index] (in a worker process of its own, so builds run in parallel).
    Returns (name, seconds, path of the built module or None, error text or None)."""
    extension = EXTENSIONS[index]
    start = time.perf_counter()
    try:
        path = extension.load().__file__
    except RuntimeError as error:
        return extension.name, time.perf_counter() - start, None, str(error)
    return extension.name, time.perf_counter() - start, path, None


def main():
    if not torch.cuda.is_available() and not os.environ.get("TORCH_CUDA_ARCH_LIST"):
        print("build_ops: no CUDA device (and TORCH_CUDA_ARCH_LIST unset): nothing to build; the "
              "custom ops will use their pure-PyTorch implementations.")
        return 0
    context = multiprocessing.get_context("spawn")  # a CUDA-initialised parent must not fork
    with concurrent.futures.ProcessPoolExecutor(len(EXTENSIONS), mp_context=context) as pool:
        results = list(pool.map(build, range(len(EXTENSIONS))))
    failed = []
    for name, seconds, path, error in results:
        if error is None:
            print(f"build_ops: {name} ready in {seconds:.1f} s: {path}")
        else:
            print(f"build_ops: FAILED {name} after {seconds:.1f} s:\n{error}", file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"build_ops: {len(failed)} extension(s) failed ({', '.join(failed)}); the ops will fall back "
              "to PyTorch with a warning.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
