"""script.annotate_keypoints end to end: real Market photos hidden in larger photos become a
dataset the Market loader reads (frames, annotation CSV, same-identity pairs); the detector is
loaded from a random-weight file in an offline TORCH_HOME, its people made from the released
keypoints so that the run is deterministic."""
import itertools
import os

import numpy as np
import pytest
from PIL import Image

import data
import script.person_detection
from data.annotations import read_annotations, read_pairs
from data.heatmaps import expand_poses
from script import annotate_keypoints
from script.pose_from_checkpoint import pose_options
from tests.paths import REAL_SAMPLES

from .fakes import FakeDetector, assert_maps_back, framed_real_photo, person_detection, real_samples

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.isdir(REAL_SAMPLES), reason=f"no real samples at {REAL_SAMPLES}")]


def test_photos_become_a_market_dataset(tmp_path, monkeypatch, offline_detector, capsys):
    released_pairs = read_pairs(os.path.join(REAL_SAMPLES, "market", "market-pairs-test.csv"))[:3]
    annotations = real_samples("market")[1]
    names = sorted({name for pair in released_pairs for name in pair})
    fake = FakeDetector()
    monkeypatch.setattr(script.person_detection, "detect_people", fake)
    photos = tmp_path / "photos"
    photos.mkdir()
    for index, name in enumerate(names):
        framed_real_photo("market", name, annotations[name], index, fake).save(photos / f"{name[:-4]}.png")
    Image.new("RGB", (50, 90), (30, 60, 90)).save(photos / "nobody.png")
    (photos / "broken.jpg").write_bytes(b"not a JPEG")
    bystander = person_detection(annotations[names[1]], (0.0, 0.0, 60.0, 30.0), (128, 64), 0.03, score=0.7)
    framed_real_photo("market", names[0], annotations[names[0]], 7, fake, [bystander]).save(photos / "9999_crowd.png")

    root = tmp_path / "mine"
    annotate_keypoints.main([f"--images={photos}", f"--out={root / 'market-annotation-train.csv'}",
                             f"--pairs={root / 'market-pairs-train.csv'}", "--dataset=market", "--detector_size=64"])

    printed = capsys.readouterr().out
    assert "skipped 1 photos with no person found: nobody.png" in printed
    assert f"skipped: cannot read the photo {photos / 'broken.jpg'}" in printed
    assert "9999_crowd.png: 2 people found, using the most confident one (score 0.99)" in printed
    found = read_annotations(root / "market-annotation-train.csv", (128, 64))
    assert sorted(found) == sorted([f"{name[:-4]}.png" for name in names] + ["9999_crowd.png"])
    for name in names:
        assert_maps_back(found[f"{name[:-4]}.png"], annotations[name], name)
        with Image.open(root / "train" / f"{name[:-4]}.png") as frame:
            assert frame.size == (64, 128)
    assert_maps_back(found["9999_crowd.png"], annotations[names[0]], "the most confident of two people")
    pairs = read_pairs(root / "market-pairs-train.csv")
    identities = itertools.groupby(sorted(found), key=lambda n: n.split("_")[0])
    assert sorted(pairs) == sorted(p for _, group in identities for p in itertools.permutations(group, 2))
    assert {(a[:-4] + ".png", b[:-4] + ".png") for a, b in released_pairs} <= set(pairs)

    opt = pose_options("market", ["--gpu_ids=-1", f"--dataroot={root}", "--phase=train", "--nThreads=0"])
    dataset = data.create_dataset(opt)
    assert len(dataset) == len(pairs)
    item = expand_poses(dataset[0])
    assert item["P1"].shape == (3, 128, 64) and item["BP2"].shape == (18, 128, 64)
    assert np.isclose(item["BP1"].amax(dim=(1, 2)).numpy(), 1.0).sum() >= 10  # joints made it into the heatmaps
