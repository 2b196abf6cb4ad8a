"""Draw a synthetic talking head from its 68 landmarks over a textured scene.

Everything is placed by the landmarks (``data.synthetic.face``), so the image follows the
landmark files exactly: a skin-coloured face polygon (the jaw closed by a forehead arc), hair
behind it, neck and shirt, eyebrows, eyes with irises, nostrils, lips and the open mouth. The
look (``FaceStyle``) is fixed per identity. Drawing reuses the person renderer's painter
(2x supersampled, then box-filtered).
"""
from dataclasses import dataclass

import numpy as np

from data.synthetic.render import SKIN_TONES, SUPERSAMPLE, Painter, draw_background, finish_image


@dataclass(frozen=True)
class FaceStyle:
    """The colours of one identity (RGB float triples)."""

    skin: tuple
    hair: tuple
    brows: tuple
    iris: tuple
    lips: tuple
    shirt: tuple


def sample_face_style(rng):
    """Random identity colours: skin tone (jittered), hair, brows, iris, lips, shirt."""
    skin = np.asarray(SKIN_TONES[rng.integers(len(SKIN_TONES))]) + rng.uniform(-12, 12, size=3)
    hair = rng.uniform(10, 140, size=3) * rng.uniform(0.4, 1.0)
    colour = lambda low, high: tuple(float(c) for c in rng.uniform(low, high, size=3))  # noqa: E731
    lips = np.clip(skin * [0.85, 0.55, 0.55] + rng.uniform(-15, 25, size=3), 0, 255)
    return FaceStyle(skin=tuple(map(float, np.clip(skin, 0, 255))), hair=tuple(map(float, hair)),
                     brows=tuple(map(float, hair * 0.7)), iris=colour(20, 150), lips=tuple(map(float, lips)),
                     shirt=colour(20, 235))


def draw_scene(rng, frame_size):
    """A supersampled float background [S H, S W, 3]: a wall and floor with a few coloured shapes on it."""
    height, width = frame_size[0] * SUPERSAMPLE, frame_size[1] * SUPERSAMPLE
    painter = Painter(draw_background(rng, (height, width), "textured"))
    for _ in range(int(rng.integers(3, 7))):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        size = rng.uniform(0.05, 0.2) * min(height, width)
        colour = rng.uniform(20, 235, size=3)
        if rng.random() < 0.5:
            painter.disc((x, y), size / 2, colour)
        else:
            painter.polygon([(x, y), (x + size, y), (x + size, y + 0.7 * size), (x, y + 0.7 * size)], colour)
    return painter.canvas


def render_face(rng, scene, landmarks, style):
    """Draw one frame.

    Args:
        rng: numpy Generator (sensor noise).
        scene: the video's background, ``draw_scene`` (not modified).
        landmarks: float [68, 2] (x, y) pixel landmarks (``face_landmarks``).
        style: FaceStyle of the identity.
    Returns:
        RGB PIL image of the scene's size.
    """
    points = (np.asarray(landmarks, dtype=np.float64) + 0.5) * SUPERSAMPLE
    painter = Painter(scene.copy())
    unit = np.linalg.norm(points[16] - points[0]) / 2  # the face's half-width
    chin, temples = points[8], (points[0] + points[16]) / 2
    down = (chin - temples) / max(np.linalg.norm(chin - temples), 1e-6)
    skin = np.asarray(style.skin)
    painter.disc(chin + down * 2.3 * unit, 1.6 * unit, style.shirt)                      # shoulders
    painter.limb([temples + down * 0.8 * unit, chin + down * 1.6 * unit], 1.1 * unit, skin * 0.85)  # neck
    forehead = _forehead(points)
    hair = np.vstack([points[0], forehead, points[16]])
    painter.polygon(temples + (hair - temples) * 1.15 - down * 0.12 * unit, style.hair)
    painter.polygon(np.vstack([points[0:17], forehead]), style.skin)
    for brow in (points[17:22], points[22:27]):
        painter.limb(brow, 0.11 * unit, style.brows)
    for eye in (points[36:42], points[42:48]):
        painter.polygon(eye, (245.0, 245.0, 240.0))
        half_height = (np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])) / 4
        if half_height > SUPERSAMPLE:
            centre = eye.mean(axis=0)
            painter.disc(centre, 0.9 * half_height, style.iris)
            painter.disc(centre, 0.4 * half_height, (15.0, 15.0, 15.0))
    painter.limb(points[27:31], 0.08 * unit, skin * 0.9)                                 # nose bridge
    painter.polygon(np.vstack([points[31:36], points[30]]), skin * 0.8)                  # nostrils
    painter.polygon(points[48:60], style.lips)
    painter.polygon(points[60:68], (60.0, 20.0, 25.0))                                   # inner mouth
    return finish_image(rng, painter.canvas)


def _forehead(points):
    """Points closing the face above the eyes: jaw points 15..1 mirrored about the temples, shrunk to 0.8."""
    temples = (points[0] + points[16]) / 2
    axis = (points[16] - points[0]) / max(np.linalg.norm(points[16] - points[0]), 1e-6)
    offsets = points[15:0:-1] - temples
    along = offsets @ axis
    return temples + np.outer(along, axis) - 0.8 * (offsets - np.outer(along, axis))

