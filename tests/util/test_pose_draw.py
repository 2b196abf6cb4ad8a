"""Pose heatmaps -> joints -> skeleton picture."""
import numpy as np
import pytest

from util.pose_draw import draw_pose_from_cords, draw_pose_from_map, map_to_cord
from util.skeleton import COLORS, LIMB_SEQ, MISSING, NUM_JOINTS

H, W = 24, 20


def _heatmaps(joints):
    """18 heatmaps, each a single peak of 1.0 at the given [y, x] (others all zero)."""
    maps = np.zeros((NUM_JOINTS, H, W))
    for joint, (y, x) in joints.items():
        maps[joint, y, x] = 1.0
    return maps


def _disc(y, x):
    """Pixels of a radius-2 disc (distance < 2), as skimage.draw.disk draws it."""
    return {(y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)}


def _drawn_pixels(picture):
    return {tuple(p) for p in np.argwhere(picture.any(axis=2))}


def test_map_to_cord_finds_peaks_and_marks_missing():
    maps = np.zeros((3, 6, 5))
    maps[0, 4, 1] = 0.9
    maps[1, 2, 3] = 0.1            # not above the 0.1 threshold: missing
    maps[2, 1, 4] = maps[2, 3, 0] = 0.5   # a tie: the first in row-major order wins
    cords = map_to_cord(maps)
    assert cords.tolist() == [[4, 1], [MISSING, MISSING], [1, 4]]
    assert map_to_cord(maps, threshold=0.05)[1].tolist() == [2, 3]


def test_single_joint_draws_one_disc_in_its_colour():
    joint, y, x = 4, 10, 12
    picture = draw_pose_from_map(_heatmaps({joint: (y, x)}))
    assert picture.dtype == np.uint8 and picture.shape == (H, W, 3)
    assert _drawn_pixels(picture) == _disc(y, x)   # missing joints and their limbs: nothing
    for pixel in _disc(y, x):
        assert tuple(picture[pixel]) == COLORS[joint]


def test_limb_between_present_joints_is_drawn_under_the_discs():
    start, end = LIMB_SEQ[2]   # right shoulder -> right elbow
    picture = draw_pose_from_map(_heatmaps({start: (4, 4), end: (18, 4)}))
    middle = picture[11, 4]
    assert middle[0] == middle[1] == middle[2] > 200        # white anti-aliased line
    assert tuple(picture[4, 4]) == COLORS[start] and tuple(picture[18, 4]) == COLORS[end]
    line_pixels = {(row, 4) for row in range(4, 19)}
    assert _drawn_pixels(picture) <= _disc(4, 4) | _disc(18, 4) | line_pixels | {
        (row, col) for row in range(4, 19) for col in (3, 5)}


def test_cords_outside_the_picture_are_clipped():
    cords = np.full((NUM_JOINTS, 2), MISSING)
    cords[1] = (2, 2)
    cords[2] = (2, 40)   # right shoulder far right of the picture
    picture = draw_pose_from_cords(cords, (H, W))
    assert picture[2, W - 1].any()   # the limb runs to the border
    assert tuple(picture[2, 2]) == COLORS[1]


def test_rejects_wrong_channel_count():
    with pytest.raises(ValueError, match="heatmaps must be"):
        draw_pose_from_map(np.zeros((17, H, W)))
