"""A synthetic person moving: smooth joint angles of the articulated figure (``pose``) over a video,
and the skeletons the animation datasets store for it.

The motion is a walk cycle (legs swinging in turn, arms against them, a small bob), a slow body
turn, lean and head movement, now and then an arm raised in a wave, and a drift across the frame;
every frame is placed with the same scale and offset, so the motion stays smooth. From the placed
figure come the clean Human3.6M-17 skeleton (exact) and a noisy OpenPose-18 one, as a pose
detector gives: jitter, now and then a joint thrown off, missing joints.
"""
import numpy as np

from data.synthetic.pose import PoseAngles, SideAngles, figure_points, fit_into_frame
from util.skeleton import JOINT_NAMES
from util.skeleton_formats import HUMAN36M_17, OPENPOSE_18

_J = {name: i for i, name in enumerate(JOINT_NAMES)}
_HEAD = len(JOINT_NAMES)  # the head centre follows the joints in figure_points


def _figure_joint(name):
    """The figure's joint of an OpenPose name: 'RShoulder' -> 'right_shoulder', 'Nose' -> 'nose'."""
    side = {"R": "right_", "L": "left_"}.get(name[0]) if name[1].isupper() else None
    return side + name[1:].lower() if side else name.lower()


_OPENPOSE_JOINTS = [_J[_figure_joint(name)] for name in OPENPOSE_18]
_FACE_JOINTS = [OPENPOSE_18.index(name) for name in ("REye", "LEye", "REar", "LEar")]


def sample_dance(rng, shape, frames, frame_size, margin=2):
    """Placed figure points of a video.

    Args:
        rng: numpy Generator.
        shape: data.synthetic.pose.BodyShape of the figure.
        frames: number of frames.
        frame_size: (H, W) in pixels.
        margin: the figure stays this many pixels inside the frame.
    Returns:
        (points, scale): float64 [frames, 19, 2] (x, y) of the 18 joints (``util.skeleton`` order)
        and the head centre, and the figure's scale (1 unless shrunk to fit).
    """
    time = np.arange(frames, dtype=np.float64)

    def wave(amplitude, low=30.0, high=80.0):
        """A slow random signal in [-amplitude, amplitude]."""
        period, phase = rng.uniform(low, high), rng.uniform(0, 2 * np.pi)
        return amplitude * np.sin(2 * np.pi * time / period + phase)

    step = np.sin(2 * np.pi * time / rng.uniform(18, 30) + rng.uniform(0, 2 * np.pi))  # the walk cycle
    lean, turn, head_tilt, yaw = wave(5), 0.775 + wave(0.2), wave(8), wave(0.25)
    waves = np.zeros((2, frames))
    for side in range(2):  # now and then a raised arm: a smooth bump of 40-80 frames
        for centre in rng.uniform(0, frames, size=rng.poisson(frames / 60)):
            waves[side] += rng.uniform(60, 100) * np.exp(-((time - centre) / rng.uniform(10, 20)) ** 2)
    drift = wave(0.6 * shape.hip_half_width * 2, 60, 120)
    points = []
    for t in range(frames):
        sides = [SideAngles(raise_angle=12 - sign * 18 * step[t] + waves[index, t],
                            elbow_bend=25 + 12 * sign * step[t] + 0.5 * waves[index, t], forearm=0.9,
                            spread=8 + sign * 12 * step[t], knee_bend=8 + 20 * max(0.0, sign * step[t]),
                            thigh=0.95) for index, sign in enumerate((1, -1))]
        angles = PoseAngles(lean[t], turn[t], head_tilt[t], yaw[t], *sides)
        bob = np.array([drift[t], -0.02 * shape.thigh * abs(step[t])])
        points.append(figure_points(shape, angles) + bob)
    return fit_into_frame(rng, np.stack(points), shape.head_radius, frame_size, margin)


def human36m_skeleton(points, shape, scale):
    """The clean Human3.6M-17 skeleton, float64 [17, 2] (x, y), of placed figure points [19, 2].

    Hip is the hips' middle, Thorax the neck, Spine half-way between them, Neck/Nose the nose, Head
    the top of the head.
    """
    joint = {name: points[_J[name]] for name in JOINT_NAMES}
    hip, neck, head = (joint["right_hip"] + joint["left_hip"]) / 2, joint["neck"], points[_HEAD]
    up = (head - neck) / max(np.linalg.norm(head - neck), 1e-6)
    named = {"Hip": hip, "Spine": (hip + neck) / 2, "Thorax": neck, "Neck/Nose": joint["nose"],
             "Head": head + up * 0.9 * shape.head_radius * scale}
    for side, prefix in (("right", "R"), ("left", "L")):
        named.update({f"{prefix}Hip": joint[f"{side}_hip"], f"{prefix}Knee": joint[f"{side}_knee"],
                      f"{prefix}Foot": joint[f"{side}_ankle"], f"{prefix}Shoulder": joint[f"{side}_shoulder"],
                      f"{prefix}Elbow": joint[f"{side}_elbow"], f"{prefix}Wrist": joint[f"{side}_wrist"]})
    return np.stack([named[name] for name in HUMAN36M_17])


def openpose_skeleton(points):
    """The figure's joints in OpenPose-18 order, float64 [18, 2] (x, y)."""
    return points[_OPENPOSE_JOINTS]


def detector_noise(rng, joints, frame_size, missing_prob=0.04, jitter=0.008, outlier_prob=0.01):
    """What a pose detector makes of exact joints: jitter, now and then a joint thrown off, joints missing.

    Args:
        rng: numpy Generator.
        joints: float [J, 2] (x, y) exact joints.
        frame_size: (H, W); noisy joints stay inside the frame.
        missing_prob: chance that a joint is not found (twice that for eyes and ears of OpenPose-18).
        jitter: standard deviation of the jitter, as a fraction of the frame height.
        outlier_prob: chance that a joint is thrown off by up to a tenth of the frame height.
    Returns:
        (joints, scores): float64 [J, 2] with (0, 0) for missing joints, and [J] confidences (0 if missing).
    """
    height, width = frame_size
    count = len(joints)
    noisy = joints + rng.normal(0.0, jitter * height, size=(count, 2))
    outliers = rng.random(count) < outlier_prob
    noisy[outliers] += rng.uniform(-0.1, 0.1, size=(int(outliers.sum()), 2)) * height
    noisy = np.clip(noisy, 1.0, [width - 1.0, height - 1.0])
    chance = np.full(count, missing_prob)
    if count == len(OPENPOSE_18):
        chance[_FACE_JOINTS] *= 2
    missing = rng.random(count) < chance
    scores = np.where(outliers, rng.uniform(0.1, 0.4, size=count), rng.uniform(0.5, 0.95, size=count))
    noisy[missing], scores[missing] = 0.0, 0.0
    return noisy, scores
