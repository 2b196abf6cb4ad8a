"""The loaders on 100 real DeepFashion and 100 real Market-1501 pairs, in the released formats."""
import os

import numpy as np
import pytest
import torch
import torchvision.transforms.functional as F
from PIL import Image

from data.annotations import read_annotations, read_pairs
from data.fashion_dataset import FashionDataset
from data.heatmaps import expand_poses
from data.market_dataset import MarketDataset

CASES = {
    "fashion": dict(cls=FashionDataset, prefix="fasion", size=(256, 256), file_size=(176, 256), x_scale=(256, 176)),
    "market": dict(cls=MarketDataset, prefix="market", size=(128, 64), file_size=(64, 128), x_scale=(1, 1)),
}


@pytest.mark.parametrize("mode", sorted(CASES))
def test_real_pairs(request, make_opt, mode):
    case = CASES[mode]
    root = request.getfixturevalue(f"real_{mode}_root")
    dataset = case["cls"](make_opt(mode, root, is_train=False))
    pairs = read_pairs(os.path.join(root, f"{case['prefix']}-pairs-test.csv"))
    annotations = read_annotations(os.path.join(root, f"{case['prefix']}-annotation-test.csv"))
    assert len(dataset) == len(pairs) == 100
    peaks = 0
    for index in range(0, 100, 9):
        item = expand_poses(dataset[index])
        assert (item["P1_path"], item["P2_path"]) == pairs[index]
        for image_key, pose_key, name in (("P1", "BP1", pairs[index][0]), ("P2", "BP2", pairs[index][1])):
            with Image.open(os.path.join(root, "test", name)) as photo:
                assert photo.size == case["file_size"]
                resized = photo.convert("RGB").resize(case["size"][::-1], Image.Resampling.BILINEAR)
            assert torch.equal(item[image_key], F.normalize(F.to_tensor(resized), [0.5] * 3, [0.5] * 3))
            heatmaps = item[pose_key].numpy()
            assert heatmaps.shape == (18, *case["size"])
            for joint, (y, x) in enumerate(annotations[name]):
                if y == -1 or x == -1:
                    assert not heatmaps[joint].any()
                    continue
                row, col = np.unravel_index(heatmaps[joint].argmax(), case["size"])
                assert (row, col) == (y, x * case["x_scale"][0] // case["x_scale"][1])
                assert heatmaps[joint, row, col] == 1.0
                peaks += 1
    assert peaks > 300
