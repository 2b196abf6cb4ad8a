"""The pairs and paths of script.annotate_keypoints: identities by the datasets' naming, random
pairs, the frames folder, names the CSVs cannot hold."""
import os

import pytest

from data.annotations import read_pairs
from script.annotate_keypoints import annotate, build_parser, default_frames_dir, identity_of, make_pairs
from tests.paths import REAL_SAMPLES
from util.errors import UserError


def test_identities_follow_the_dataset_naming():
    assert identity_of("0007_c2s3_070952_01.jpg", "market") == "0007"
    assert identity_of("fashionMENJackets_Vestsid0000401403_3back.jpg", "fashion") == "fashionMENJackets_Vestsid0000401403"


@pytest.mark.skipif(not os.path.isdir(REAL_SAMPLES), reason=f"no real samples at {REAL_SAMPLES}")
@pytest.mark.parametrize("dataset, folder, prefix", [("market", "market", "market"), ("fashion", "deepfashion", "fasion")])
def test_same_identity_pairs_hold_the_released_pairs(dataset, folder, prefix):
    released = read_pairs(os.path.join(REAL_SAMPLES, folder, f"{prefix}-pairs-test.csv"))
    names = sorted({name for pair in released for name in pair})
    pairs = make_pairs(names, "same_identity", dataset)
    assert set(released) <= set(pairs)
    assert all(identity_of(a, dataset) == identity_of(b, dataset) and a != b for a, b in pairs)
    assert len(set(pairs)) == len(pairs)


def test_random_pairs_give_each_photo_one_other_target():
    names = [f"{i}.jpg" for i in range(6)]
    pairs = make_pairs(names, "random", "market", seed=3)
    assert [source for source, _ in pairs] == names
    assert all(source != target for source, target in pairs)
    assert pairs == make_pairs(names, "random", "market", seed=3)
    assert make_pairs(["only.jpg"], "random", "market") == []


def test_frames_go_beside_the_annotation_under_its_phase():
    assert default_frames_dir(os.path.join("root", "market-annotation-train.csv")) == os.path.join("root", "train")
    assert default_frames_dir(os.path.join("root", "poses.csv")) == os.path.join("root", "frames")


def test_names_the_csvs_cannot_hold_are_refused_before_detection(tmp_path):
    (tmp_path / "a,b.jpg").write_bytes(b"")
    args = build_parser().parse_args([f"--images={tmp_path}", f"--out={tmp_path / 'a.csv'}"])
    with pytest.raises(UserError, match="a,b.jpg: the CSV formats cannot hold a name with ':' or ','"):
        annotate(args)


def test_a_folder_without_photos(tmp_path):
    args = build_parser().parse_args([f"--images={tmp_path}", f"--out={tmp_path / 'a.csv'}"])
    with pytest.raises(UserError, match="no photos"):
        annotate(args)
