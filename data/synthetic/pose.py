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


@dataclass(frozen=True)
class SideAngles:
    """The joint angles of one side: arm (degrees, fractions of the full forearm) and leg."""

    raise_angle: float    # upper arm from hanging down, outward positive
    elbow_bend: float
    forearm: float        # visible fraction of the forearm (foreshortened when pointing at the camera)
    spread: float         # thigh from straight down, outward positive
    knee_bend: float
    thigh: float          # visible fraction of the thigh


@dataclass(frozen=True)
class PoseAngles:
    """The articulation of a figure: body lean and turn, head tilt and turn, each side's limbs."""

    lean: float           # degrees
    turn: float           # 0.55 (side on) .. 1 (facing the camera): narrows shoulders and hips
    head_tilt: float      # degrees
    yaw: float            # face turn, in head radii
    right: SideAngles
    left: SideAngles


def sample_angles(rng):
    """Random ``PoseAngles`` from plausible ranges of a front-facing figure."""
    lean, turn = rng.uniform(-8, 8), rng.uniform(0.55, 1.0)
    head_tilt, yaw = rng.uniform(-12, 12), rng.uniform(-0.3, 0.3)
    sides = [SideAngles(rng.uniform(-15, 110), rng.uniform(-20, 130), rng.uniform(0.7, 1.0), rng.uniform(-4, 25),
                        rng.uniform(-10, 30), rng.uniform(0.85, 1.0)) for _ in range(2)]
    return PoseAngles(lean, turn, head_tilt, yaw, *sides)


def figure_points(shape, angles):
    """float64 [19, 2] (x, y) of the 18 joints (``JOINT_NAMES`` order) then the head centre, hips centred on 0."""
    lean = angles.lean
    up, right = -_direction(lean), _direction(lean + 90)
    joints = {"neck": up * shape.torso}
    head_up = -_direction(lean + angles.head_tilt)
    head_right = np.array([-head_up[1], head_up[0]])
    head = joints["neck"] + head_up * shape.neck
    yaw = angles.yaw * shape.head_radius
    radius = shape.head_radius
    joints["nose"] = head + head_right * yaw - head_up * 0.2 * radius
    for side, sign in (("right", -1), ("left", 1)):  # the person's right is the image's left
        limb = getattr(angles, side)
        joints[f"{side}_eye"] = head + head_right * (yaw + sign * 0.38 * radius) + head_up * 0.15 * radius
        joints[f"{side}_ear"] = head + head_right * (yaw * 0.3 + sign * 0.9 * radius)
        shoulder = joints["neck"] + right * sign * shape.shoulder_half_width * angles.turn
        elbow = shoulder + _direction(lean + sign * limb.raise_angle) * shape.upper_arm
        joints[f"{side}_shoulder"], joints[f"{side}_elbow"] = shoulder, elbow
        joints[f"{side}_wrist"] = (elbow + _direction(lean + sign * (limb.raise_angle - limb.elbow_bend))
                                   * (shape.forearm * limb.forearm))
        hip = right * sign * shape.hip_half_width * angles.turn
        knee = hip + _direction(sign * limb.spread) * shape.thigh * limb.thigh
        joints[f"{side}_hip"], joints[f"{side}_knee"] = hip, knee
        joints[f"{side}_ankle"] = knee + _direction(sign * (limb.spread - limb.knee_bend)) * shape.shin
    return np.stack([joints[name] for name in JOINT_NAMES] + [head])


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
    points = figure_points(shape, sample_angles(rng))
    points, scale = fit_into_frame(rng, points[None], shape.head_radius, frame_size, margin)
    return placed_pose(points[0], scale)


def placed_pose(points, scale):
    """The ``Pose`` of placed points (``figure_points`` layout): joints at the pixels holding them."""
    return Pose(np.floor(points[:-1, ::-1]).astype(np.int64), points[-1, ::-1].copy(), scale)


def fit_into_frame(rng, points, head_radius, frame_size, margin):
    """Shrink figures (points [N, 19, 2], ``figure_points`` layout) that do not fit, then place them inside.

    All N sets of points (the frames of a video) move alike, so that their motion is kept.
    Returns the moved points and the shrink factor (1 when they fit).
    """
    height, width = frame_size
    top = min(points[:, :, 1].min(), (points[:, -1, 1] - head_radius).min())
    low = np.array([points[:, :, 0].min(), top])
    high = points.reshape(-1, 2).max(axis=0)
    room = np.array([width - 1 - 2 * margin, height - 1 - 2 * margin], dtype=float)
    shrink = min(1.0, *(room / np.maximum(high - low, 1e-6)))
    points, low, high = points * shrink, low * shrink, high * shrink
    slack = room - (high - low)
    offset = margin - low + slack * rng.uniform(0.25, 0.75, size=2)
    return points + offset, shrink
