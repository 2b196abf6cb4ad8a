"""visuals_to_images: one conversion rule per kind of visual, first sample only."""
import numpy as np
import pytest
import torch

from util.flow_vis import flow2color
from util.pose_draw import draw_pose_from_map
from util.visuals import visuals_to_images


def test_each_kind_converts_to_uint8_rgb_of_the_first_sample():
    generator = torch.Generator().manual_seed(0)
    image = torch.rand(2, 3, 8, 6, generator=generator) * 2 - 1
    heatmaps = torch.zeros(2, 18, 8, 6)
    heatmaps[0, 0, 3, 2] = 1.0
    heatmaps[1, 5, 6, 5] = 1.0       # only in sample 1: must not be drawn
    flows = [torch.randn(2, 2, 2, 3, generator=generator), torch.randn(2, 2, 4, 3, generator=generator)]
    mask = torch.tensor([[0.0, 0.5, 1.0]]).view(1, 1, 1, 3)

    images = visuals_to_images({"input_P1": image, "input_BP1": heatmaps, "flow_fields": flows, "masks": mask})

    assert list(images) == ["input_P1", "input_BP1", "flow_fields0", "flow_fields1", "masks"]
    for name, picture in images.items():
        assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[2] == 3, name
    expected_image = np.floor((image[0].permute(1, 2, 0).double().numpy() + 1) / 2 * 255).astype(np.uint8)
    np.testing.assert_array_equal(images["input_P1"], expected_image)
    np.testing.assert_array_equal(images["input_BP1"], draw_pose_from_map(heatmaps[0].numpy()))
    assert not images["input_BP1"][6, 5].any()
    assert images["flow_fields0"].shape == (2, 3, 3) and images["flow_fields1"].shape == (4, 3, 3)
    np.testing.assert_array_equal(images["flow_fields1"], flow2color(flows[1][0]))
    assert images["masks"][0].tolist() == [[0, 0, 0], [127, 127, 127], [255, 255, 255]]


def test_unbatched_tensors_and_tuples_are_accepted():
    images = visuals_to_images({"img_gen": torch.zeros(3, 4, 4), "masks": (torch.ones(1, 4, 4),)})
    assert (images["img_gen"] == 127).all() and (images["masks0"] == 255).all()


@pytest.mark.parametrize("name, tensor, message", [
    ("feature", torch.zeros(1, 5, 4, 4), "5 channels"),
    ("flow_fields", torch.zeros(1, 3, 4, 4), "flow field and must have 2 channels"),
    ("img_gen", torch.zeros(4, 4), r"\[C, H, W\] or \[B, C, H, W\]"),
])
def test_bad_visuals_raise_naming_the_visual(name, tensor, message):
    with pytest.raises(ValueError, match=message) as error:
        visuals_to_images({name: tensor})
    assert repr(name) in str(error.value)


def test_non_tensor_visual_raises():
    with pytest.raises(TypeError, match="'img_gen' must be a torch.Tensor"):
        visuals_to_images({"img_gen": np.zeros((3, 4, 4))})
