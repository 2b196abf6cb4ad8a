"""The fashion and market loaders on synthetic datasets: layout, values, augmentation, bad input."""
import os
import shutil

import numpy as np
import pytest
import torch
import torchvision.transforms.functional as F
from PIL import Image

from data.annotations import read_annotations, read_pairs, write_annotations, write_pairs
from data.fashion_dataset import FashionDataset
from data.heatmaps import expand_poses
from data.market_dataset import MarketDataset
from util.errors import MissingPathError

GREY = 128 / 255 * 2 - 1  # the augmentation's fill colour in [-1, 1]


def expected_image(path, size):
    """The file, resized with PIL bilinear to size (h, w), as a [3, h, w] tensor in [-1, 1]."""
    image = Image.open(path).convert("RGB").resize(size[::-1], Image.Resampling.BILINEAR)
    return F.normalize(F.to_tensor(image), [0.5] * 3, [0.5] * 3)


def check_item(item, size, image_dir, annotations, scale_x):
    """Shapes and ranges, images equal to the resized files, heatmap peaks at the scaled keypoints."""
    checked = {"present": 0, "missing": 0}
    item = expand_poses(item)
    for image_key, pose_key, path_key in (("P1", "BP1", "P1_path"), ("P2", "BP2", "P2_path")):
        image, pose, name = item[image_key], item[pose_key], item[path_key]
        assert image.shape == (3, *size) and pose.shape == (18, *size)
        assert image.dtype == pose.dtype == torch.float32
        assert os.path.basename(name) == name
        assert image.min() >= -1 and image.max() <= 1 and pose.min() >= 0 and pose.max() <= 1
        assert torch.equal(image, expected_image(os.path.join(image_dir, name), size))
        for joint, (y, x) in enumerate(annotations[name]):
            if y == -1 or x == -1:
                assert not pose[joint].any()
                checked["missing"] += 1
                continue
            peak = divmod(int(pose[joint].argmax()), size[1])
            assert peak == (y, x * scale_x[0] // scale_x[1]) and pose[joint].max() == 1.0
            checked["present"] += 1
    return checked


@pytest.mark.parametrize("mode, size, scale_x", [("fashion", (256, 256), (256, 176)), ("market", (128, 64), (1, 1))])
def test_test_split_items(request, make_opt, mode, size, scale_x):
    root = request.getfixturevalue(f"{mode}_root")
    dataset = {"fashion": FashionDataset, "market": MarketDataset}[mode](make_opt(mode, root, is_train=False))
    prefix = "fasion" if mode == "fashion" else "market"
    pairs = read_pairs(os.path.join(root, f"{prefix}-pairs-test.csv"))
    annotations = read_annotations(os.path.join(root, f"{prefix}-annotation-test.csv"))
    assert len(dataset) == len(pairs) == 8
    totals = {"present": 0, "missing": 0}
    for index in range(len(dataset)):
        item = dataset[index]
        assert (item["P1_path"], item["P2_path"]) == pairs[index]
        for key, count in check_item(item, size, os.path.join(root, "test"), annotations, scale_x).items():
            totals[key] += count
    assert totals["present"] > 100 and totals["missing"] > 0


def test_fashion_training_is_not_augmented(fashion_root, make_opt):
    opt = make_opt("fashion", fashion_root)
    assert (opt.angle, opt.shift, opt.scale) == (False, False, False)
    annotations = read_annotations(os.path.join(fashion_root, "fasion-annotation-train.csv"))
    check_item(FashionDataset(opt)[0], (256, 256), os.path.join(fashion_root, "train"), annotations, (256, 176))


def test_fashion_spelling_of_the_docs_is_accepted(fashion_root, tmp_path, make_opt):
    root = tmp_path / "fashion"
    os.makedirs(root)
    os.symlink(os.path.join(fashion_root, "test"), root / "test")
    for kind in ("annotation", "pairs"):
        os.symlink(os.path.join(fashion_root, f"fasion-{kind}-test.csv"), root / f"fashion-{kind}-test.csv")
    assert len(FashionDataset(make_opt("fashion", root, is_train=False))) == 8
    # both spellings, same file: fine; different files: which one is meant is unclear
    os.symlink(os.path.join(fashion_root, "fasion-pairs-test.csv"), root / "fasion-pairs-test.csv")
    FashionDataset(make_opt("fashion", root, is_train=False))
    os.remove(root / "fasion-pairs-test.csv")
    write_pairs(root / "fasion-pairs-test.csv", read_pairs(root / "fashion-pairs-test.csv")[:2])
    with pytest.raises(ValueError, match="two different pairs CSVs: .*fasion-pairs-test.csv and .*fashion-pairs-test.csv"):
        FashionDataset(make_opt("fashion", root, is_train=False))


# --- Market augmentation: a coloured dot on the joint must move with its heatmap peak ------------

DOTS = {4: ((30, 12), (255, 0, 0)), 10: ((100, 46), (0, 0, 255))}  # joint: ((row, col), colour)


@pytest.fixture(scope="module")
def dot_root(tmp_path_factory):
    """A Market-format dataset of one white image with a red and a blue 5x5 dot on two joints."""
    root = tmp_path_factory.mktemp("dots")
    os.makedirs(root / "train")
    image = np.full((128, 64, 3), 255, dtype=np.uint8)
    keypoints = np.full((18, 2), -1)
    for joint, ((row, col), colour) in DOTS.items():
        image[row - 2:row + 3, col - 2:col + 3] = colour
        keypoints[joint] = (row, col)
    Image.fromarray(image).save(root / "train" / "dot.jpg", quality=100, subsampling=0)  # sharp colours
    write_annotations(root / "market-annotation-train.csv", {"dot.jpg": keypoints})
    write_pairs(root / "market-pairs-train.csv", [("dot.jpg", "dot.jpg")])
    return root


def dot_centre(image, colour):
    """Centroid (row, col) of the pixels of a pure colour in an image tensor [3, H, W] in [-1, 1]."""
    target = torch.tensor(colour, dtype=torch.float32).view(3, 1) / 255 * 2 - 1
    close = ((image.view(3, -1) - target).abs() < 0.4).all(dim=0).view(image.shape[1:])
    rows, cols = torch.nonzero(close, as_tuple=True)
    assert len(rows) >= 9, "dot lost"
    return rows.float().mean().item(), cols.float().mean().item()


def test_market_augmentation_moves_keypoints_with_the_image(dot_root, make_opt):
    dataset = MarketDataset(make_opt("market", dot_root))
    moved, grey_fill, source_spread, target_spread = 0.0, False, [], []
    for seed in range(12):
        dataset.reseed(seed)
        item = expand_poses(dataset[0])
        centres = {}
        for image_key, pose_key in (("P1", "BP1"), ("P2", "BP2")):
            for joint, ((row, col), colour) in DOTS.items():
                centre = dot_centre(item[image_key], colour)
                peak = divmod(int(item[pose_key][joint].argmax()), 64)
                assert abs(centre[0] - peak[0]) <= 1.5 and abs(centre[1] - peak[1]) <= 1.5, (seed, image_key, joint)
                moved = max(moved, abs(centre[0] - row), abs(centre[1] - col))
                centres[image_key, joint] = np.array(centre)
            grey_fill |= bool(((item[image_key] - GREY).abs() < 1e-6).all(dim=0).any())
        source_spread.append(np.linalg.norm(centres["P1", 4] - centres["P1", 10]))
        target_spread.append(np.linalg.norm(centres["P2", 4] - centres["P2", 10]))
    assert moved >= 3 and grey_fill  # the augmentation really moved the image, filling with grey
    original = np.hypot(100 - 30, 46 - 12)
    # the target is not scaled (distances kept up to rotation rounding), the source is
    assert np.abs(np.array(target_spread) - original).max() <= 1.5
    assert np.abs(np.array(source_spread) - original).max() >= 2.0


def test_market_test_split_is_not_augmented(dot_root, tmp_path, make_opt):
    for name in os.listdir(dot_root):
        os.symlink(os.path.join(dot_root, name), tmp_path / name.replace("train", "test"))
    item = expand_poses(MarketDataset(make_opt("market", tmp_path, is_train=False))[0])
    assert torch.equal(item["P1"], expected_image(tmp_path / "test" / "dot.jpg", (128, 64)))
    assert divmod(int(item["BP1"][4].argmax()), 64) == (30, 12)


def test_same_seed_same_items(market_root, make_opt):
    first, second = (MarketDataset(make_opt("market", market_root)) for _ in range(2))
    a, b = expand_poses(first[3]), expand_poses(second[3])
    assert all(torch.equal(a[key], b[key]) for key in ("P1", "BP1", "P2", "BP2"))
    other = expand_poses(MarketDataset(make_opt("market", market_root, seed=1))[3])
    assert not torch.equal(a["BP1"], other["BP1"])


# --- bad input: one clear error naming the file (and line) -----------------------------------------

def rewrite_line(path, line_number, new_text):
    lines = open(path).read().splitlines()
    lines[line_number - 1] = new_text
    open(path, "w").write("\n".join(lines) + "\n")


def first_pair(root):
    return read_pairs(os.path.join(root, "market-pairs-train.csv"))[0]


def annotation_line_of(root, name):
    lines = open(os.path.join(root, "market-annotation-train.csv")).read().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(name + ":"))


def test_wrong_joint_count_row(market_copy, make_opt):
    csv = os.path.join(market_copy, "market-annotation-train.csv")
    rewrite_line(csv, 3, "x.jpg: [1, 2, 3]: [1, 2, 3]")
    with pytest.raises(ValueError, match=f"^{csv}, line 3: column keypoints_y has 3 joints, expected 18$"):
        MarketDataset(make_opt("market", market_copy))


def test_not_json_row(market_copy, make_opt):
    csv = os.path.join(market_copy, "market-annotation-train.csv")
    rewrite_line(csv, 2, "x.jpg: [1, 2]")
    with pytest.raises(ValueError, match=f"^{csv}, line 2: expected 3 ':'-separated fields"):
        MarketDataset(make_opt("market", market_copy))
    rewrite_line(csv, 2, "x.jpg: {1, 2}: [3]")
    with pytest.raises(ValueError, match=f"^{csv}, line 2: column keypoints_y is not a JSON list"):
        MarketDataset(make_opt("market", market_copy))


def test_keypoint_outside_the_annotation_frame(market_copy, make_opt):
    csv = os.path.join(market_copy, "market-annotation-train.csv")
    rewrite_line(csv, 4, "x.jpg: " + str([128] + [-1] * 17) + ": " + str([0] * 18))
    with pytest.raises(ValueError, match=rf"^{csv}, line 4: keypoints_y\[0\] = 128 is outside the annotation frame"):
        MarketDataset(make_opt("market", market_copy))


def test_pair_naming_a_missing_image(market_copy, make_opt):
    source, _ = first_pair(market_copy)
    os.remove(os.path.join(market_copy, "train", source))
    pairs_csv = os.path.join(market_copy, "market-pairs-train.csv")
    with pytest.raises(FileNotFoundError, match=f"^{pairs_csv}, line 2: image file not found: "
                                                f"{os.path.join(market_copy, 'train', source)}$"):
        MarketDataset(make_opt("market", market_copy))


def test_pair_naming_an_unannotated_image(market_copy, make_opt):
    _, target = first_pair(market_copy)
    csv = os.path.join(market_copy, "market-annotation-train.csv")
    rewrite_line(csv, annotation_line_of(market_copy, target), "")
    pairs_csv = os.path.join(market_copy, "market-pairs-train.csv")
    with pytest.raises(ValueError, match=f"^{pairs_csv}, line 2: image '{target}' has no row in {csv}$"):
        MarketDataset(make_opt("market", market_copy))


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_image_is_named_when_loaded(market_copy, make_opt, damage):
    source, _ = first_pair(market_copy)
    path = os.path.join(market_copy, "train", source)
    content = open(path, "rb").read()
    open(path, "wb").write(b"not a jpeg" * 10 if damage == "garbage" else content[:len(content) // 2])
    if damage == "garbage":  # a training set reads every image header when it is built
        with pytest.raises(OSError, match=f"^cannot read image {path}: "):
            MarketDataset(make_opt("market", market_copy))
        return
    dataset = MarketDataset(make_opt("market", market_copy))  # pixels are decoded only when loaded
    with pytest.raises(OSError, match=f"^cannot read image {path}: "):
        dataset[0]


@pytest.mark.parametrize("kind", ["annotation", "pairs"])
def test_missing_csv(market_copy, make_opt, kind):
    path = os.path.join(market_copy, f"market-{kind}-train.csv")
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=f"^{kind} CSV not found: expected {path}$"):
        MarketDataset(make_opt("market", market_copy))


def test_empty_split(market_copy, make_opt):
    path = os.path.join(market_copy, "market-pairs-train.csv")
    write_pairs(path, [])
    with pytest.raises(ValueError, match=f"^{path}: no pairs, the train split is empty$"):
        MarketDataset(make_opt("market", market_copy))


def test_missing_folders(market_copy, make_opt):
    with pytest.raises(MissingPathError, match="^--dataroot=/no/such/dir: no such folder; put the market dataset there "
                                              "or pass --dataroot=<its folder>"):
        MarketDataset(make_opt("market", "/no/such/dir"))
    with pytest.raises(MissingPathError, match=f"^{market_copy}/val: no such folder \\(--phase=val reads from it\\); "
                                              f"{market_copy} has train, test: pass --phase=train or add the val"):
        MarketDataset(make_opt("market", market_copy, phase="val"))


def test_missing_training_split_of_a_test_only_set(market_copy, make_opt):
    shutil.rmtree(market_copy / "train")
    with pytest.raises(MissingPathError, match=f"^{market_copy}/train: no such folder \\(train.py reads the train "
                                              f"split from it\\); {market_copy} is a test-only set: test it with "
                                              "test.py"):
        MarketDataset(make_opt("market", market_copy))


@pytest.mark.parametrize("name, value", [("angle", True), ("shift", (5,)), ("scale", (1.1, 0.9))])
def test_bad_augmentation_option(market_copy, make_opt, name, value):
    with pytest.raises(ValueError, match=rf"^--{name}: expected a range \(low, high\) or False"):
        MarketDataset(make_opt("market", market_copy, **{name: value}))
