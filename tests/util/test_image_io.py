"""tensor_to_uint8 / mask_to_uint8 conversions and atomic save_image."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from util.image_io import mask_to_uint8, save_image, tensor_to_uint8


def test_tensor_to_uint8_truncates_and_clips():
    values = torch.tensor([-1.5, -1.0, 0.0, 0.5, 1.0, 2.0]).view(1, 6, 1).expand(3, 6, 1)
    converted = tensor_to_uint8(values)
    assert converted.dtype == np.uint8 and converted.shape == (6, 1, 3)
    # (x + 1) / 2 * 255, floored: 0 -> 127.5 -> 127, 0.5 -> 191.25 -> 191; out of range clipped.
    assert converted[:, 0, 0].tolist() == [0, 0, 127, 191, 255, 255]


def test_tensor_to_uint8_takes_the_first_sample():
    batch = torch.stack([torch.ones(3, 2, 2), -torch.ones(3, 2, 2)])
    assert (tensor_to_uint8(batch) == 255).all()


def test_mask_to_uint8_is_grey_over_the_full_range():
    mask = torch.tensor([0.0, 0.25, 1.0, 1.5]).view(1, 1, 4)
    assert mask_to_uint8(mask)[0].tolist() == [[0] * 3, [63] * 3, [255] * 3, [255] * 3]
    with pytest.raises(ValueError, match="mask must have 1 channels"):
        mask_to_uint8(torch.zeros(2, 4, 4))


def test_save_image_round_trip_and_no_leftovers(tmp_path):
    image = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    path = tmp_path / "sub" / "a.png"
    save_image(image, str(path))
    np.testing.assert_array_equal(np.asarray(Image.open(path)), image)
    save_image(image[:, :, :1], str(tmp_path / "grey.png"))
    assert np.asarray(Image.open(tmp_path / "grey.png")).shape == (5, 7)
    save_image(image, str(tmp_path / "b.jpg"))
    assert Image.open(tmp_path / "b.jpg").format == "JPEG"
    assert sorted(os.listdir(tmp_path)) == ["b.jpg", "grey.png", "sub"]
    assert os.listdir(tmp_path / "sub") == ["a.png"]


def test_save_image_rejects_bad_input(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        save_image(np.zeros((4, 4, 3)), str(tmp_path / "a.png"))
    with pytest.raises(ValueError, match=r"got shape \(4, 4, 2\)"):
        save_image(np.zeros((4, 4, 2), np.uint8), str(tmp_path / "a.png"))
    with pytest.raises(ValueError, match="extension"):
        save_image(np.zeros((4, 4, 3), np.uint8), str(tmp_path / "a.unknown"))
    assert os.listdir(tmp_path) == []
