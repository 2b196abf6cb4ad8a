#!/usr/bin/env bash
# Everything that needs a CUDA GPU, in one go (the CI machine has none):
#   1. ahead-of-time build of the custom CUDA ops;
#   2. every CUDA-marked test (ops against their PyTorch twins, networks, models, training, data, metrics);
#   3. script/benchmark_ops.py, script/benchmark_train.py (eager vs the fast path, with and without
#      --compile, and where the fast step's GPU time goes: --profile),
#      script/benchmark_loader.py (training batches/s of the loader by worker count),
#      script/benchmark_face.py (the face and the dance model) and the same-training check of the
#      fast path (200 steps, loss curves in $OUT/same_training.png);
#   4. a one-GPU torchrun (NCCL) training run of the pose model on a synthetic DeepFashion set;
#   5. view synthesis: shapenetflow then shapenet trained on synthetic cars, tested and scored, with
#      it/s and peak memory per stage (script/gpu_shapenet_check.py, about a minute).
# Logs and tables go to $OUT (default ./gpu_results); a summary is printed last.
#     bash script/run_gpu_checks.sh            # everything
#     bash script/run_gpu_checks.sh shapenet   # only step 5
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-./gpu_results}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
PYTHON=${PYTHON:-python3}
ONLY=${1:-all}
status=()

step() {  # step NAME COMMAND...: run, log to $OUT/NAME.log, remember the exit status
    local name=$1
    shift
    echo "=== $name: $*"
    "$@" 2>&1 | tee "$OUT/$name.log"
    status+=("$name: exit ${PIPESTATUS[0]}")
}

nvidia-smi -L | tee "$OUT/gpu.txt"
"$PYTHON" -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda)" | tee -a "$OUT/gpu.txt"

if [ "$ONLY" = shapenet ]; then
    step shapenet "$PYTHON" -m script.gpu_shapenet_check --out "$OUT/shapenet.md"
    printf '%s\n' "${status[@]}"
    exit
fi

step build_ops "$PYTHON" -m script.build_ops
step cuda_tests "$PYTHON" -m pytest -q -rfE -m cuda -p no:cacheprovider tests
step benchmark_ops "$PYTHON" -m script.benchmark_ops --out "$OUT/benchmark_ops.md"
step benchmark_train "$PYTHON" -m script.benchmark_train --compile --out "$OUT/benchmark_train.md"
step profile_train "$PYTHON" -m script.benchmark_train --profile --variants --datasets fashion --out "$OUT/profile_train.md"
step same_training "$PYTHON" -m script.benchmark_train --same_training --noise_floor --variants --compile --out "$OUT/same_training.md" \
    --csv "$OUT/same_training.csv" --plot "$OUT/same_training.png"
step benchmark_loader "$PYTHON" -m script.benchmark_loader --workers 0,2,4,8 --out "$OUT/benchmark_loader.md"
step benchmark_face "$PYTHON" -m script.benchmark_face --out "$OUT/benchmark_face.md"
step benchmark_dance "$PYTHON" -m script.benchmark_face --model dance --out "$OUT/benchmark_dance.md"

# one-GPU torchrun run: NCCL process group, DDP-wrapped networks, rank-0 checkpoints
work=$(mktemp -d)
"$PYTHON" -c "from script.random_weights import write_random_vgg19; write_random_vgg19('$work/torch_home')"
"$PYTHON" -m script.make_synthetic_dataset --root "$work/fashion" --format fashion > /dev/null
step torchrun_nccl env TORCH_HOME="$work/torch_home" "$PYTHON" -m torch.distributed.run --nproc_per_node=1 \
    train.py --name=nccl --model=pose --attn_layer=2,3 --kernel_size=2=5,3=3 --dataset_mode=fashion \
    --dataroot="$work/fashion" --checkpoints_dir="$work/checkpoints" --gpu_ids=0 --batchSize=8 --niter=20 \
    --print_freq=10 --display_freq=10 --save_latest_freq=20 --display_id=0 --nThreads=4
ls "$work/checkpoints/nccl" | tee -a "$OUT/torchrun_nccl.log"
step shapenet "$PYTHON" -m script.gpu_shapenet_check --out "$OUT/shapenet.md"

echo
echo "=== summary"
printf '%s\n' "${status[@]}"
grep -E "passed|failed" "$OUT/cuda_tests.log" | tail -1
cat "$OUT/benchmark_ops.md" "$OUT/benchmark_train.md" "$OUT/profile_train.md" "$OUT/same_training.md" \
    "$OUT/benchmark_loader.md" "$OUT/benchmark_face.md" \
    "$OUT/benchmark_dance.md" "$OUT/shapenet.md" 2>/dev/null
