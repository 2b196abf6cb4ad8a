"""End to end on synthetic face videos, on the CPU: train.py for one iteration (a 12-frame clip in
two chunks), then test.py on a test video (every frame written, then the video); and exact resume
(two steps = one step, stop, --continue_train, one step)."""
import json
import math
import os
import signal

import numpy as np
import pytest
import torch
from PIL import Image

import test as test_script
import train as train_script
from options.test_options import TestOptions
from options.train_options import TrainOptions
from script.synthetic_face import make_synthetic_face_dataset
from util.video_io import read_video

pytestmark = pytest.mark.slow

LOSS_NAMES = {"app_gen", "correctness_p", "correctness_r", "content_gen", "style_gen", "regularization_p",
              "regularization_r", "ad_gen", "dis_img_gen", "ad_gen_v", "dis_img_gen_v"}
COMMON = ["--model=face", "--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=face", "--gpu_ids=-1",
          "--load_size=64,32", "--nThreads=0", "--display_id=0", "--init_type=normal"]
TEST_FRAMES = 8  # one chunk of 6, then one of 2 padded with the last frame


@pytest.fixture(scope="module")
def face_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic_face")
    make_synthetic_face_dataset(root, num_train_videos=1, num_test_videos=1, frames_per_video=12, frame_size=64)
    for name in sorted(os.listdir(root / "test_data" / "001"))[TEST_FRAMES:]:  # a shorter test video
        os.remove(root / "test_data" / "001" / name)
        os.remove(root / "test_keypoints" / "001" / name.replace(".png", ".txt"))
    return root


def train_args(root, checkpoints, name, *extra):
    return [*COMMON, f"--dataroot={root}", f"--checkpoints_dir={checkpoints}", f"--name={name}", "--batchSize=1",
            "--niter_decay=0", "--print_freq=1", *extra]


def logged(run_dir):
    with open(run_dir / "loss_log.jsonl") as log:
        return [(record["iteration"], record["losses"]) for record in map(json.loads, log) if record]


def test_train_one_clip_then_test_a_video(face_root, tmp_path, offline_vgg):
    checkpoints = tmp_path / "checkpoints"
    opt = TrainOptions().parse(train_args(face_root, checkpoints, "face", "--niter=1", "--n_frames_total=12",
                                          "--max_frames_per_gpu=6", "--display_freq=1"))
    model = train_script.train(opt)
    assert model.iteration == 1
    [(iteration, losses)] = logged(checkpoints / "face")
    assert iteration == 1 and set(losses) == LOSS_NAMES
    assert all(math.isfinite(value) for value in losses.values()), losses
    assert model.P_frame_step.shape == (1, 6, 3, 64, 32)  # the second chunk of the clip
    pictures = set(os.listdir(checkpoints / "face" / "web" / "images"))
    for visual in ("P_reference", "BP_reference", "P_frame_step", "BP_frame_step", "img_gen", "flow_fields3",
                   "masks3"):
        assert f"iter00000001_{visual}.png" in pictures, visual
    with Image.open(checkpoints / "face" / "web" / "images" / "iter00000001_img_gen.png") as strip:
        assert strip.size == (6 * 32 + 5 * 2, 64)  # six frames side by side, 2-pixel gaps

    results = tmp_path / "results"
    test_script.test(TestOptions().parse([*COMMON, f"--dataroot={face_root}", f"--checkpoints_dir={checkpoints}",
                                          "--name=face", f"--results_dir={results}"]))
    stems = [f"{index:05d}" for index in range(TEST_FRAMES)]
    assert sorted(os.listdir(results)) == ["001", "001_edge_vis_.mp4"]
    assert sorted(os.listdir(results / "001")) == sorted(f"{stem}_{kind}.png" for stem in stems
                                                         for kind in ("edge", "vis"))
    with Image.open(results / "001" / "00000_vis.png") as vis, Image.open(results / "001" / "00000_edge.png") as edge:
        assert vis.mode == "RGB" and vis.size == (32, 64)
        assert edge.mode == "L" and edge.size == (32, 64)
        edge = np.asarray(edge)
    assert (edge == 255).mean() > 0.5 and (edge < 128).any()  # dark edges on white
    frames = list(read_video(str(results / "001_edge_vis_.mp4")))
    assert len(frames) == TEST_FRAMES and frames[0].shape == (64, 64, 3)  # [edge | vis]
    assert abs(frames[0][:, :32].astype(float).mean() - edge.mean()) < 8  # the edge map on the left


def test_resumed_run_equals_uninterrupted_run(face_root, tmp_path, offline_vgg):
    """Two steps of 3-frame clips (the random frames of D and D_V drawn every step) against one step,
    a stop (as by Ctrl-C), --continue_train and a second step: the same losses and weights."""
    checkpoints = tmp_path / "checkpoints"
    args = ["--niter=2", "--n_frames_total=3", "--max_frames_per_gpu=3", "--frames_D_V=2", "--display_freq=100"]
    full = train_script.train(TrainOptions().parse(train_args(face_root, checkpoints, "full", *args)))
    stop = train_script.StopRequest()
    stop.signum = signal.SIGINT  # asked to stop from the start: the first step completes and is saved
    first = train_script.train(TrainOptions().parse(train_args(face_root, checkpoints, "split", *args)), stop)
    assert first.iteration == 1
    resumed = train_script.train(TrainOptions().parse(train_args(face_root, checkpoints, "split", *args,
                                                                 "--continue_train")))
    assert resumed.iteration == full.iteration == 2
    assert logged(checkpoints / "split") == logged(checkpoints / "full")
    for name in ("G", "D", "D_V"):
        for (key, value), expected in zip(resumed.networks()[name].state_dict().items(),
                                          full.networks()[name].state_dict().values()):
            assert torch.equal(value, expected), f"{name}.{key}"
