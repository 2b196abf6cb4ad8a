"""The CUDA extensions build from an empty cache (a temporary TORCH_EXTENSIONS_DIR) in fresh
processes: ahead of time with script.build_ops, then used just in time without rebuilding."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cuda

REPO = Path(__file__).resolve().parents[2]
USE_OPS = """
import torch
from model.ops.block_extractor import block_extractor
from model.ops.local_attention_apply import local_attention_apply
from model.ops.resample2d import resample2d
source = torch.randn(2, 3, 5, 6, device="cuda", requires_grad=True)
flow = torch.randn(2, 2, 5, 6, device="cuda", requires_grad=True)
weights = torch.randn(2, 9, 5, 6, device="cuda", requires_grad=True)
loss = (block_extractor(source, flow, 3, impl="cuda").sum() + resample2d(source, flow, 4, 1, 2.0, impl="cuda").sum()
        + local_attention_apply(source, weights, flow, 3, impl="cuda").sum())
loss.backward()
torch.cuda.synchronize()
print("ops ran")
"""


def run(args, extensions_dir):
    env = dict(os.environ, TORCH_EXTENSIONS_DIR=str(extensions_dir))
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


def test_build_from_clean_cache_then_load(tmp_path):
    built = run([sys.executable, "-m", "script.build_ops"], tmp_path)
    assert built.returncode == 0, f"build_ops failed:\n{built.stdout}\n{built.stderr[-6000:]}"
    libraries = sorted(path.name for path in tmp_path.glob("*/*.so"))
    assert libraries == ["gfla_block_extractor.so", "gfla_local_attention_apply.so", "gfla_resample2d.so"], \
        built.stdout
    build_dirs = sorted(path.name for path in tmp_path.iterdir())

    used = run([sys.executable, "-c", USE_OPS], tmp_path)
    assert used.returncode == 0, f"using the ops failed:\n{used.stdout}\n{used.stderr[-6000:]}"
    assert "ops ran" in used.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == build_dirs  # loaded, not rebuilt
