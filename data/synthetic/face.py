"""Synthetic talking heads: 68 face landmarks (iBUG / dlib layout) that move over a video.

A face is a rigid 3D template (``FaceShape``: proportions fixed per identity) with three
non-rigid controls, the jaw opening, the mouth opening and the eyelids, seen under a head pose
(yaw, pitch, roll) at some position and size in the frame, projected orthographically.
``sample_motion`` draws smooth random trajectories of all of these for a video, with
occasional blinks, so consecutive frames differ a little and a video covers a range of poses.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FaceShape:
    """Proportions of one face, in units of the face's half-width."""

    width: float          # half-width of the jaw at the temples
    jaw_length: float     # temples to chin
    eye_spacing: float    # half the distance between the eye centres
    eye_size: float       # half-width of an eye
    brow_height: float    # eye centre to brow
    nose_length: float    # eye line to nostrils
    mouth_width: float    # half-width of the lips


@dataclass(frozen=True)
class FaceMotion:
    """The state of a face in one frame."""

    yaw: float            # radians, turning left/right
    pitch: float          # radians, nodding
    roll: float           # radians, tilting in the image plane
    jaw_open: float       # 0 closed .. ~0.3 wide open (face units)
    eyes_open: float      # 0 closed .. 1 open
    center: tuple         # (x, y) pixels of the face centre
    scale: float          # pixels per face unit


def sample_face_shape(rng):
    """Random face proportions (one identity)."""
    return FaceShape(width=float(rng.uniform(0.9, 1.08)), jaw_length=float(rng.uniform(1.1, 1.4)),
                     eye_spacing=float(rng.uniform(0.38, 0.46)), eye_size=float(rng.uniform(0.16, 0.21)),
                     brow_height=float(rng.uniform(0.2, 0.28)), nose_length=float(rng.uniform(0.55, 0.7)),
                     mouth_width=float(rng.uniform(0.3, 0.42)))


def sample_motion(rng, frames, frame_size):
    """Smooth random ``FaceMotion`` per frame of a video of ``frames`` frames of ``frame_size`` (H, W)."""
    time = np.arange(frames, dtype=np.float64)

    def wave(amplitude, period_low=10.0, period_high=30.0):
        """A random smooth signal in [-amplitude, amplitude]: two sines of random periods and phases."""
        periods = rng.uniform(period_low, period_high, size=2)
        phases = rng.uniform(0, 2 * np.pi, size=2)
        return amplitude * 0.5 * (np.sin(2 * np.pi * time[:, None] / periods + phases)).sum(axis=1)

    height, width = frame_size
    yaw, pitch, roll = wave(0.45), wave(0.2), wave(0.18)
    jaw_open = np.clip(0.1 + wave(0.2, 6, 16), 0, 0.3)
    eyes_open = np.ones(frames)
    for start in np.flatnonzero(rng.random(frames) < 0.08):  # blinks: closing and opening over 3 frames
        eyes_open[start:start + 3] = np.minimum(eyes_open[start:start + 3], [0.4, 0.0, 0.5][:frames - start])
    base_scale = min(height, width) * rng.uniform(0.24, 0.3)
    scale = base_scale * (1 + wave(0.06))
    center_x = width * (0.5 + rng.uniform(-0.06, 0.06)) + wave(0.04 * width)
    center_y = height * (0.45 + rng.uniform(-0.04, 0.04)) + wave(0.03 * height)
    return [FaceMotion(float(yaw[t]), float(pitch[t]), float(roll[t]), float(jaw_open[t]), float(eyes_open[t]),
                       (float(center_x[t]), float(center_y[t])), float(scale[t])) for t in range(frames)]


def face_landmarks(shape, motion):
    """float64 [68, 2] (x, y) pixel landmarks of a face ``shape`` in the state ``motion``."""
    points = _template(shape, motion.jaw_open, motion.eyes_open)
    rotated = points @ _rotation(motion.yaw, motion.pitch, motion.roll).T
    return rotated[:, :2] * motion.scale + np.asarray(motion.center)


def _template(shape, jaw_open, eyes_open):
    """[68, 3] (x right, y down, z towards the camera) points of the face, centred between the eyes."""
    points = np.zeros((68, 3))
    # jaw 0..16: the lower half of an ellipse from temple to temple; the chin drops with the jaw
    t = np.linspace(0, 1, 17)
    sine = np.sin(np.pi * t)
    points[0:17] = np.stack([-shape.width * np.cos(np.pi * t), 0.05 + (shape.jaw_length + jaw_open) * sine,
                             0.45 * sine], axis=1)
    eye_y = 0.0
    for side, (brow, eye) in ((-1, (17, 36)), (1, (22, 42))):
        # eyebrows: arches over the eyes, inner end first for the left brow (dlib order: image left to right)
        s = np.linspace(0, 1, 5)
        xs = side * (shape.eye_spacing + shape.eye_size * 1.3 * (np.where(side < 0, 1 - s, s) * 2 - 1))
        points[brow:brow + 5] = np.stack([xs, eye_y - shape.brow_height - 0.08 * np.sin(np.pi * s),
                                          np.full(5, 0.62)], axis=1)
        # eyes: corner, upper lid, corner, lower lid (dlib order)
        half_height = 0.42 * shape.eye_size * eyes_open + 0.01
        center, size = side * shape.eye_spacing, shape.eye_size
        outline = [(-1, 0), (-1 / 3, -1), (1 / 3, -1), (1, 0), (1 / 3, 1), (-1 / 3, 1)]
        points[eye:eye + 6] = [(center + dx * size, eye_y + dy * half_height, 0.6) for dx, dy in outline]
    # nose bridge 27..30 and nostrils 31..35
    nose_y = eye_y + shape.nose_length
    points[27:31] = [(0.0, eye_y + f * shape.nose_length * 0.8, 0.7 + 0.35 * f) for f in np.linspace(0, 1, 4)]
    points[31:36] = [(dx * 0.24, nose_y - 0.05 * (1 - abs(dx)), 0.75 + 0.1 * (1 - abs(dx)))
                     for dx in np.linspace(-1, 1, 5)]
    # lips 48..59 and the inner mouth 60..67; the lower lip follows the jaw
    mouth_y, half = nose_y + 0.3, shape.mouth_width
    upper = [(-1, 0), (-0.6, -0.07), (-0.25, -0.11), (0, -0.09), (0.25, -0.11), (0.6, -0.07), (1, 0)]
    lower = [(0.6, 0.1), (0.25, 0.14), (0, 0.15), (-0.25, 0.14), (-0.6, 0.1)]
    points[48:55] = [(dx * half, mouth_y + dy, 0.6) for dx, dy in upper]
    points[55:60] = [(dx * half, mouth_y + dy + jaw_open * (1 - 0.4 * abs(dx)), 0.6) for dx, dy in lower]
    inner_upper = [(-0.8, 0), (-0.3, -0.03), (0, -0.03), (0.3, -0.03), (0.8, 0)]
    inner_lower = [(0.3, 0.03), (0, 0.03), (-0.3, 0.03)]
    points[60:65] = [(dx * half, mouth_y + dy, 0.6) for dx, dy in inner_upper]
    points[65:68] = [(dx * half, mouth_y + dy + jaw_open * (1 - 0.4 * abs(dx)), 0.6) for dx, dy in inner_lower]
    points[:, 1] -= 0.1  # centre the face roughly on the origin
    return points


def _rotation(yaw, pitch, roll):
    """3x3 rotation: yaw about the vertical axis, then pitch about the horizontal, then roll in the image."""
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    yaw_matrix = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    pitch_matrix = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    roll_matrix = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return roll_matrix @ pitch_matrix @ yaw_matrix
