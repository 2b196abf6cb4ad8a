"""script/metrics.py on view synthesis folders (as util.view_results writes them), offline, random-weight LPIPS."""
import json

import numpy as np
import pytest
import torch

import data
from data.shapenet_dataset import split_view_id
from script import metrics
from script.metrics_lib import reconstruction, view_synthesis
from script.metrics_lib.image_files import read_rgb, to_chw_tensor
from script.metrics_lib.layouts import resolve_layout
from script.metrics_lib.lpips_metric import build_lpips, lpips_distances
from script.synthetic_shapenet import make_synthetic_shapenet
from tests.data.conftest import build_opt
from util.errors import UserError
from util.view_results import save_view_synthesis

SOURCES = {"car0001": 5, "car0002": 0}  # the target index each object's source view is


@pytest.fixture
def results_dir(tmp_path):
    """Two objects, 18 targets of 64x64 (SSIM's 51x51 window needs >= 51 px); results = truths + noise
    growing with the target index; car0002's source.png differs slightly from its ground truth."""
    generator = torch.Generator().manual_seed(0)
    for name, source in SOURCES.items():
        truths = torch.rand(18, 3, 64, 64, generator=generator) * 2 - 1
        noise = torch.randn(18, 3, 64, 64, generator=generator) * torch.linspace(0.02, 0.5, 18).view(18, 1, 1, 1)
        source_view = truths[source] + (0.05 if name == "car0002" else 0.0)
        save_view_synthesis(str(tmp_path / "results"), name, source_view, (truths + noise).clamp(-1, 1), truths)
    return tmp_path / "results"


def _argv(folder, tmp_path, *extra):
    return ["--generated_path", str(folder), "--output", str(tmp_path / "scores.json"), "--device", "cpu",
            "--num_workers", "0", *extra]


def read_pair(folder, name, j):
    return tuple(read_rgb(folder / name / f"{kind}_{j:04d}.png") for kind in ("result", "gt"))


def test_scores_per_view_object_and_azimuth_difference(results_dir, tmp_path, capsys):
    assert resolve_layout("auto", str(results_dir)) == "view_synthesis"
    assert resolve_layout("auto", str(tmp_path)) == "pairs"
    names = ["ssim", "ssim_256", "psnr", "l1", "mae"]
    report = metrics.main(_argv(results_dir, tmp_path, "--batch_size", "7", "--metrics", ",".join(names)))
    with open(tmp_path / "scores.json") as handle:
        assert json.load(handle) == report
    assert report["layout"] == "view_synthesis" and report["name"] == "results" and list(report["results"]) == names

    direct = {}  # (object, target) -> scores straight from the library's functions
    for obj in SOURCES:
        for j in range(18):
            result, truth = read_pair(results_dir, obj, j)
            direct[obj, j] = {name: getattr(reconstruction, name)(truth / 255.0, result / 255.0) for name in names}
    assert len(report["per_view"]) == 36
    for row in report["per_view"]:
        source = SOURCES[row["object"]]
        assert row["target_azimuth"] == 20 * row["target"]
        assert row["azimuth_difference"] == (row["target"] - source) * 20 % 360
        assert row["result"].endswith(f"{row['object']}/result_{row['target']:04d}.png")
        for name in names:
            assert row[name] == pytest.approx(direct[row["object"], row["target"]][name], rel=1e-12), name

    objects = report["per_object"]
    assert objects["car0001"]["source_azimuth"] == 100 and objects["car0001"]["source_exact"]
    assert objects["car0002"]["source_azimuth"] == 0 and not objects["car0002"]["source_exact"]
    for name in names:
        values = np.array([direct[key][name] for key in sorted(direct)])
        assert report["results"][name]["value"] == pytest.approx(values.mean(), rel=1e-12)
        assert report["results"][name]["variance"] == pytest.approx(values.var(), rel=1e-9)
        assert report["results"][name]["count"] == 36
        for obj in SOURCES:
            assert report["per_object"][obj][name] == pytest.approx(
                np.mean([direct[obj, j][name] for j in range(18)]), rel=1e-12)
        for difference in range(0, 360, 20):
            chosen = [direct[obj, (difference // 20 + source) % 18][name] for obj, source in SOURCES.items()]
            row = report["per_azimuth_difference"][str(difference)]
            assert row["count"] == 2 and row[name] == pytest.approx(np.mean(chosen), rel=1e-12)
    # the noise grows with the target index: car0001's view at difference 0 (target 5) beats its last one
    assert report["per_azimuth_difference"]["0"]["l1"] < report["per_azimuth_difference"]["260"]["l1"]

    printed = capsys.readouterr().out
    assert "results (view synthesis, 2 objects)" in printed and "per azimuth difference" in printed
    assert "source azimuth guessed (no ground truth identical to source.png) for: car0002" in printed


@pytest.mark.slow
def test_default_metrics_include_lpips(offline_hub, results_dir, tmp_path, monkeypatch):
    built = {}

    def build_and_keep(weights=None):
        built["model"], identity = build_lpips(weights)
        return built["model"], identity

    monkeypatch.setattr(view_synthesis, "build_lpips", build_and_keep)
    report = metrics.main(_argv(results_dir, tmp_path, "--layout", "view_synthesis"))
    assert list(report["results"]) == ["lpips", "ssim", "ssim_256", "psnr", "l1", "mae"]
    assert report["networks"]["lpips"]["alexnet_weights_file"].startswith(str(offline_hub))
    for row in report["per_view"][::5]:
        result, truth = read_pair(results_dir, row["object"], row["target"])
        with torch.no_grad():
            expected = lpips_distances(built["model"], to_chw_tensor(result)[None], to_chw_tensor(truth)[None])
        assert row["lpips"] == pytest.approx(expected.item(), rel=1e-4)  # float32, batched vs one image
    assert report["results"]["lpips"]["value"] == pytest.approx(np.mean([r["lpips"] for r in report["per_view"]]))


def test_layout_flag_and_metric_choice(results_dir, tmp_path):
    report = metrics.main(_argv(results_dir, tmp_path, "--layout", "view_synthesis", "--metrics", "l1,psnr"))
    assert list(report["results"]) == ["psnr", "l1"] and report["networks"] == {}
    assert set(report["per_view"][0]) == {"object", "target", "target_azimuth", "azimuth_difference", "result", "gt",
                                          "psnr", "l1"}


@pytest.mark.parametrize("extra, message", [
    (["--metrics", "fid,l1"], r"--metrics: fid cannot score view synthesis folders"),
    (["--calculate_mask"], r"--metrics: mask_lpips, mask_ssim cannot score view synthesis folders"),
    (["--gt_path", "gt"], r"--gt_path is not used with view synthesis folders"),
    (["--drop_last_batch"], r"--drop_last_batch is not used with view synthesis folders"),
])
def test_bad_options(results_dir, tmp_path, extra, message):
    with pytest.raises(UserError, match=message):
        metrics.main(_argv(results_dir, tmp_path, *extra))


def test_incomplete_folders_are_listed(results_dir, tmp_path):
    (results_dir / "car0001" / "result_0003.png").unlink()
    (results_dir / "car0002" / "source.png").unlink()
    (results_dir / "empty").mkdir()
    with pytest.raises(UserError, match=r"3 object folders are incomplete \(expected source.png, result_XXXX.png and "
                                        r"gt_XXXX.png for XXXX = 0000 ... N-1\): car0001/ \(missing result_0003.png\); "
                                        r"car0002/source.png \(missing\); empty/ \(no result_XXXX.png") as caught:
        metrics.main(_argv(results_dir, tmp_path))
    assert "\n" not in str(caught.value)
    (tmp_path / "no_objects").mkdir()
    with pytest.raises(UserError, match="no object folders with result_XXXX.png files"):
        metrics.main(_argv(tmp_path / "no_objects", tmp_path, "--layout", "view_synthesis"))


@pytest.mark.slow
def test_synthetic_test_set_through_the_writer_to_the_scores(tmp_path):
    """The pieces test.py chains: the ShapeNet test items, the result writer, the scorer; a 'copy the
    source' baseline is perfect at azimuth difference 0 only."""
    make_synthetic_shapenet(tmp_path / "data", "car", num_train_objects=1, num_test_objects=2, image_size=32)
    dataset = data.create_dataset(build_opt("shapenet", tmp_path / "data", is_train=False, load_size=(32, 32)))
    for batch in torch.utils.data.DataLoader(dataset, batch_size=2):
        for i, source_id in enumerate(batch["P1_path"]):
            truths = torch.stack([view[i] for view in batch["P2"]])
            save_view_synthesis(str(tmp_path / "results"), split_view_id(source_id)[0], batch["P1"][i],
                                batch["P1"][i].expand_as(truths), truths)
    report = metrics.main(_argv(tmp_path / "results", tmp_path, "--metrics", "l1,psnr"))
    assert {name: row["source_azimuth"] for name, row in report["per_object"].items()} == {"car0002": 0, "car0003": 20}
    assert all(row["source_exact"] for row in report["per_object"].values())
    assert report["per_azimuth_difference"]["0"]["l1"] == 0 and report["per_azimuth_difference"]["0"]["psnr"] == np.inf
    assert min(row["l1"] for key, row in report["per_azimuth_difference"].items() if key != "0") > 0.01
    assert report["results"]["l1"]["count"] == 36
