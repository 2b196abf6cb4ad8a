"""The one-command quick start, offline, at its smallest setting in a fresh folder: data, both
training stages, test, scores and a results page that lists every test pair with its scores."""
import os
import re

import pytest

from data.annotations import read_pairs
from script import quickstart
from script.random_weights import write_random_alexnet, write_random_vgg19
from tests.offline import go_offline, random_weights_home
from options.errors import OptionError
from util.errors import ExistingPathError

PAIR_METRICS = ("lpips", "ssim", "psnr", "l1")
NUMBER = r"-?\d+\.\d+"


@pytest.fixture(scope="module")
def vgg_and_alexnet_home(tmp_path_factory):
    """A TORCH_HOME holding random-weight VGG19 (losses) and AlexNet (LPIPS) under torchvision's names."""
    return random_weights_home(tmp_path_factory, "quickstart_torch_home",
                               lambda home: (write_random_vgg19(home), write_random_alexnet(home)))


def page_rows(page):
    return re.findall(r'<tr class="pair" id="pair\d+">(.*?)</tr>', page, flags=re.S)


@pytest.mark.slow
def test_smallest_quickstart_writes_a_page_with_every_test_pair_and_its_scores(
        vgg_and_alexnet_home, tmp_path, monkeypatch, capsys):
    go_offline(monkeypatch, vgg_and_alexnet_home)
    monkeypatch.chdir(tmp_path)
    page_path = quickstart.run(["--smallest", "--offline"])

    root = tmp_path / "quickstart"
    assert os.path.samefile(page_path, root / "page" / "index.html")
    assert f"results page: {os.path.abspath(page_path)}" in capsys.readouterr().out
    page = open(page_path).read()
    assert "RANDOM weights" not in page  # the VGG19 file of the hub cache was used

    # ---------------------------------------------------------------- one row per test pair, with scores
    pairs = read_pairs(root / "data" / "market-pairs-test.csv")
    rows = page_rows(page)
    assert len(rows) == len(pairs) >= 2
    for row, (source, target) in zip(rows, pairs):
        assert f"{source}<br>&rarr; {target}" in row
        images = re.findall(r'<img src="(images/[^"]+)"', row)
        assert len(images) == 4  # source | target pose | generated | ground truth
        assert all((root / "page" / image).is_file() for image in images)
        for metric in PAIR_METRICS:
            scores = rf"{metric} {NUMBER} <span class=\"dim\">\(copy {NUMBER}, mean {NUMBER}\)"
            assert re.search(scores, row), (metric, row)

    # ---------------------------------------------------------------- the table: the model and both baselines
    table = re.search(r'<table class="metrics">(.*?)</table>', page, flags=re.S).group(1)
    for metric in PAIR_METRICS:
        assert re.search(rf"<tr><td>{metric}</td><td>(lower|higher)</td>(<td[^>]*>-?\d[^<]*</td>){{3}}</tr>", table)
    assert "FID left out" in page
    assert (root / "page" / "losses.png").is_file()
    assert {"model.json", "copy_source.json", "mean_image.json"} <= set(os.listdir(root / "page" / "scores"))


def test_refuses_a_used_root_without_overwrite(tmp_path):
    root = tmp_path / "mine"
    root.mkdir()
    (root / "notes.txt").write_text("a user's file")
    with pytest.raises(ExistingPathError, match=r"--root .*mine is not empty; choose an empty folder or pass "
                                                r"--overwrite"):
        quickstart.run(["--smallest", "--root", str(root)])
    assert os.listdir(root) == ["notes.txt"]


def test_a_bad_iteration_count_is_an_option_error_before_anything_is_written(tmp_path):
    with pytest.raises(OptionError, match=r"^--pose_iters: expected a positive number of iterations, got 0$"):
        quickstart.run(["--pose_iters", "0", "--root", str(tmp_path / "qs")])
    assert not (tmp_path / "qs").exists()
