"""What script.demo feeds the network: inputs made as the Market loader makes them, and target
keypoints read from an annotation CSV or JSON with one clear error per problem."""
import json
import os

import numpy as np
import pytest
import torch
from PIL import Image

import data
from data.annotations import write_annotations
from data.heatmaps import expand_poses
from script.demo import read_target_keypoints
from script.pose_from_checkpoint import heatmaps, network_image, pose_options
from tests.paths import REAL_SAMPLES
from util.errors import UserError

KEYPOINTS = np.stack([np.arange(18) * 5, np.arange(18) * 2], axis=1)


@pytest.mark.skipif(not os.path.isdir(REAL_SAMPLES), reason=f"no real samples at {REAL_SAMPLES}")
def test_inputs_are_the_market_loaders():
    opt = pose_options("market", ["--gpu_ids=-1", f"--dataroot={os.path.join(REAL_SAMPLES, 'market')}", "--nThreads=0"])
    dataset = data.create_dataset(opt)
    item = expand_poses(dataset[0])
    source_name, target_name = dataset.pairs[0]
    with Image.open(os.path.join(REAL_SAMPLES, "market", "test", source_name)) as image:
        torch.testing.assert_close(network_image(image.convert("RGB"), opt)[0], item["P1"], rtol=0, atol=0)
    torch.testing.assert_close(heatmaps(dataset.annotations[target_name], opt)[0], item["BP2"], rtol=0, atol=0)


def test_paper_configuration_per_dataset():
    fashion, market = pose_options("fashion", ["--gpu_ids=-1"]), pose_options("market", ["--gpu_ids=-1"])
    assert (fashion.attn_layer, fashion.kernel_size, fashion.old_size, fashion.load_size) == (
        [2, 3], {"2": 5, "3": 3}, (256, 176), (256, 256))
    assert (market.attn_layer, market.kernel_size, market.old_size, market.load_size) == (
        [2], {"2": 3}, (128, 64), (128, 64))
    assert not fashion.isTrain and fashion.model == "pose"


def test_json_keypoints(tmp_path):
    path = tmp_path / "pose.json"
    path.write_text(json.dumps({"keypoints_y": KEYPOINTS[:, 0].tolist(), "keypoints_x": KEYPOINTS[:, 1].tolist()}))
    keypoints, name = read_target_keypoints(str(path), (128, 64))
    np.testing.assert_array_equal(keypoints, KEYPOINTS)
    assert name == "pose.json"


@pytest.mark.parametrize("content, message", [
    ("[1, 2]", "expected an object with keypoints_y and keypoints_x"),
    ('{"keypoints_y": [1]}', "column keypoints_y has 1 joints, expected 18"),
    ("{", "pose.json"),
])
def test_bad_json_is_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "pose.json"
    path.write_text(content)
    with pytest.raises(UserError, match=message) as caught:
        read_target_keypoints(str(path), (128, 64))
    assert str(caught.value).startswith("--target_keypoints: ") and "\n" not in str(caught.value)


def test_annotation_rows(tmp_path):
    path = tmp_path / "market-annotation-test.csv"
    write_annotations(path, {"a.jpg": KEYPOINTS, "b.jpg": KEYPOINTS + 1})
    keypoints, name = read_target_keypoints(str(path), (128, 64), "b.jpg")
    np.testing.assert_array_equal(keypoints, KEYPOINTS + 1)
    assert name == "b.jpg"
    with pytest.raises(UserError, match="holds 2 rows; pick one with --target_name"):
        read_target_keypoints(str(path), (128, 64))
    with pytest.raises(UserError, match="has no row 'c.jpg'"):
        read_target_keypoints(str(path), (128, 64), "c.jpg")
    with pytest.raises(UserError, match="outside the annotation frame"):
        read_target_keypoints(str(path), (32, 64), "b.jpg")
    with pytest.raises(UserError, match="CSV file not found"):
        read_target_keypoints(str(tmp_path / "none.csv"), (128, 64))
