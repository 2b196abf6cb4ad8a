"""Skeleton files of the animation datasets: one OpenPose-style JSON file per frame.

``{"people": [{"pose_keypoints_2d": [x0, y0, s0, x1, y1, s1, ...]}, ...]}`` with coordinates in
the frame's pixels and a coordinate of exactly 0 for a missing joint; the first person is used
and an empty ``people`` list means nobody was found (original: util/openpose_utils.py,
obtain_2d_cords; data/dance_dataset.py, DanceDataset.load_skeleton).
"""
import json
import math

import numpy as np

from util.atomic import atomic_write_text
from util.errors import UserError


def read_skeleton(path, num_joints, layout):
    """The first person's joints in a skeleton JSON file.

    Args:
        path: the file.
        num_joints: joints the file must hold (17 for Human3.6M/COCO, 18 for OpenPose).
        layout: the skeleton's name, for messages (e.g. "OpenPose-18").
    Returns:
        float64 array [num_joints, 3] of (x, y, score), or None when ``people`` is empty.
    Raises:
        UserError: the file is missing, not JSON, not in this format, or holds another number of joints.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            content = json.load(handle)
    except FileNotFoundError:
        raise UserError(f"{path}: skeleton file not found; every frame needs one") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UserError(f"{path}: cannot read the skeleton JSON ({_one_line(error)}); re-create the file") from None
    people = content.get("people") if isinstance(content, dict) else None
    if not isinstance(people, list):
        raise UserError(f"{path}: expected a JSON object with a 'people' list (OpenPose format)")
    if not people:
        return None
    values = people[0].get("pose_keypoints_2d") if isinstance(people[0], dict) else None
    if not isinstance(values, list) or not all(_is_number(value) for value in values):
        raise UserError(f"{path}: people[0] needs a 'pose_keypoints_2d' list of numbers (x, y, score per joint)")
    if len(values) != 3 * num_joints:
        raise UserError(f"{path}: {len(values)} values in pose_keypoints_2d ({len(values) / 3:g} joints); expected "
                        f"{3 * num_joints} (x, y, score of the {num_joints} joints of the {layout} skeleton)")
    return np.asarray(values, dtype=np.float64).reshape(num_joints, 3)


def write_skeleton(path, points, scores=None, version=None):
    """Write one person's skeleton as a JSON file (atomically).

    Args:
        path: the file.
        points: [J, 2] (x, y) in pixels, 0 for a missing coordinate; None writes an empty ``people`` list.
        scores: [J] confidences (default 1 for every joint).
        version: optional ``"version"`` entry (the motion-extraction net writes "Video to Pose 2D").
    """
    content = {} if version is None else {"version": version}
    if points is None:
        content["people"] = []
    else:
        points = np.asarray(points, dtype=np.float64)
        scores = np.ones(len(points)) if scores is None else np.asarray(scores, dtype=np.float64)
        flat = np.concatenate([points, scores[:, None]], axis=1).reshape(-1)
        content["people"] = [{"pose_keypoints_2d": [round(float(value), 3) for value in flat]}]
    atomic_write_text(path, json.dumps(content))


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _one_line(error):
    return " ".join(str(error).split())
