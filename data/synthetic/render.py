"""Draw a synthetic person: a textured articulated figure on a plain or lightly textured background.

The figure is built from its keypoints (``data.synthetic.pose``): trousered legs and shoes, a
torso polygon whose pattern (plain, stripes or checks) follows the torso's axis, sleeves and bare
forearms, neck, hair and face. Its look (``FigureStyle``) is fixed per figure, so two poses of
one figure make a meaningful pose-transfer pair. Drawing is 2x supersampled, then box-filtered.
"""
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from util.skeleton import JOINT_NAMES

_J = {name: i for i, name in enumerate(JOINT_NAMES)}
SUPERSAMPLE = 2
PATTERNS = ("plain", "horizontal_stripes", "vertical_stripes", "checks")
SKIN_TONES = ((241, 194, 167), (224, 172, 138), (198, 134, 94), (141, 85, 54), (92, 56, 38))


@dataclass(frozen=True)
class FigureStyle:
    """The look of one figure (RGB colours as float triples)."""

    skin: tuple
    hair: tuple
    shirt: tuple
    shirt_second: tuple
    pattern: str
    pattern_period: float  # in units of the shoulder width
    long_sleeves: bool
    trousers: tuple
    shoes: tuple
    eyes: tuple = (30.0, 30.0, 30.0)


def sample_style(rng):
    """A random figure look: clothing colours, torso pattern, sleeves, skin and hair."""
    colour = lambda low=20, high=235: tuple(rng.uniform(low, high, size=3))  # noqa: E731
    return FigureStyle(
        skin=tuple(float(c) for c in SKIN_TONES[rng.integers(len(SKIN_TONES))]), hair=colour(10, 120),
        shirt=colour(), shirt_second=colour(), pattern=PATTERNS[rng.integers(len(PATTERNS))],
        pattern_period=float(rng.uniform(0.15, 0.35)), long_sleeves=bool(rng.integers(2)),
        trousers=colour(10, 200), shoes=colour(0, 80))


def render_person(rng, pose, shape, style, frame_size, background="plain"):
    """Draw one image of a figure.

    Args:
        rng: numpy Generator (background texture and sensor noise).
        pose: data.synthetic.pose.Pose (integer keypoints, head centre, scale).
        shape: data.synthetic.pose.BodyShape of the figure.
        style: FigureStyle of the figure.
        frame_size: (H, W) of the image.
        background: 'plain' (near white, as DeepFashion) or 'textured' (a coloured scene with a
            floor and mild noise, as Market-1501).

    Returns:
        RGB PIL image of size W x H.
    """
    height, width = frame_size
    painter = Painter(draw_background(rng, (height * SUPERSAMPLE, width * SUPERSAMPLE), background))
    paint_figure(painter, pose, shape, style)
    return finish_image(rng, painter.canvas)


def paint_figure(painter, pose, shape, style):
    """Paint a figure onto a Painter's supersampled canvas (see ``render_person``)."""
    canvas = painter.canvas
    # keypoint (row, col) -> continuous (x, y) of the pixel centre, supersampled
    points = (pose.keypoints[:, ::-1] + 0.5) * SUPERSAMPLE
    head = pose.head[::-1] * SUPERSAMPLE
    size = pose.scale * SUPERSAMPLE
    arm_width, leg_width = shape.arm_width * size, shape.leg_width * size
    for side in ("right", "left"):
        hip, knee, ankle = (points[_J[f"{side}_{part}"]] for part in ("hip", "knee", "ankle"))
        painter.limb([hip, knee, ankle], leg_width, style.trousers)
        painter.disc(ankle + [0, leg_width * 0.3], leg_width * 0.6, style.shoes)
    torso_corners = [points[_J[name]] for name in ("right_shoulder", "left_shoulder", "left_hip", "right_hip")]
    painter.polygon(_widen(torso_corners, arm_width * 0.6), _torso_texture(canvas.shape, points, style, size, shape))
    neck, radius = points[_J["neck"]], shape.head_radius * size
    painter.limb([neck, head], radius * 0.7, style.skin)
    painter.disc(head - [0, radius * 0.15], radius * 1.05, style.hair)
    painter.disc(head + [0, radius * 0.1], radius * 0.9, style.skin)
    for eye in ("right_eye", "left_eye"):
        painter.disc(points[_J[eye]], max(radius * 0.12, 0.8), style.eyes)
    for side in ("right", "left"):
        shoulder, elbow, wrist = (points[_J[f"{side}_{part}"]] for part in ("shoulder", "elbow", "wrist"))
        painter.limb([elbow, wrist], arm_width * 0.85, style.shirt if style.long_sleeves else style.skin)
        painter.limb([shoulder, elbow], arm_width, style.shirt)
        painter.disc(wrist, arm_width * 0.55, style.skin)


def finish_image(rng, canvas):
    """A supersampled float canvas [S H, S W, 3] -> RGB PIL image W x H: box-filtered, mild sensor noise."""
    height, width = canvas.shape[0] // SUPERSAMPLE, canvas.shape[1] // SUPERSAMPLE
    image = canvas.reshape(height, SUPERSAMPLE, width, SUPERSAMPLE, 3).mean(axis=(1, 3))
    image += rng.normal(0.0, 2.0, size=image.shape)
    return Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8))


class Painter:
    """Composites flat colours or textures through anti-aliasing-free masks onto a float canvas [H, W, 3]."""

    def __init__(self, canvas):
        self.canvas = canvas

    def _paint(self, draw_mask, colour):
        """Blend ``colour`` (an RGB triple or an array [H, W, 3]) where ``draw_mask`` draws."""
        mask_image = Image.new("L", (self.canvas.shape[1], self.canvas.shape[0]), 0)
        draw_mask(ImageDraw.Draw(mask_image))
        box = mask_image.getbbox()
        if box is None:
            return
        region = (slice(box[1], box[3]), slice(box[0], box[2]))  # only the part's bounding box
        mask = np.asarray(mask_image, dtype=np.float64)[region][..., None] / 255.0
        colour = np.asarray(colour, dtype=np.float64)
        colour = colour[region] if colour.ndim == 3 else colour
        self.canvas[region] = self.canvas[region] * (1.0 - mask) + colour * mask

    def limb(self, points, width, colour):
        """A thick polyline with round joints and ends."""
        flat = [tuple(map(float, p)) for p in points]
        radius = width / 2

        def draw(pen):
            pen.line(flat, fill=255, width=max(1, int(round(width))))
            for x, y in flat:
                pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
        self._paint(draw, colour)

    def disc(self, center, radius, colour):
        x, y = map(float, center)
        self._paint(lambda pen: pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255), colour)

    def polygon(self, corners, texture):
        self._paint(lambda pen: pen.polygon([tuple(map(float, c)) for c in corners], fill=255), texture)


def _widen(corners, amount):
    """Move each polygon corner ``amount`` pixels away from the polygon's centre."""
    corners = np.asarray(corners, dtype=np.float64)
    centre = corners.mean(axis=0)
    offsets = corners - centre
    lengths = np.maximum(np.linalg.norm(offsets, axis=1, keepdims=True), 1e-6)
    return centre + offsets * (1.0 + amount / lengths)


def _torso_texture(canvas_shape, points, style, size, shape):
    """The shirt's pattern in the torso's own frame, so that it moves and turns with the torso."""
    if style.pattern == "plain":
        return np.asarray(style.shirt)  # one colour: what the pattern would give everywhere
    neck = points[_J["neck"]]
    hips = (points[_J["right_hip"]] + points[_J["left_hip"]]) / 2
    down = (hips - neck) / max(np.linalg.norm(hips - neck), 1e-6)
    across = np.array([-down[1], down[0]])
    ys, xs = np.mgrid[0:canvas_shape[0], 0:canvas_shape[1]] + 0.5
    offset_x, offset_y = xs - neck[0], ys - neck[1]
    period = style.pattern_period * 2 * shape.shoulder_half_width * size
    along_band = np.floor((offset_x * down[0] + offset_y * down[1]) / period).astype(np.int64) % 2
    across_band = np.floor((offset_x * across[0] + offset_y * across[1]) / period).astype(np.int64) % 2
    second = {"plain": np.zeros_like(along_band), "horizontal_stripes": along_band,
              "vertical_stripes": across_band, "checks": along_band ^ across_band}[style.pattern]
    return np.where(second[..., None] == 1, np.asarray(style.shirt_second), np.asarray(style.shirt))


def draw_background(rng, size, kind):
    """A float RGB canvas [H, W, 3]: near-white ('plain') or a scene with a floor band ('textured')."""
    height, width = size
    if kind == "plain":
        return np.broadcast_to(rng.uniform(225, 250, size=3), (height, width, 3)).copy()
    if kind != "textured":
        raise ValueError(f"background: expected 'plain' or 'textured', got {kind!r}")
    wall, floor = rng.uniform(60, 200, size=3), rng.uniform(40, 160, size=3)
    horizon = int(height * rng.uniform(0.6, 0.8))
    canvas = np.empty((height, width, 3))
    canvas[:horizon], canvas[horizon:] = wall, floor
    canvas += rng.normal(0.0, 6.0, size=(height // 8 + 1, width // 8 + 1, 1)).repeat(8, 0).repeat(8, 1)[:height, :width]
    return canvas
