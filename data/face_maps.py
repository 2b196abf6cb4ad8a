"""The 16 structure channels of a face frame, drawn from its 68 landmarks.

Ported from the original's face dataset (original: data/face_dataset.py, FaceDataset.read_keypoints,
draw_face_edges and get_face_image; data/keypoint2img.py, interpPoints and drawEdge):

* 15 points above the eyes, the jaw points 1..15 mirrored about the line through the jaw's ends
  and shrunk to 2/3, close the face outline (indices 68..82);
* a part label map (0 background, 1 face, 2 eyebrows, 3 nose, 4 eyes, 5 lips, 6 inner mouth),
  polygons filled at the frame's size, then nearest-resized;
* 14 polylines (face outline, 2 eyebrows, 3 nose lines, 2 per eye, 2 per lip contour), each drawn
  as curves fitted through overlapping point triples, 1 pixel wide, into one edge map;
* per polyline, its L1 (city-block) distance map divided by 3, clipped to [0, 255];
* Canny edges of the frame outside the face, added to the edge map.

Channels: 0 edge map, 1..14 distance maps (both / 255, in [0, 1]), 15 label map (0..6).

Polygon filling and the distance transform are OpenCV's (``cv2.fillPoly``, ``cv2.distanceTransform``
with ``DIST_L1``), as in the original: they are the definitions of the maps, and no library already
used matches them (scikit-image's polygon fill selects the pixels whose centres lie inside, cv2 adds
its 8-connected outline and a fixed-point scan conversion, so the label areas differ; scipy's
taxicab distance transform equals cv2's except on an image without edges, where it returns -1).
"""
import warnings

import cv2
import numpy as np
from PIL import Image
from scipy.optimize import curve_fit
from skimage import feature

from data.face_landmarks import NUM_LANDMARKS

# (label, polylines) of each face part; a part's polygon is its polylines joined end to end.
FACE_PARTS = (
    (1, ([*range(0, 17), *range(68, 83), 0],)),                   # face outline, closed over the forehead
    (2, ([*range(17, 22)],)),                                      # right eyebrow
    (2, ([*range(22, 27)],)),                                      # left eyebrow
    (3, ([28, 31], [*range(31, 36)], [35, 28])),                   # nose
    (4, ([36, 37, 38, 39], [39, 40, 41, 36])),                     # right eye
    (4, ([42, 43, 44, 45], [45, 46, 47, 42])),                     # left eye
    (5, ([*range(48, 55)], [54, 55, 56, 57, 58, 59, 48])),         # lips
    (6, ([*range(60, 65)], [64, 65, 66, 67, 60])),                 # inner mouth
)
POLYLINES = tuple(line for _, lines in FACE_PARTS for line in lines)  # the 14 edge curves, in channel order
STRUCTURE_CHANNELS = 2 + len(POLYLINES)   # edges, distance maps, labels
_POINTS_PER_CURVE = 3                     # a polyline is drawn as curves through overlapping triples
_EDGE = 255


def with_upper_face(landmarks):
    """[68, 2] (x, y) landmarks -> float64 [83, 2] with the 15 mirrored upper-face points appended.

    ``y = b + (b - y_jaw) * 2 // 3`` with ``b`` the mean height of jaw points 0 and 16 (jaw points
    truncated to integers first; the result truncated too), in reverse order (68 mirrors point 15).
    """
    landmarks = np.asarray(landmarks, dtype=np.float64)
    if landmarks.shape != (NUM_LANDMARKS, 2):
        raise ValueError(f"landmarks: expected shape ({NUM_LANDMARKS}, 2), got {landmarks.shape}")
    jaw = landmarks[:17].astype(np.int32)
    baseline = (jaw[0, 1] + jaw[-1, 1]) / 2
    upper = jaw[1:-1].copy()
    upper[:, 1] = baseline + (baseline - upper[:, 1]) * 2 // 3  # float -> int32: truncated
    return np.vstack((landmarks, upper[::-1]))


def part_labels(points, frame_size):
    """uint8 [H, W] part labels (0..6) of the 83 ``points`` at ``frame_size`` (H, W); later parts on top."""
    labels = np.zeros(frame_size, np.uint8)
    for label, lines in FACE_PARTS:
        polygon = points[[index for line in lines for index in line]].astype(np.int32)
        cv2.fillPoly(labels, [polygon], label)
    return labels


def fit_curve(x, y):
    """Integer pixels of the curve through 2 or 3 integer points (original: interpPoints).

    A line (2 points) or parabola (3 points) ``y(x)`` fitted by least squares, or ``x(y)`` when the
    points spread less along x than along y; sampled at ``x_end - x_start`` evenly spaced
    positions (so the last pixel column is reached with a step slightly above 1) and truncated.
    A parabola with ``|a| > 1`` is dropped: returns (None, None). So is a fit that does not
    converge (e.g. a triple with two points in one column), where the original crashed.
    """
    if np.abs(np.diff(x)).max() < np.abs(np.diff(y)).max():
        curve_y, curve_x = fit_curve(y, x)
        return curve_x, curve_y
    model = _parabola if len(x) >= 3 else _line
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate triples: the covariance cannot be estimated
        try:
            params, _ = curve_fit(model, x, y)
        except RuntimeError:  # no convergence
            return None, None
    if model is _parabola and abs(params[0]) > 1:
        return None, None
    if x[0] > x[-1]:
        x = x[::-1]
    curve_x = np.linspace(x[0], x[-1], x[-1] - x[0])
    return curve_x.astype(int), model(curve_x, *params).astype(int)


def _parabola(x, a, b, c):
    return a * x ** 2 + b * x + c


def _line(x, a, b):
    return a * x + b


def draw_curve(image, x, y):
    """Set the pixels (x, y) of ``image`` to 255, clamped to the image (original: drawEdge with bw=0)."""
    if x is None or not x.size:
        return
    height, width = image.shape
    image[np.clip(y, 0, height - 1), np.clip(x, 0, width - 1)] = _EDGE


def edge_maps(points, frame_size, out_size, with_distance=True):
    """The edge map and the per-polyline distance maps of the 83 ``points``.

    Args:
        points: float [83, 2] (x, y) in the frame's pixels (``with_upper_face``).
        frame_size: (H, W) of the frame the points belong to.
        out_size: (H, W) of the maps.
        with_distance: also compute the 14 distance maps.
    Returns:
        (edges uint8 [H, W] with curves at 255, list of 14 uint8 [H, W] distance maps or []).
    """
    (height, width), (out_height, out_width) = frame_size, out_size
    edges = np.zeros(out_size, np.uint8)
    distances = []
    for line in POLYLINES:
        line_edges = np.zeros(out_size, np.uint8)
        for start in range(0, max(1, len(line) - 1), _POINTS_PER_CURVE - 1):
            piece = line[start:start + _POINTS_PER_CURVE]
            # float32 then truncation, as the original
            x = (points[piece, 0].astype(np.float32) / width * out_width).astype(np.int64)
            y = (points[piece, 1].astype(np.float32) / height * out_height).astype(np.int64)
            curve_x, curve_y = fit_curve(x, y)
            draw_curve(edges, curve_x, curve_y)
            draw_curve(line_edges, curve_x, curve_y)
        if with_distance:
            distances.append(distance_map(line_edges))
    return edges, distances


def distance_map(line_edges):
    """uint8 L1 distance to the nearest edge pixel / 3, truncated, clipped to 255 (255 without edges)."""
    distance = cv2.distanceTransform(_EDGE - line_edges, cv2.DIST_L1, 3)
    return np.clip(distance / 3, 0, 255).astype(np.uint8)


def background_edges(frame, labels):
    """Boolean Canny edges (scikit-image, sigma 1) of the frame outside the face.

    Args:
        frame: RGB PIL image, bilinear-resized to the labels' size before detection.
        labels: uint8 [H, W] part labels at the output size; edges where they are non-zero are dropped.
    """
    grey = frame.resize(labels.shape[::-1], Image.BILINEAR).convert("L")
    return feature.canny(np.asarray(grey)) & (labels == 0)


def face_structure(landmarks, frame, frame_size, out_size, with_distance=True, with_background=True):
    """The structure channels of one frame.

    Args:
        landmarks: [68, 2] (x, y) landmarks in the pixels of a frame of ``frame_size``.
        frame: RGB PIL image of the frame (for the background edges).
        frame_size: (H, W) the landmarks refer to (the original: the clip's first frame).
        out_size: (H, W) of the channels.
        with_distance: include the 14 distance maps (``--no_dist_map`` leaves them out).
        with_background: add the Canny background edges (``--no_canny_edge`` leaves them out).
    Returns:
        float32 [16, H, W]: edges and distance maps in [0, 1], labels 0..6; [2, H, W] without
        the distance maps.
    """
    points = with_upper_face(landmarks)
    labels = part_labels(points, frame_size)
    labels = np.asarray(Image.fromarray(labels).resize(out_size[::-1], Image.NEAREST))
    edges, distances = edge_maps(points, frame_size, out_size, with_distance)
    if with_background:
        # uint8 sum as the original: a face curve pixel that is also a background edge wraps to 254
        edges += background_edges(frame, labels).astype(np.uint8) * np.uint8(_EDGE)
    scaled = np.stack([edges, *distances]).astype(np.float32) / np.float32(255)
    return np.concatenate([scaled, labels[None].astype(np.float32)])
