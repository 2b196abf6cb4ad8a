"""Articulated 2-D poses of a synthetic person, as the 18 OpenPose-COCO keypoints of ``util.skeleton``.

A figure has fixed body proportions (``BodyShape``); each pose samples joint angles (torso lean,
head tilt and turn, shoulder/elbow/hip/knee angles, body turn that narrows the shoulders) from
plausible ranges of a front-facing template, then fits the figure into the image frame.
Angles are in degrees, measured from "straight down" and positive toward the image's right.
"""
import math
from dataclasses import dataclass

import numpy as np

from util.skeleton import JOINT_NAMES


@dataclass(frozen=True)
class Pose:
    """A placed pose: int keypoints [18, 2] of (row, col), the head centre (y, x) and the figure's scale."""

    keypoints: np.ndarray
    head: np.ndarray
    scale: float


@dataclass(frozen=True)
class BodyShape:
    """Segment lengths and widths of one figure, in pixels."""

    torso: float
    neck: float
    head_radius: float
    shoulder_half_width: float
    hip_half_width: float
    upper_arm: float
    forearm: float
    thigh: float
    shin: float
    arm_width: float
    leg_width: float


def sample_body_shape(rng, frame_size):
    """Proportions of a new figure whose standing height fills 75-90 % of the frame.

    Args:
        rng: numpy Generator.
        frame_size: (H, W) of the image in pixels.

    Returns:
        BodyShape in pixels.
    """
    jitter = lambda: rng.uniform(0.92, 1.08)  # noqa: E731 - one draw per proportion
    widen = lambda: rng.uniform(0.85, 1.2)  # noqa: E731
    unit = dict(torso=0.30 * jitter(), neck=0.085 * jitter(), head_radius=0.06 * jitter(),
                shoulder_half_width=0.105 * widen(), hip_half_width=0.07 * widen(),
                upper_arm=0.16 * jitter(), forearm=0.14 * jitter(), thigh=0.22 * jitter(), shin=0.21 * jitter(),
                arm_width=0.045 * widen(), leg_width=0.06 * widen())
    standing = unit["head_radius"] + unit["neck"] + unit["torso"] + unit["thigh"] + unit["shin"]
    scale = rng.uniform(0.75, 0.9) * frame_size[0] / standing
    return BodyShape(**{key: value * scale for key, value in unit.items()})


def _direction(degrees):
    """Unit vector (x, y) pointing ``degrees`` away from straight down, toward +x for positive angles."""
    radians = math.radians(degrees)
    return np.array([math.sin(radians), math.cos(radians)])


def sample_pose(rng, shape, frame_size, margin=2):
    """Sample one pose of the figure and place it inside the frame.

    Args:
        rng: numpy Generator.
        shape: BodyShape of the figure.
        frame_size: (H, W) of the image.
        margin: keypoints stay at least this many pixels inside the frame.

    Returns:
        Pose; its keypoints are integer pixels inside the frame.
    """
    lean = rng.uniform(-8, 8)
    turn = rng.uniform(0.55, 1.0)  # shoulders and hips narrow as the body turns
    up, right = -_direction(lean), _direction(lean + 90)
    joints = {"neck": up * shape.torso}
    head_up = -_direction(lean + rng.uniform(-12, 12))
    head_right = np.array([-head_up[1], head_up[0]])
    head = joints["neck"] + head_up * shape.neck
    yaw = rng.uniform(-0.3, 0.3) * shape.head_radius
    radius = shape.head_radius
    joints["nose"] = head + head_right * yaw - head_up * 0.2 * radius
    for side, sign in (("right", -1), ("left", 1)):  # the person's right is the image's left
        joints[f"{side}_eye"] = head + head_right * (yaw + sign * 0.38 * radius) + head_up * 0.15 * radius
        joints[f"{side}_ear"] = head + head_right * (yaw * 0.3 + sign * 0.9 * radius)
        shoulder = joints["neck"] + right * sign * shape.shoulder_half_width * turn
        raise_angle = rng.uniform(-15, 110)
        elbow_bend = rng.uniform(-20, 130)
        elbow = shoulder + _direction(lean + sign * raise_angle) * shape.upper_arm
        forearm = shape.forearm * rng.uniform(0.7, 1.0)  # foreshortened when pointing at the camera
        joints[f"{side}_shoulder"], joints[f"{side}_elbow"] = shoulder, elbow
        joints[f"{side}_wrist"] = elbow + _direction(lean + sign * (raise_angle - elbow_bend)) * forearm
        hip = right * sign * shape.hip_half_width * turn
        spread, knee_bend = rng.uniform(-4, 25), rng.uniform(-10, 30)
        knee = hip + _direction(sign * spread) * shape.thigh * rng.uniform(0.85, 1.0)
        joints[f"{side}_hip"], joints[f"{side}_knee"] = hip, knee
        joints[f"{side}_ankle"] = knee + _direction(sign * (spread - knee_bend)) * shape.shin
    # (x, y) of the joints then the head centre; the hip centre is at the origin
    points = np.stack([joints[name] for name in JOINT_NAMES] + [head])
    points, scale = _fit_into_frame(rng, points, radius, frame_size, margin)
    # Keypoints are the pixels (row, col) holding the joints; the head centre stays continuous.
    return Pose(np.floor(points[:-1, ::-1]).astype(np.int64), points[-1, ::-1].copy(), scale)


def _fit_into_frame(rng, points, head_radius, frame_size, margin):
    """Shrink the figure (x, y points, the head centre last) if it does not fit, then place it inside.

    Returns the moved points and the shrink factor (1 when the figure fits).
    """
    height, width = frame_size
    top = min(points[:, 1].min(), points[-1, 1] - head_radius)
    low = np.array([points[:, 0].min(), top])
    high = points.max(axis=0)
    room = np.array([width - 1 - 2 * margin, height - 1 - 2 * margin], dtype=float)
    shrink = min(1.0, *(room / np.maximum(high - low, 1e-6)))
    points, low, high = points * shrink, low * shrink, high * shrink
    slack = room - (high - low)
    offset = margin - low + slack * rng.uniform(0.25, 0.75, size=2)
    return points + offset, shrink
