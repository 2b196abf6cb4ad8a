"""The face structure channels from hand-made landmarks: labels, edge curves, distance maps, Canny."""
import numpy as np
import pytest

from data.face_maps import (POLYLINES, distance_map, draw_curve, edge_maps, face_structure, fit_curve, part_labels,
                            with_upper_face)
from tests.data.face_samples import FRAME_SIZE, RECTANGLE_AREAS, RECTANGLE_FACE, textured_frame

POINTS = with_upper_face(RECTANGLE_FACE)


def polyline_pixels(points, line, size=FRAME_SIZE):
    """Boolean [H, W]: the pixels of one polyline, drawn piece by piece with the public helpers."""
    image = np.zeros(size, np.uint8)
    for start in range(0, max(1, len(line) - 1), 2):
        piece = line[start:start + 3]
        draw_curve(image, *fit_curve(points[piece, 0].astype(int), points[piece, 1].astype(int)))
    return image > 0


def test_upper_face_mirrors_the_jaw_shrunk_to_two_thirds():
    landmarks = RECTANGLE_FACE.copy()
    landmarks[16, 1] = 31  # baseline 30.5: y = 30.5 + (30.5 - y_jaw) * 2 // 3, truncated
    points = with_upper_face(landmarks)
    assert points.shape == (83, 2) and np.array_equal(points[:68], landmarks)
    assert np.array_equal(points[68:, 0], landmarks[15:0:-1, 0])       # reversed order, x kept
    assert (points[68:, 1] == 17).all()                                 # 30.5 + (-39 // 3) = 17.5, truncated
    assert np.array_equal(points[68:, 1], np.trunc(30.5 + (30.5 - landmarks[15:0:-1, 1]) * 2 // 3))


def test_label_map_values_and_areas():
    labels = part_labels(POINTS, FRAME_SIZE)
    assert labels.dtype == np.uint8
    assert {value: int((labels == value).sum()) for value in range(7)} == RECTANGLE_AREAS
    assert labels[16, 10] == labels[50, 50] == 1 and labels[15, 10] == labels[51, 50] == 0  # inclusive corners
    assert labels[21, 18] == 2 and labels[30, 30] == 3 and labels[26, 42] == 4 and labels[41, 21] == 5
    assert labels[43, 30] == 6


def test_label_channel_is_nearest_resized():
    frame = textured_frame(np.random.default_rng(0))
    structure = face_structure(RECTANGLE_FACE, frame, FRAME_SIZE, (128, 128))
    labels = structure[15]
    assert structure.shape == (16, 128, 128) and structure.dtype == np.float32
    assert {value: int((labels == value).sum()) for value in range(7)} == {k: 4 * v for k, v in RECTANGLE_AREAS.items()}


def test_edge_map_lies_on_the_fitted_polylines():
    edges, distances = edge_maps(POINTS, FRAME_SIZE, FRAME_SIZE, with_distance=False)
    assert distances == [] and set(np.unique(edges)) == {0, 255}
    union = np.zeros(FRAME_SIZE, bool)
    for line in POLYLINES:
        pixels = polyline_pixels(POINTS, line)
        assert pixels.any()
        ys, xs = np.nonzero(pixels)
        # every curve pixel within 2 pixels (max-norm) of a segment of its polyline
        segments = [(POINTS[a], POINTS[b]) for a, b in zip(line[:-1], line[1:])]
        for x, y in zip(xs, ys):
            assert min(_distance_to_segment(np.array([x, y]), a, b) for a, b in segments) <= 2, (line, x, y)
        union |= pixels
    assert np.array_equal(edges > 0, union)


def _distance_to_segment(point, a, b):
    direction = b - a
    t = np.clip((point - a) @ direction / max(direction @ direction, 1e-9), 0, 1)
    return np.abs(point - (a + t * direction)).max()


def test_edges_are_scaled_to_the_output_size():
    small, _ = edge_maps(POINTS, FRAME_SIZE, FRAME_SIZE, with_distance=False)
    large, _ = edge_maps(POINTS, FRAME_SIZE, (256, 256), with_distance=False)
    ys, xs = np.nonzero(large)
    assert large.shape == (256, 256) and xs.min() >= 4 * 10 - 4 and xs.max() <= 4 * 50 + 4
    assert ys.min() >= 4 * 16 - 4 and ys.max() <= 4 * 50 + 4 and (large > 0).sum() > 3 * (small > 0).sum()


def test_fit_curve_samples_and_drops():
    x, y = fit_curve(np.array([0, 10]), np.array([0, 5]))  # a line: x_end - x_start samples, truncated
    assert len(x) == 10 and x[0] == 0 and x[-1] == 10 and np.abs(y - 0.5 * x).max() < 1
    x, y = fit_curve(np.array([10, 12, 14]), np.array([0, 20, 40]))  # steep: fitted as x(y)
    assert len(y) == 40 and y[0] == 0 and y[-1] == 40 and np.abs(x - (10 + y / 10)).max() < 1
    x, y = fit_curve(np.array([14, 10, 6]), np.array([5, 5, 5]))  # right to left: sampled left to right
    assert x[0] == 6 and x[-1] == 14
    assert fit_curve(np.array([10, 10, 12]), np.array([30, 50, 50])) == (None, None)  # two points in one row
    x, y = fit_curve(np.array([7, 7]), np.array([9, 9]))  # one point: nothing drawn
    assert x.size == 0


def test_distance_maps_grow_away_from_their_polyline():
    frame = textured_frame(np.random.default_rng(1))
    structure = face_structure(RECTANGLE_FACE, frame, FRAME_SIZE, FRAME_SIZE)
    rows, cols = np.indices(FRAME_SIZE)
    for channel, line in enumerate(POLYLINES, start=1):
        pixels = polyline_pixels(POINTS, line)
        # brute-force city-block distance to the nearest curve pixel, // 3
        ys, xs = np.nonzero(pixels)
        l1 = np.min(np.abs(rows[..., None] - ys) + np.abs(cols[..., None] - xs), axis=-1)
        expected = np.minimum(l1 // 3, 255).astype(np.uint8)
        assert np.array_equal(distance_map(pixels.astype(np.uint8) * 255), expected)
        assert np.array_equal(structure[channel], expected.astype(np.float32) / np.float32(255))
        assert (structure[channel][pixels] == 0).all()
    # the nose bridge 28 -> 31 is drawn in columns 27..28 (rows 30..36 in column 28): exact values
    bridge = structure[1 + POLYLINES.index([28, 31])] * 255
    assert [round(float(bridge[33, col])) for col in (28, 31, 37, 46, 63)] == [0, 1, 3, 6, 11]


def test_a_polyline_without_pixels_has_a_saturated_distance_map():
    landmarks = RECTANGLE_FACE.copy()
    landmarks[31] = landmarks[28]  # the bridge 28 -> 31 becomes one point: nothing drawn
    structure = face_structure(landmarks, textured_frame(np.random.default_rng(2)), FRAME_SIZE, FRAME_SIZE)
    assert (structure[1 + POLYLINES.index([28, 31])] == 1).all()


@pytest.mark.parametrize("with_background", [True, False])
def test_background_edges_only_outside_the_face(with_background):
    frame = textured_frame(np.random.default_rng(3))
    structure = face_structure(RECTANGLE_FACE, frame, FRAME_SIZE, FRAME_SIZE, with_background=with_background)
    curves, _ = edge_maps(POINTS, FRAME_SIZE, FRAME_SIZE, with_distance=False)
    edges = np.rint(structure[0] * 255).astype(np.uint8)
    added = edges != curves
    if not with_background:
        assert not added.any()
        return
    assert added.sum() > 200  # the stripes outside the face
    assert (structure[15][added] == 0).all()
    assert not (added & (structure[15] > 0)).any() and (edges[structure[15] > 0] == curves[structure[15] > 0]).all()


def test_without_distance_maps_two_channels():
    frame = textured_frame(np.random.default_rng(4))
    full = face_structure(RECTANGLE_FACE, frame, FRAME_SIZE, FRAME_SIZE)
    short = face_structure(RECTANGLE_FACE, frame, FRAME_SIZE, FRAME_SIZE, with_distance=False)
    assert short.shape == (2, 64, 64) and np.array_equal(short, full[[0, 15]])
