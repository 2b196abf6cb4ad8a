"""Pairing generated images with ground truth by test.py's file names, and its errors."""
import os

import pytest
from PIL import Image

from script.metrics_lib.matching import match_pairs, target_stem

from .helpers import real_market


@pytest.mark.parametrize("name, stem", [
    ("0007_c2s3_070952_01_2_0007_c3s3_077419_03_vis.jpg", "0007_c3s3_077419_03"),
    ("fashionMENJackets_Vestsid0000401403_4full_2_fashionMENJackets_Vestsid0000401403_3back_vis.jpg",
     "fashionMENJackets_Vestsid0000401403_3back"),
    ("a_2_b_2_c_vis.png", "c"),  # the last _2_, as the original
    ("a_2_b_vis_vis.jpg", "b"),  # cut at the first _vis after it
    ("a_2_b.jpg", None), ("a_b_vis.jpg", None), ("a_2__vis.jpg", None),
])
def test_target_stem(name, stem):
    assert target_stem(name) == stem


def test_real_market_outputs_match_their_targets():
    pairs = match_pairs(os.path.join(real_market(), "generated"), os.path.join(real_market(), "test"))
    assert len(pairs) == 100
    names = [os.path.basename(pair.generated) for pair in pairs]
    assert names == sorted(names)
    for pair in pairs:
        assert os.path.basename(pair.generated).endswith(f"_2_{os.path.splitext(pair.target_name)[0]}_vis.jpg")
        assert os.path.dirname(pair.target) == os.path.join(real_market(), "test")


def _touch_images(folder, names):
    folder.mkdir(exist_ok=True)
    for name in names:
        Image.new("RGB", (4, 4)).save(folder / name)


def test_unmatched_generated_files_are_listed(tmp_path):
    _touch_images(tmp_path / "gt", ["b.jpg", "c.jpg", "c.png"])
    _touch_images(tmp_path / "gen", ["a_2_b_vis.jpg", "a_2_x_vis.jpg", "odd.jpg", "a_2_c_vis.jpg"])
    with pytest.raises(ValueError) as error:
        match_pairs(str(tmp_path / "gen"), str(tmp_path / "gt"))
    message = str(error.value)
    assert "3 of the 4 images in --generated_path" in message
    assert "a_2_x_vis.jpg (no x.jpg/.png in --gt_path)" in message
    assert "odd.jpg (not named <from>_2_<to>_vis.<ext>)" in message
    assert "a_2_c_vis.jpg (ambiguous target" in message
    assert "a_2_b_vis.jpg" not in message


def test_long_lists_are_cut(tmp_path):
    _touch_images(tmp_path / "gt", ["b.jpg"])
    _touch_images(tmp_path / "gen", [f"a{i:02d}_2_zz_vis.jpg" for i in range(25)])
    with pytest.raises(ValueError, match=r"a04_2_zz_vis.jpg \(no zz.jpg/.png in --gt_path\), \.\.\. and 20 more$"):
        match_pairs(str(tmp_path / "gen"), str(tmp_path / "gt"))


def test_missing_or_empty_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="--gt_path: .*absent.* is not a directory"):
        match_pairs(str(tmp_path / "empty"), str(tmp_path / "absent"))
    _touch_images(tmp_path / "gt", ["b.jpg"])
    with pytest.raises(ValueError, match="--generated_path: .*empty.* holds no .jpg/.jpeg/.png images"):
        match_pairs(str(tmp_path / "empty"), str(tmp_path / "gt"))
