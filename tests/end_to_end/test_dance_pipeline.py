"""End to end on synthetic iPER videos, on the CPU: train.py for one iteration (a 5-frame clip, its
foreground masks in the correctness losses), then test.py on the test videos of the test list
(every frame's results, the reference, the video) and the cross-identity test; bad skeleton files
through train.py are one line naming the file."""
import json
import math
import os
import re
import shutil

import numpy as np
import pytest
from PIL import Image

import test as test_script
import train as train_script
from options.test_options import TestOptions
from options.train_options import TrainOptions
from script.synthetic_dance import make_synthetic_dance_dataset
from tests.end_to_end.test_entry_errors import run_in_process
from util.video_io import read_video

pytestmark = pytest.mark.slow

LOSS_NAMES = {"app_gen", "correctness_p", "correctness_r", "content_gen", "style_gen", "regularization_p",
              "regularization_r", "ad_gen", "dis_img_gen", "ad_gen_v", "dis_img_gen_v"}
HEIGHT, WIDTH = 64, 32  # the smallest the flow estimator takes; the synthetic frames are 64x64
COMMON = ["--model=dance", "--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=dance", "--sub_dataset=iper",
          "--gpu_ids=-1", f"--load_size={HEIGHT},{WIDTH}", "--nThreads=0", "--display_id=0", "--init_type=normal"]
TRAIN = ["--batchSize=1", "--niter=1", "--niter_decay=0", "--n_frames_total=5", "--max_frames_per_gpu=5",
         "--frames_D_V=5", "--print_freq=1", "--display_freq=1"]
FRAMES = 8  # per video; tested in a chunk of 6, then one of 2 padded with the last frame
KINDS = ("vis", "gt", "skeleton_in", "skeleton_out")


@pytest.fixture(scope="module")
def iper_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic_iper")
    make_synthetic_dance_dataset(root, "iper", num_train_videos=1, num_test_videos=2, frames_per_video=FRAMES,
                                 frame_size=HEIGHT)
    return root


def test_train_one_clip_then_test_the_videos(iper_root, tmp_path, offline_vgg, capsys):
    checkpoints = tmp_path / "checkpoints"
    model = train_script.train(TrainOptions().parse([*COMMON, *TRAIN, f"--dataroot={iper_root}",
                                                     f"--checkpoints_dir={checkpoints}", "--name=dance"]))
    assert model.iteration == 1 and model.opt.use_mask and model.opt.lambda_correct == 2.0
    assert "the correctness weight is 2.0, overriding --lambda_correct=5.0" in capsys.readouterr().out
    assert model.mask_frame_step.shape == (1, 5, 1, HEIGHT, WIDTH) and model.mask_frame_step.sum() > 0
    with open(checkpoints / "dance" / "loss_log.jsonl") as log:
        [record] = [json.loads(line) for line in log if line.strip()]
    assert record["iteration"] == 1 and set(record["losses"]) == LOSS_NAMES
    assert all(math.isfinite(value) for value in record["losses"].values()), record
    pictures = set(os.listdir(checkpoints / "dance" / "web" / "images"))
    for visual in ("P_reference", "BP_reference", "P_frame_step", "BP_frame_step", "img_gen", "flow_fields3",
                   "masks3"):
        assert f"iter00000001_{visual}.png" in pictures, visual

    results = tmp_path / "results"
    test_script.test(TestOptions().parse([*COMMON, f"--dataroot={iper_root}", f"--checkpoints_dir={checkpoints}",
                                          "--name=dance", f"--results_dir={results}"]))
    videos = ["001", "002"]
    assert sorted(os.listdir(results)) == sorted(videos + [f"{video}_gt_vis_skeleton_in_skeleton_out_.mp4"
                                                           for video in videos])
    stems = [f"{index:05d}" for index in range(FRAMES)]
    assert sorted(os.listdir(results / "001")) == sorted(["00000_ref.png"] + [f"{stem}_{kind}.png" for stem in stems
                                                                             for kind in KINDS])
    for kind in (*KINDS, "ref"):
        with Image.open(results / "001" / f"00000_{kind}.png") as picture:
            assert picture.mode == "RGB" and picture.size == (WIDTH, HEIGHT), kind
    with Image.open(results / "001" / "00003_gt.png") as gt, \
            Image.open(iper_root / "test_256" / "train_A" / "001" / "00003.png") as frame:
        frame = frame.convert("RGB").resize((WIDTH, HEIGHT), Image.BICUBIC)
        difference = np.abs(np.asarray(gt, dtype=int) - np.asarray(frame, dtype=int))
    assert difference.max() <= 1  # the test frame at the loaded size, through [-1, 1] and back
    frames = list(read_video(str(results / "001_gt_vis_skeleton_in_skeleton_out_.mp4")))
    assert len(frames) == FRAMES and frames[0].shape == (HEIGHT, 4 * WIDTH, 3)  # [gt | vis | skeleton in | out]

    cross = tmp_path / "cross"
    test_script.test(TestOptions().parse([*COMMON, f"--dataroot={iper_root}", f"--checkpoints_dir={checkpoints}",
                                          "--name=dance", f"--results_dir={cross}", "--test_list=none",
                                          "--cross_eval", "--max_dataset_size=1"]))
    assert sorted(os.listdir(cross)) == ["001_with_002", "001_with_002_gt_vis_skeleton_in_skeleton_out_.mp4"]


def rewrite_skeletons(folder, joints):
    """Rewrite every skeleton file in ``folder`` with ``joints`` joints."""
    for path in folder.iterdir():
        path.write_text(json.dumps({"people": [{"pose_keypoints_2d": [10.0, 20.0, 1.0] * joints}]}))


def test_bad_skeleton_files_are_one_line(iper_root, tmp_path, offline_vgg, monkeypatch, capsys):
    root = tmp_path / "iper"
    shutil.copytree(iper_root, root)
    args = [*COMMON, *TRAIN, f"--dataroot={root}", f"--checkpoints_dir={tmp_path / 'checkpoints'}", "--name=bad"]
    clean = root / "train_256" / "train_video2d" / "000"
    rewrite_skeletons(clean, joints=18)  # OpenPose-18 where Human3.6M-17 belongs
    status, stderr = run_in_process("train.py", *args, monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1 and not any("Traceback" in line for line in stderr)  # above it: the progress bar
    assert re.fullmatch(rf"train\.py: error: {re.escape(str(clean))}/000\d\d\.json: 54 values in pose_keypoints_2d "
                        rf"\(18 joints\); expected 51 \(x, y, score of the 17 joints of the Human3\.6M-17 skeleton\)",
                        stderr[-1]), stderr[-1]

    os.remove(clean / "00004.json")
    status, stderr = run_in_process("train.py", *args, monkeypatch=monkeypatch, capsys=capsys)
    assert status == 1 and len(stderr) == 1
    assert stderr[0].startswith(f"train.py: error: {root / 'train_256' / 'train_A' / '000'}: {FRAMES} files, but "
                                f"{clean} has {FRAMES - 1}; each frame needs one of each")
