"""script/metrics.py end to end on real Market samples, offline, with random-weight networks."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

import script.metrics_lib.evaluate as evaluate_module
from data.annotations import read_annotations, write_pairs
from script import metrics
from script.metrics_lib.body_mask import body_mask
from script.metrics_lib.image_files import read_rgb, to_chw_tensor
from script.metrics_lib.lpips_metric import build_lpips, lpips_distances
from script.metrics_lib.matching import match_pairs
from tests.paths import REPO_ROOT
from util.cli import run_entry_point
from util.errors import UnreadableFileError, UserError

from .helpers import MARKET_ANNOTATIONS

# A few images in 64 dimensions: singular covariances, which scipy's sqrtm warns about.
pytestmark = pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")


def _argv(market, *extra):
    return ["--gt_path", str(market["gt"]), "--distorated_path", str(market["gen"]),
            "--fid_real_path", str(market["real"]), "--cache_dir", str(market["cache"]),
            "--output", str(market["root"] / "scores.json"), "--device", "cpu", "--num_workers", "0",
            *extra]


def _direct_pair_scores(market):
    """Per-pair scores computed straight from scikit-image, in sorted generated-name order."""
    keypoints = read_annotations(MARKET_ANNOTATIONS)
    scores = {name: [] for name in ("ssim", "ssim_256", "mask_ssim", "psnr", "l1", "mae")}
    for pair in match_pairs(str(market["gen"]), str(market["gt"])):
        gt, generated = read_rgb(pair.target) / 255.0, read_rgb(pair.generated) / 255.0
        mask = body_mask(keypoints[pair.target_name], gt.shape[:2])[..., None]
        scores["ssim"].append(structural_similarity(gt, generated, data_range=1, win_size=51, channel_axis=-1))
        for name, (a, b) in (("ssim_256", (gt, generated)), ("mask_ssim", (gt * mask, generated * mask))):
            scores[name].append(structural_similarity(
                a * 255, b * 255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                channel_axis=-1, data_range=255 * (b.max() - b.min())))
        scores["psnr"].append(peak_signal_noise_ratio(gt, generated, data_range=1))
        scores["l1"].append(np.abs(gt - generated).mean())
        scores["mae"].append(np.abs(gt - generated).sum() / (gt + generated).sum())
    return {name: np.array(values) for name, values in scores.items()}


def _direct_lpips(market, count):
    model, _ = build_lpips()
    pairs = match_pairs(str(market["gen"]), str(market["gt"]))[:count]
    load = lambda paths: torch.stack([to_chw_tensor(read_rgb(path)) for path in paths])  # noqa: E731
    with torch.no_grad():
        return lpips_distances(model, load([p.generated for p in pairs]), load([p.target for p in pairs]))


def test_every_metric_with_the_original_flags(offline_hub, fewer_fid_features, market, capsys):
    report = metrics.main(_argv(market, "--name", "market_run", "--calculate_mask",
                                "--annotation_path", MARKET_ANNOTATIONS))
    with open(market["root"] / "scores.json") as handle:
        assert json.load(handle) == report
    results = report["results"]
    assert list(results) == ["fid", "lpips", "mask_lpips", "ssim", "ssim_256", "mask_ssim", "psnr", "l1", "mae"]
    assert all(result["count"] == 3 for result in results.values())

    for name, values in _direct_pair_scores(market).items():
        assert results[name]["value"] == pytest.approx(values.mean(), rel=1e-9), name
        assert results[name]["variance"] == pytest.approx(values.var(), rel=1e-6), name
    assert results["lpips"]["value"] == pytest.approx(_direct_lpips(market, 3).mean().item(), rel=1e-6)
    assert 0 < results["mask_lpips"]["value"] != results["lpips"]["value"]
    assert np.isfinite(results["fid"]["value"]) and results["fid"]["value"] > 0
    assert results["fid"]["real_count"] == 5 and not results["fid"]["real_statistics_reused"]

    assert report["name"] == "market_run" and report["settings"]["protocol"] == "gfla"
    assert report["networks"]["inception"]["weights_file"].startswith(str(offline_hub))
    assert report["networks"]["lpips"]["alexnet_weights_file"].startswith(str(offline_hub))
    table = capsys.readouterr().out
    assert "market_run (gfla FID protocol)" in table and "mask_ssim" in table


def test_standard_protocol_with_the_clear_aliases(offline_hub, fewer_fid_features, market):
    report = metrics.main(["--generated_path", str(market["gen"]), "--real_path", str(market["real"]),
                           "--protocol", "standard", "--metrics", "fid", "--cache_dir", str(market["cache"]),
                           "--output", str(market["root"] / "standard.json"), "--device", "cpu",
                           "--num_workers", "0"])
    fid = report["results"]["fid"]
    assert list(report["results"]) == ["fid"] and fid["value"] > 0 and fid["count"] == 3
    assert os.path.basename(fid["real_statistics_file"]).startswith("fid-real-standard-")
    assert report["networks"]["inception"]["weights_file"].endswith("pt_inception-2015-12-05-6726825d.pth")


def test_drop_last_batch_scores_whole_batches_only(offline_hub, market, monkeypatch):
    seen = []

    def record_files(paths, network, device, batch_size, num_workers, desc):
        seen.append([os.path.basename(path) for path in paths])
        return np.zeros(2), np.eye(2)

    monkeypatch.setattr(evaluate_module, "feature_statistics", record_files)
    report = metrics.main(_argv(market, "--metrics", "fid,lpips,ssim", "--batch_size", "2", "--drop_last_batch"))
    results = report["results"]
    assert results["fid"]["count"] == 2 and results["fid"]["real_count"] == 4
    assert seen == [sorted(os.listdir(market["real"]))[:4], sorted(os.listdir(market["gen"]))[:2]]
    assert results["lpips"]["count"] == 2 and results["ssim"]["count"] == 3  # SSIM never dropped any
    assert results["lpips"]["value"] == pytest.approx(_direct_lpips(market, 2).mean().item(), rel=1e-6)

    with pytest.raises(ValueError, match="--drop_last_batch with 3 images and batch size 8 leaves no image"):
        metrics.main(_argv(market, "--metrics", "lpips", "--batch_size", "8", "--drop_last_batch"))


def test_runs_as_a_script_file(market, tmp_path):
    output = tmp_path / "out.json"
    environment = {**os.environ, "TORCH_HOME": str(tmp_path / "no_weights_needed")}
    completed = subprocess.run(
        [sys.executable, "script/metrics.py", "--gt_path", str(market["gt"]), "--distorated_path",
         str(market["gen"]), "--metrics", "ssim,psnr", "--output", str(output), "--num_workers", "0"],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    with open(output) as handle:
        assert list(json.load(handle)["results"]) == ["ssim", "psnr"]
    assert "psnr" in completed.stdout


def test_unmatched_generated_images_are_refused(market):
    Image.new("RGB", (64, 128)).save(market["gen"] / "x_2_not_a_target_vis.jpg")
    with pytest.raises(ValueError, match=r"1 of the 4 images .*: x_2_not_a_target_vis.jpg \(no not_a_target"):
        metrics.main(_argv(market, "--metrics", "ssim"))


@pytest.mark.parametrize("metric, workers", [("psnr", "0"), ("psnr", "1"), ("fid", "0")])
def test_a_truncated_generated_image_is_named(offline_hub, fewer_fid_features, market, monkeypatch, capsys,
                                              metric, workers):
    broken = sorted(market["gen"].iterdir())[1]
    broken.write_bytes(broken.read_bytes()[:300])
    argv = _argv(market, "--metrics", metric, "--num_workers", workers)
    with pytest.raises(UnreadableFileError, match=f"cannot read image '{broken}': "):
        metrics.main(argv)
    monkeypatch.setattr(sys, "argv", ["metrics.py"])  # as the script reports it
    with pytest.raises(SystemExit):
        run_entry_point(metrics.main, argv)
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"metrics.py: error: cannot read image '{broken}': ")
    assert error.endswith("write it again (test.py makes the generated images) or remove it")


def _write_pairs_of(market, extra_pairs=()):
    """market-pairs-test.csv naming the generated pairs of ``market`` (and ``extra_pairs``)."""
    pairs = [name[:-len("_vis.jpg")].split("_2_") for name in sorted(os.listdir(market["gen"]))]
    pairs = [(f"{source}.jpg", f"{target}.jpg") for source, target in pairs] + list(extra_pairs)
    path = market["root"] / "market-pairs-test.csv"
    write_pairs(path, pairs)
    return path


def test_a_pair_without_a_generated_image_fails_with_count_and_names(market):
    pairs_csv = _write_pairs_of(market, [("a.jpg", "b.jpg"), ("c.jpg", "d.jpg")])
    with pytest.raises(UserError) as info:
        metrics.main(_argv(market, "--metrics", "ssim", "--pairs_path", str(pairs_csv)))
    assert str(info.value) == (
        f"2 of the 5 pairs of {pairs_csv} have no generated image in --generated_path '{market['gen']}': "
        "a_2_b_vis.jpg, c_2_d_vis.jpg; generate them with test.py, or pass --allow_missing to score the others")


def test_allow_missing_scores_the_others_and_warns(market, capsys):
    pairs_csv = _write_pairs_of(market, [("a.jpg", "b.jpg")])
    report = metrics.main(_argv(market, "--metrics", "ssim", "--pairs_path", str(pairs_csv), "--allow_missing"))
    assert report["results"]["ssim"]["count"] == 3 and report["paths"]["pairs_path"] == str(pairs_csv)
    assert (f"metrics: warning: 1 of the 4 pairs of {pairs_csv} have no generated image in --generated_path "
            f"'{market['gen']}': a_2_b_vis.jpg; scoring the other 3 (--allow_missing)") in capsys.readouterr().out


def test_the_pairs_csv_beside_the_ground_truth_folder_is_found(market):
    gt = market["root"] / "test_12864"
    market["gt"].rename(gt)
    pairs_csv = _write_pairs_of(market, [("a.jpg", "b.jpg")])
    argv = _argv(market, "--metrics", "ssim")
    argv[argv.index("--gt_path") + 1] = str(gt)
    with pytest.raises(UserError, match="^1 of the 4 pairs of .*market-pairs-test.csv have no generated image"):
        metrics.main(argv)
    pairs_csv.unlink()
    _write_pairs_of(market)
    assert metrics.main(argv)["paths"]["pairs_path"] == str(pairs_csv)


def test_size_mismatch_names_both_files(market):
    target = sorted(market["gt"].iterdir())[1]  # the 2nd generated image's target: sorted alike
    with Image.open(target) as image:
        image.resize((32, 64)).save(target)
    with pytest.raises(ValueError, match=rf"_vis.jpg' is 128x64 \(HxW\), expected 64x32 like '.*{target.name}'"):
        metrics.main(_argv(market, "--metrics", "psnr"))


def test_ssim_on_images_below_its_window_names_the_pair(tmp_path):
    for folder, name in (("gen", "a_2_b_vis.png"), ("gt", "b.png")):
        (tmp_path / folder).mkdir()
        Image.new("RGB", (40, 40)).save(tmp_path / folder / name)
    with pytest.raises(ValueError, match=r"ssim of '.*a_2_b_vis.png' vs '.*b.png': win_size exceeds"):
        metrics.main(["--generated_path", str(tmp_path / "gen"), "--gt_path", str(tmp_path / "gt"),
                      "--metrics", "ssim", "--output", str(tmp_path / "o.json"), "--num_workers", "0"])


@pytest.mark.parametrize("argv, message", [
    (["--metrics", "lpips"], "--gt_path is required to compute lpips"),
    (["--metrics", "fid"], r"--real_path \(--fid_real_path\) is required to compute fid"),
    (["--gt_path", "g", "--metrics", "mask_ssim"], "--annotation_path is required to compute the masked"),
    (["--metrics", "ssim,swd"], "--metrics: unknown swd"),
])
def test_missing_inputs_are_named(tmp_path, argv, message):
    with pytest.raises(ValueError, match=message):
        metrics.main(["--generated_path", str(tmp_path), *argv])


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without CUDA")
def test_cuda_without_a_gpu_is_refused(market):
    with pytest.raises(ValueError, match="--device 'cuda' asks for a GPU, but CUDA is not available"):
        metrics.main(_argv(market, "--metrics", "ssim", "--device", "cuda"))


@pytest.mark.cuda
def test_gpu_scores_equal_cpu_scores(offline_hub, market):
    """The full path (2048-d features, scipy's sqrtm) on both devices, TF32 off on the GPU."""
    def scores(device):
        argv = _argv(market, "--calculate_mask", "--annotation_path", MARKET_ANNOTATIONS, "--device", device,
                     "--cache_dir", str(market["root"] / f"cache_{device}"))
        return {name: result["value"] for name, result in metrics.main(argv)["results"].items()}

    cpu, gpu = scores("cpu"), scores("cuda")
    for name in cpu:
        assert gpu[name] == pytest.approx(cpu[name], rel=1e-4, abs=1e-5), f"{name}: GPU {gpu[name]}, CPU {cpu[name]}"
