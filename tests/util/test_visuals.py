"""Drawers of util.visuals (one per kind of visual, first sample only) and visuals_to_images, which
draws each visual with the drawer its model declares."""
import numpy as np
import pytest
import torch

from util.flow_vis import flow2color
from util.pose_draw import draw_pose_from_map
from data.skeleton_maps import keypoint_pictures
from util.skeleton_formats import LIMBS_COCO_17
from util.visuals import (STRIP_GAP, VIEW_PICTURE, draw_flow, draw_image, draw_mask, draw_pose, draw_structure,
                          draw_view_code, frame_strip, keypoint_drawer, structure_drawer, view_angles,
                          visuals_to_images)

POSE_DRAWERS = {"input_P1": draw_image, "img_gen": draw_image, "input_BP1": draw_pose, "flow_fields": draw_flow,
                "masks": draw_mask}


def test_each_kind_converts_to_uint8_rgb_of_the_first_sample():
    generator = torch.Generator().manual_seed(0)
    image = torch.rand(2, 3, 8, 6, generator=generator) * 2 - 1
    heatmaps = torch.zeros(2, 18, 8, 6)
    heatmaps[0, 0, 3, 2] = 1.0
    heatmaps[1, 5, 6, 5] = 1.0       # only in sample 1: must not be drawn
    flows = [torch.randn(2, 2, 2, 3, generator=generator), torch.randn(2, 2, 4, 3, generator=generator)]
    mask = torch.tensor([[0.0, 0.5, 1.0]]).view(1, 1, 1, 3)

    images = visuals_to_images({"input_P1": image, "input_BP1": heatmaps, "flow_fields": flows, "masks": mask},
                               POSE_DRAWERS)

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
    images = visuals_to_images({"img_gen": torch.zeros(3, 4, 4), "masks": (torch.ones(1, 4, 4),)}, POSE_DRAWERS)
    assert (images["img_gen"] == 127).all() and (images["masks0"] == 255).all()


def test_the_declared_drawer_decides_not_the_channel_count():
    """A 3-channel structure map is drawn as structure, an 18-channel one too (no guessing)."""
    three = torch.zeros(3, 4, 4)
    three[2, 1, 1] = 1.0
    images = visuals_to_images({"edges": three, "skeleton": torch.zeros(18, 4, 4)},
                               {"edges": draw_structure, "skeleton": draw_structure})
    assert images["edges"][1, 1].tolist() == [0, 0, 0] and (images["edges"].sum() == 255 * 3 * 15)
    assert (images["skeleton"] == 255).all()


@pytest.mark.parametrize("name, tensor, drawers, message", [
    ("feature", torch.zeros(1, 5, 4, 4), {"feature": draw_image}, r"must have 3 channels, got shape \(5, 4, 4\)"),
    ("flow_fields", torch.zeros(1, 3, 4, 4), POSE_DRAWERS, r"must have 2 channels, got shape \(3, 4, 4\)"),
    ("img_gen", torch.zeros(4, 4), POSE_DRAWERS, r"\[C, H, W\] or \[B, C, H, W\]"),
    ("input_BP1", torch.zeros(1, 17, 4, 4), POSE_DRAWERS, "must have 18 channels"),
    ("label", torch.zeros(1, 5, 4, 4), POSE_DRAWERS, "has no drawer; declare one in the model's visual_drawers"),
])
def test_bad_visuals_raise_naming_the_visual(name, tensor, drawers, message):
    with pytest.raises(ValueError, match=message) as error:
        visuals_to_images({name: tensor}, drawers)
    assert repr(name) in str(error.value)


def test_non_tensor_visual_raises():
    with pytest.raises(TypeError, match="'img_gen' must be a torch.Tensor"):
        visuals_to_images({"img_gen": np.zeros((3, 4, 4))}, POSE_DRAWERS)


def test_structure_is_the_channel_maximum_dark_on_white():
    maps = torch.zeros(2, 16, 3, 4)
    maps[0, 3, 0, 0], maps[0, 9, 0, 0], maps[0, 15, 2, 3] = 0.25, 1.0, 0.5
    maps[0, 0, 1, 1] = -2.0  # clipped to 0
    maps[1] = 1.0  # sample 1 is not drawn
    picture = draw_structure(maps)
    assert picture.shape == (3, 4, 3) and (picture[..., 0] == picture[..., 2]).all()
    assert picture[0, 0, 0] == 0 and picture[2, 3, 0] == 127 and picture[1, 1, 0] == 255
    assert (picture[..., 0] == 255).sum() == 10


def test_structure_drawer_draws_the_chosen_channels():
    """E.g. a face's 16 structure channels: only channel 0, the edge map, dark on white."""
    maps = torch.zeros(16, 3, 4)
    maps[0, 1, 2] = 1.0
    maps[1:] = 0.8  # distance and label maps: not drawn
    picture = structure_drawer([0])(maps, "BP")
    assert picture[1, 2].tolist() == [0, 0, 0] and (picture[..., 0] == 255).sum() == 11
    with pytest.raises(ValueError, match=r"visual 'BP' must have more than 16 channels"):
        structure_drawer([16])(maps, "BP")


def view_code(azimuth_index, elevation_index, batch=1):
    code = torch.zeros(batch, 21, 1, 1)
    code[:, azimuth_index] = 1
    code[:, 18 + elevation_index] = 1
    return code


@pytest.mark.parametrize("azimuth_index, elevation_index", [(0, 0), (2, 1), (17, 2), (9, 0)])
def test_view_angles_invert_the_one_hot_code(azimuth_index, elevation_index):
    assert view_angles(view_code(azimuth_index, elevation_index)) == (20 * azimuth_index, 10 * elevation_index)


def test_view_code_is_drawn_as_a_dial_pointing_at_the_azimuth_with_text():
    pictures = {azimuth: draw_view_code(view_code(azimuth // 20, 1)) for azimuth in (0, 80, 180, 260)}
    for picture in pictures.values():
        assert picture.shape == (*VIEW_PICTURE, 3) and picture.dtype == np.uint8
        assert (picture[VIEW_PICTURE[0] - 16:] < 128).any()  # the text
    red = [tuple(np.argwhere((p[..., 0] == 220) & (p[..., 1] == 0)).mean(0)) for p in pictures.values()]
    centre = (24, VIEW_PICTURE[1] // 2)
    (row0, col0), (_, _), (row180, col180), (row260, col260) = red
    assert col0 > centre[1] and abs(row0 - centre[0]) < 1        # 0 degrees: to the right
    assert col180 < centre[1] and abs(row180 - centre[0]) < 1    # 180: to the left
    assert row260 > centre[0]                                    # 260: below the centre
    assert not np.array_equal(draw_view_code(view_code(0, 0)), draw_view_code(view_code(0, 2)))  # elevation text
    with pytest.raises(ValueError, match=r"visual 'BP1' must have 21 channels"):
        draw_view_code(torch.zeros(1, 20, 1, 1), "BP1")


def test_frame_strip_draws_each_frame_side_by_side():
    clip = torch.rand(2, 4, 3, 5, 6) * 2 - 1  # [B, T, C, H, W]
    strip = frame_strip(draw_image)(clip, "clip")
    assert strip.shape == (5, 4 * 6 + 3 * STRIP_GAP, 3)
    for t in range(4):
        start = t * (6 + STRIP_GAP)
        np.testing.assert_array_equal(strip[:, start:start + 6], draw_image(clip[0, t]))
        if t:
            assert (strip[:, start - STRIP_GAP:start] == 255).all()
    np.testing.assert_array_equal(frame_strip(draw_image)(clip[0]), strip)  # [T, C, H, W] as well
    masks = frame_strip(draw_mask)(torch.ones(3, 1, 2, 2))
    assert masks.shape == (2, 3 * 2 + 2 * STRIP_GAP, 3) and (masks == 255).all()


@pytest.mark.parametrize("tensor", [torch.zeros(3, 4, 4), torch.zeros(0, 3, 3, 4, 4), np.zeros((2, 3, 4, 4))])
def test_frame_strip_rejects_what_is_not_a_clip(tensor):
    with pytest.raises(ValueError, match=r"visual 'clip' \(a clip\) must be \[T, C, H, W\] or \[B, T, C, H, W\]"):
        frame_strip(draw_image)(tensor, "clip")
    with pytest.raises(ValueError, match=r"visual 'clip\[0\]' must have 3 channels"):
        frame_strip(draw_image)(torch.zeros(2, 1, 4, 4), "clip")


def test_keypoint_drawer_draws_four_evenly_spaced_frames():
    sequence = torch.rand(2, 34, 24) * 1.6 - 0.8
    strip = keypoint_drawer(LIMBS_COCO_17)(sequence, "current_skeleton")
    assert strip.shape == (256, 4 * 256 + 3 * STRIP_GAP, 3)
    for index, frame in enumerate((0, 8, 15, 23)):
        start = index * (256 + STRIP_GAP)
        expected = keypoint_pictures(sequence[0, :, frame:frame + 1], LIMBS_COCO_17, (256, 256))[0]
        np.testing.assert_array_equal(strip[:, start:start + 256], expected)
    np.testing.assert_array_equal(keypoint_drawer(LIMBS_COCO_17)(sequence[0]), strip)  # [34, T] as well
    assert keypoint_drawer(LIMBS_COCO_17)(sequence[:, :, :2]).shape[1] == 2 * 256 + STRIP_GAP


@pytest.mark.parametrize("tensor", [torch.zeros(36, 5), torch.zeros(1, 1, 34, 5), torch.zeros(34, 0)])
def test_keypoint_drawer_rejects_what_is_not_a_keypoint_sequence(tensor):
    with pytest.raises(ValueError, match=r"visual 'output_skeleton' \(keypoints\) must be \[34, T\] or \[B, 34, T\]"):
        keypoint_drawer(LIMBS_COCO_17)(tensor, "output_skeleton")
