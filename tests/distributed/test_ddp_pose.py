"""Data-parallel training with torch.distributed on the CPU (gloo): two processes on half a batch
each train the pose model exactly like one process on the whole batch, and train.py under
torchrun writes single-process checkpoints and resumes across process counts."""
import json
import os
import socket
import subprocess
import sys

import pytest
import torch
import torch.multiprocessing as mp

from tests.paths import REPO_ROOT

pytestmark = pytest.mark.slow

MARKET_POSE = ["--model=pose", "--attn_layer=2", "--kernel_size=2=3", "--dataset_mode=market", "--gpu_ids=-1",
               "--display_id=0", "--nThreads=0"]
STEPS, PER_RANK = 3, 2
# Adam moves each weight by about lr per step whatever the gradient's size, so float round-off can
# flip the step of weights whose gradient is ~0; a small lr keeps such flips from changing the
# later gradients noticeably (GFLA's generator weights are small: orthogonal init with gain 0.02).
LR = 1e-6


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def combined_batches():
    """STEPS batches of 2 * PER_RANK random Market-sized samples, the same in every process."""
    generator = torch.Generator().manual_seed(7)
    batches = []
    for _ in range(STEPS):
        size = 2 * PER_RANK
        batches.append({
            "P1": torch.rand(size, 3, 128, 64, generator=generator) * 2 - 1,
            "P2": torch.rand(size, 3, 128, 64, generator=generator) * 2 - 1,
            "BP1": torch.rand(size, 18, 128, 64, generator=generator),
            "BP2": torch.rand(size, 18, 128, 64, generator=generator),
            "P1_path": [f"a{i}.jpg" for i in range(size)], "P2_path": [f"b{i}.jpg" for i in range(size)]})
    return batches


def train_steps(out_file, checkpoints, part=slice(None)):
    """Build the pose model (seeded), train STEPS steps on ``part`` of each batch, save params and grads."""
    from model import find_model_class
    from model.base_model import unwrap
    from options.train_options import TrainOptions
    # One thread in every process: with random VGG weights the correctness loss amplifies float
    # round-off, so even the thread count alone changes a gradient by ~1e-2 (relative).
    torch.set_num_threads(1)
    opt = TrainOptions().parse([*MARKET_POSE, f"--lr={LR}", f"--checkpoints_dir={checkpoints}"], save=False)
    torch.manual_seed(0)
    pose = find_model_class("pose")(opt)
    result = {}
    for step, batch in enumerate(combined_batches()):
        pose.set_input({key: value[part] for key, value in batch.items()})
        pose.optimize_parameters()
        for name in ("G", "D"):
            net = unwrap(getattr(pose, "net_" + name))
            if step == 0:  # gradients at the common initial weights
                result[name + "_grad"] = {k: p.grad.clone() for k, p in net.named_parameters() if p.grad is not None}
            result[name] = {key: value.detach().clone() for key, value in net.state_dict().items()}
    torch.save(result, out_file)


def _rank_worker(rank, port, out_dir, torch_home):
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", LOCAL_WORLD_SIZE="2",
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), TORCH_HOME=torch_home)
    from util import distributed as dist
    dist.init_from_env(backend="gloo")
    train_steps(os.path.join(out_dir, f"rank{rank}.pt"), out_dir, slice(rank * PER_RANK, (rank + 1) * PER_RANK))
    torch.distributed.destroy_process_group()


def test_two_ranks_equal_one_process_on_the_combined_batch(tmp_path, offline_vgg):
    mp.spawn(_rank_worker, args=(free_port(), str(tmp_path), str(offline_vgg)), nprocs=2, join=True)
    threads = torch.get_num_threads()
    try:
        train_steps(tmp_path / "single.pt", tmp_path)
    finally:
        torch.set_num_threads(threads)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in range(2)]
    single = torch.load(tmp_path / "single.pt")
    for name in ("G", "D"):
        for key, value in single[name].items():
            # DDP keeps the replicas identical ...
            torch.testing.assert_close(ranks[1][name][key], ranks[0][name][key], rtol=0, atol=1e-6, msg=key)
            # ... and equal to one process on the whole batch: InstanceNorm is per sample and every
            # loss is a batch mean, so the rank-averaged gradient is the combined batch's gradient.
            # (Adam steps of weights with gradient ~0 may flip, each moving about lr: see LR)
            torch.testing.assert_close(ranks[0][name][key], value, rtol=0, atol=4 * LR * STEPS, msg=key)
        grads = single[name + "_grad"]
        assert grads and set(grads) == set(ranks[0][name + "_grad"])
        # the first step's gradients, averaged over ranks, as one vector (single parameters with a
        # true gradient of ~0, e.g. biases right before an InstanceNorm, hold only round-off; later
        # steps' gradients are compared through the weights: the correctness loss on random VGG
        # features amplifies the tiny weight differences that round-off leaves)
        ddp_vector = torch.cat([ranks[0][name + "_grad"][key].flatten() for key in grads])
        single_vector = torch.cat([grad.flatten() for grad in grads.values()])
        difference = ((ddp_vector - single_vector).norm() / single_vector.norm()).item()
        assert difference < 1e-5, f"{name} gradients differ by {difference:.2e} (relative)"

def run_train(args, root, checkpoints, nproc, torch_home):
    launcher = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}",
                f"--master_port={free_port()}"] if nproc > 1 else [sys.executable]
    command = [*launcher, os.path.join(REPO_ROOT, "train.py"), "--model=pose_flow", "--attn_layer=2",
               "--kernel_size=2=3", "--dataset_mode=market", "--gpu_ids=-1", "--display_id=0", "--nThreads=0",
               f"--dataroot={root}", f"--checkpoints_dir={checkpoints}", "--name=ddp", "--batchSize=2",
               "--print_freq=1", "--save_latest_freq=100", *args]
    environment = dict(os.environ, TORCH_HOME=torch_home, OMP_NUM_THREADS="1")
    result = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_torchrun_checkpoints_and_resume_across_process_counts(tmp_path, random_vgg_home):
    from script.make_synthetic_dataset import make_synthetic_dataset
    root = tmp_path / "market"
    make_synthetic_dataset(root, fmt="market", num_train_figures=2, num_test_figures=1, poses_per_figure=3,
                           pairs_per_figure=4, seed=0)
    checkpoints, home = tmp_path / "checkpoints", str(random_vgg_home)
    run_train(["--niter=2"], root, checkpoints, 1, home)                          # single process
    run_train(["--niter=4", "--continue_train"], root, checkpoints, 2, home)      # -> two processes
    state = torch.load(checkpoints / "ddp" / "latest_train_state.pth", weights_only=True)
    assert state["iteration"] == 4
    weights = torch.load(checkpoints / "ddp" / "latest_net_G.pth", weights_only=True)
    assert weights and not any(key.startswith("module.") for key in weights)  # the single-process layout
    run_train(["--niter=5", "--continue_train"], root, checkpoints, 1, home)      # -> back to one
    assert torch.load(checkpoints / "ddp" / "latest_train_state.pth", weights_only=True)["iteration"] == 5
    with open(checkpoints / "ddp" / "loss_log.jsonl") as log:
        iterations = [json.loads(line)["iteration"] for line in log]
    assert iterations == [1, 2, 3, 4, 5]  # rank 0 alone logs, once per iteration
