"""script/metrics.py on animation result folders (as the face test writes them): every generated
frame against its test frame (or the ``_gt`` frame beside it), FID against the ground-truth frames."""
import numpy as np
import pytest
import torch

from script import metrics
from script.metrics_lib import reconstruction
from script.metrics_lib.image_files import read_rgb
from script.metrics_lib.layouts import resolve_layout
from util.errors import UserError
from util.image_io import save_image, tensor_to_uint8
from util.video_results import save_frames

VIDEOS = {"000": 3, "001": 2}  # video -> frames


@pytest.fixture
def face_results(tmp_path):
    """results/<video>/<frame>_{vis,edge}.png and results/<video>_edge_vis_.mp4 (a stand-in), and the
    test frames test_data/<video>/<frame>.png; 64x64 (SSIM's 51x51 window); results = truth + noise."""
    generator = torch.Generator().manual_seed(0)
    for video, frames in VIDEOS.items():
        paths = [str(tmp_path / "test_data" / video / f"{index:05d}.png") for index in range(frames)]
        truths = torch.rand(frames, 3, 64, 64, generator=generator) * 2 - 1
        for path, truth in zip(paths, truths):
            save_image(tensor_to_uint8(truth), path)
        noisy = (truths + 0.2 * torch.randn(truths.shape, generator=generator)).clamp(-1, 1)
        save_frames(str(tmp_path / "results" / video), paths, noisy, "vis")
        save_frames(str(tmp_path / "results" / video), paths, torch.zeros(frames, 1, 64, 64), "edge")
        (tmp_path / "results" / f"{video}_edge_vis_.mp4").write_bytes(b"not scored")
    return tmp_path


def _argv(root, *extra):
    return ["--generated_path", str(root / "results"), "--output", str(root / "scores.json"), "--device", "cpu",
            "--num_workers", "0", "--cache_dir", str(root / "cache"), *extra]


def test_every_frame_is_scored_against_its_test_frame(face_results, offline_hub, fewer_fid_features):
    assert resolve_layout("auto", str(face_results / "results")) == "video_frames"
    names = ["fid", "lpips", "ssim", "psnr", "l1"]
    report = metrics.main(_argv(face_results, "--gt_path", str(face_results / "test_data"),
                                "--metrics", ",".join(names)))
    assert report["layout"] == "video_frames" and report["videos"] == VIDEOS
    results = report["results"]
    assert list(results) == names
    assert results["fid"]["count"] == results["fid"]["real_count"] == 5 and np.isfinite(results["fid"]["value"])
    assert results["lpips"]["count"] == 5 and results["lpips"]["value"] > 0
    for name in ("ssim", "psnr", "l1"):
        direct = [getattr(reconstruction, name)(
            read_rgb(face_results / "test_data" / video / f"{index:05d}.png") / 255.0,
            read_rgb(face_results / "results" / video / f"{index:05d}_vis.png") / 255.0)
            for video, frames in VIDEOS.items() for index in range(frames)]
        assert results[name]["value"] == pytest.approx(np.mean(direct), rel=1e-12), name


def test_ground_truth_frames_beside_the_results(face_results):
    """Without --gt_path each frame's ground truth is its <frame>_gt.png (the person animation test's)."""
    for video, frames in VIDEOS.items():
        for index in range(frames):
            truth = read_rgb(face_results / "test_data" / video / f"{index:05d}.png")
            save_image(truth, str(face_results / "results" / video / f"{index:05d}_gt.png"))
    beside = metrics.main(_argv(face_results, "--metrics", "ssim"))
    test_frames = metrics.main(_argv(face_results, "--metrics", "ssim", "--gt_path", str(face_results / "test_data")))
    assert beside["results"]["ssim"] == test_frames["results"]["ssim"]


def test_frames_without_ground_truth_and_other_sizes_are_named(face_results):
    (face_results / "test_data" / "001" / "00001.png").unlink()
    with pytest.raises(UserError, match=r"1 generated frames have no ground truth \(<gt_path>/<video>/<frame>\.png "
                                        r"in .*\): 001/00001_vis\.png$"):
        metrics.main(_argv(face_results, "--gt_path", str(face_results / "test_data"), "--metrics", "ssim"))
    save_image(np.zeros((32, 32, 3), np.uint8), str(face_results / "test_data" / "001" / "00001.png"))
    with pytest.raises(UserError, match=r"00001\.png' is 32x32 \(HxW\), the generated .*00001_vis\.png' 64x64: "
                                        r"ground-truth frames must have the generated size"):
        metrics.main(_argv(face_results, "--gt_path", str(face_results / "test_data"), "--metrics", "ssim"))
    with pytest.raises(UserError, match=r"^--real_path is not used with animation result folders"):
        metrics.main(_argv(face_results, "--gt_path", str(face_results / "test_data"), "--real_path", "x"))
