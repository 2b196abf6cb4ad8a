"""The quick start's parts on their own: weights lookup, the loss plot, the page's notes and table."""
import os

import numpy as np
import pytest
from PIL import Image

from script.quickstart import verdict
from script.quickstart_lib.loss_plot import COLUMNS, PANEL_SIZE, loss_series, plot_losses, running_mean
from script.quickstart_lib.results_page import PageContent, PairRow, write_results_page
from script.quickstart_lib.scoring import write_copy_source_baseline, write_mean_image_baseline
from script.quickstart_lib.weights import VGG19_URL, find_weights
from tests.offline import go_offline


def test_weights_come_from_the_hub_cache_or_are_missing_with_a_note_offline(tmp_path, monkeypatch):
    go_offline(monkeypatch, tmp_path)
    missing = find_weights("VGG19", VGG19_URL, offline=True)
    assert missing.path is None
    assert missing.note == f"vgg19-dcbb9e9d.pth is not in {tmp_path / 'hub' / 'checkpoints'} (--offline)"
    cached = tmp_path / "hub" / "checkpoints" / "vgg19-dcbb9e9d.pth"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"only its presence matters here")
    assert find_weights("VGG19", VGG19_URL, offline=True).path == str(cached)


def test_a_failed_download_is_a_note_not_an_error(tmp_path, monkeypatch):
    go_offline(monkeypatch, tmp_path)  # any download attempt raises

    found = find_weights("VGG19", VGG19_URL, offline=False)
    assert found.path is None
    assert found.note.startswith("vgg19-dcbb9e9d.pth is not in ") and "downloading it from https://" in found.note


def test_loss_plot_draws_one_panel_per_loss_and_skips_non_finite_values(tmp_path):
    records = [(1, {"correctness": 2.0, "regularization": 0.1}), (2, {"correctness": 1.5, "regularization": 0.1}),
               (3, {"app_gen": 1.0, "regularization": float("nan")}), (4, {"app_gen": 0.5, "ad_gen": 3.0})]
    assert loss_series(records)["regularization"] == [(1, 0.1), (2, 0.1)]
    path = tmp_path / "losses.png"
    plot_losses(records, path, stage_start=3)
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape == (PANEL_SIZE[1] * 2, PANEL_SIZE[0] * COLUMNS, 3)  # 4 losses: 2 rows of 3
    assert (image != 255).any(axis=2).mean() > 0.01  # something was drawn
    with pytest.raises(ValueError, match="no finite loss"):
        plot_losses([(1, {"l1": float("inf")})], tmp_path / "none.png")


def test_running_mean_averages_each_value_with_its_neighbours():
    assert running_mean([1.0, 2.0, 6.0, 3.0], 3) == [1.5, 3.0, 11 / 3, 4.5]
    assert running_mean([1.0, 2.0], 1) == [1.0, 2.0]


def test_copy_source_baseline_names_each_copy_as_test_py_names_its_images(tmp_path):
    sources = tmp_path / "test"
    sources.mkdir()
    for name, colour in (("a.jpg", "red"), ("b.jpg", "blue")):
        Image.new("RGB", (4, 8), colour).save(sources / name)
    write_copy_source_baseline([("a.jpg", "b.jpg"), ("b.jpg", "a.jpg")], sources, tmp_path / "baseline")
    assert sorted(os.listdir(tmp_path / "baseline")) == ["a_2_b_vis.jpg", "b_2_a_vis.jpg"]
    assert (tmp_path / "baseline" / "a_2_b_vis.jpg").read_bytes() == (sources / "a.jpg").read_bytes()


def test_mean_image_baseline_is_the_pixel_mean_of_the_training_images(tmp_path):
    train = tmp_path / "train"
    train.mkdir()
    for name, value in (("a.png", 10), ("b.png", 21), ("c.png", 200)):
        Image.new("RGB", (4, 8), (value, 0, 255)).save(train / name)
    write_mean_image_baseline([("x.jpg", "y.jpg")], train, tmp_path / "baseline")
    assert os.listdir(tmp_path / "baseline") == ["x_2_y_vis.png"]
    mean = np.asarray(Image.open(tmp_path / "baseline" / "x_2_y_vis.png"))
    assert mean.shape == (8, 4, 3) and (mean == [77, 0, 255]).all()  # round(231 / 3) = 77


def test_page_shows_warnings_loudly_and_marks_the_best_score(tmp_path):
    image = tmp_path / "x.jpg"
    Image.new("RGB", (64, 128)).save(image)
    methods = [("model", "model", "model"), ("copy", "baseline: copy", "copy"), ("mean", "baseline: mean", "mean")]
    row = PairRow("a.jpg", "b.jpg", str(image), np.zeros((128, 64, 3), np.uint8), str(image), str(image),
                  {"model": {"l1": 0.1}, "copy": {"l1": 0.2}, "mean": {"l1": 0.15}})
    content = PageContent(title="t", warnings=["WARNING: random <VGG>"], notes=["LPIPS left out"], methods=methods,
                          metrics=[("l1", "lower", {"model": 0.1, "copy": 0.2, "mean": 0.15}),
                                   ("ssim", "higher", {"model": 0.3, "copy": 0.5, "mean": 0.4})],
                          verdict="The model beats both baselines on 1 of 2 metrics (l1).", loss_plot=None,
                          rows=[row], settings={"device": "CPU"}, timings={"test": 1.0}, commands=["python x"])
    page = open(write_results_page(str(tmp_path / "page"), content)).read()
    assert '<p class="warning">WARNING: random &lt;VGG&gt;</p>' in page
    assert '<p class="note">LPIPS left out</p>' in page
    assert ('<tr><td>l1</td><td>lower</td><td class="better">0.1</td><td class="">0.2</td><td class="">0.15</td>'
            '</tr>') in page
    assert ('<tr><td>ssim</td><td>higher</td><td class="">0.3</td><td class="better">0.5</td><td class="">0.4</td>'
            '</tr>') in page
    assert 'l1 0.100 <span class="dim">(copy 0.200, mean 0.150)</span>' in page
    assert sorted(os.listdir(tmp_path / "page" / "images")) == [
        "001_generated.jpg", "001_ground_truth.jpg", "001_pose.png", "001_source.jpg"]


def test_verdict_counts_the_metrics_where_the_model_beats_both_baselines():
    beaten = ("l1", "lower", {"model": 0.1, "copy_source": 0.2, "mean_image": 0.15})
    not_beaten = ("ssim", "higher", {"model": 0.3, "copy_source": 0.5, "mean_image": 0.4})
    assert verdict([beaten]).startswith("The model beats both baselines on every metric")
    assert verdict([beaten, not_beaten]).startswith("The model beats both baselines on 1 of 2 metrics (l1). That is "
                                                    "expected after so few iterations")
    assert verdict([not_beaten]).startswith("The model beats both baselines on 0 of 1 metrics. ")
