"""Random toy cars and chairs built from the convex parts of ``data.synthetic.render3d``.

Each object has its own proportions, colours and surface patterns, drawn from a numpy Generator.
Cars have a chamfered body, a cabin with a window band, four wheels with hubs, and front and rear
lights (so front and back differ); chairs have a seat, four legs, a possibly reclined back and
sometimes armrests. Lengths are in metres-like units before ``Mesh`` scales them into the unit sphere.
"""
import numpy as np

from data.synthetic.render3d import Part, Texture, box, cylinder

CATEGORIES = ("car", "chair")
_BODY_PATTERNS = ("plain", "band", "stripes", "checks")
_GLASS = (40.0, 55.0, 75.0)


def _colour(rng, low=30, high=230):
    return tuple(float(c) for c in rng.uniform(low, high, size=3))


def _texture(rng, pattern, colour, axis, scale):
    """A texture of ``pattern`` with a contrasting second colour; its features are about ``scale`` long."""
    second = tuple(float(255 - c) * 0.8 + 20 for c in colour) if pattern != "plain" else colour
    return Texture(colour, second, pattern, axis=axis, size=float(rng.uniform(0.7, 1.3) * scale),
                   offset=float(rng.uniform(-0.5, 0.5) * scale))


def sample_car(rng):
    """The parts of a random car, length along x (front at +x), wheels on the ground (y = 0)."""
    length, width = rng.uniform(3.8, 4.8), rng.uniform(1.7, 2.0)
    wheel = rng.uniform(0.3, 0.38)
    bottom, height = wheel * 0.9, rng.uniform(0.55, 0.75)
    top, nose, tail = bottom + height, rng.uniform(0.25, 0.5), rng.uniform(0.15, 0.35)
    half_length, half_width = length / 2, width / 2
    paint = _colour(rng)
    body = Part(np.array([[-half_length, bottom], [half_length, bottom], [half_length, top - nose * 0.6],
                          [half_length - nose, top], [-half_length + tail, top], [-half_length, top - tail * 0.5]]),
                (-half_width, half_width),
                _texture(rng, _BODY_PATTERNS[rng.integers(len(_BODY_PATTERNS))], paint, 1, height / 5))
    cabin_back, cabin_front = -half_length * rng.uniform(0.5, 0.75), half_length * rng.uniform(0.1, 0.35)
    cabin_height, slant = rng.uniform(0.45, 0.6), rng.uniform(0.25, 0.55)
    cabin = Part(np.array([[cabin_back, top], [cabin_front, top], [cabin_front - slant, top + cabin_height],
                           [cabin_back + slant * 0.6, top + cabin_height]]),
                 (-half_width * 0.88, half_width * 0.88),
                 Texture(paint, _GLASS, "band", axis=1, size=cabin_height * 0.3))
    parts = [body, cabin]
    wheelbase = length * rng.uniform(0.3, 0.36)
    tyre = Texture((35.0, 35.0, 38.0), _colour(rng, 150, 230), "disc", axis=2, size=wheel * 0.55)
    for x in (-wheelbase, wheelbase):
        for z in ((half_width - 0.3, half_width + 0.02), (-half_width - 0.02, -half_width + 0.3)):
            parts.append(cylinder((x, wheel), wheel, z, tyre, segments=14))
    light_y = (bottom + top - nose * 0.6) / 2
    for sign, colour in ((1, (250.0, 235.0, 150.0)), (-1, (200.0, 30.0, 30.0))):
        x = sign * half_length
        for z in (half_width * 0.62, -half_width * 0.62):
            parts.append(box(sorted((x, x + sign * 0.05)), (light_y - 0.07, light_y + 0.07),
                             (z - 0.18, z + 0.18), Texture(colour)))
    return parts


def sample_chair(rng):
    """The parts of a random chair, seat depth along x (back at -x), standing on y = 0."""
    depth, width = rng.uniform(0.8, 1.1), rng.uniform(0.85, 1.15)
    seat_top, thickness = rng.uniform(0.85, 1.05), rng.uniform(0.08, 0.16)
    leg, back_thickness = rng.uniform(0.06, 0.11), rng.uniform(0.07, 0.12)
    back_height, recline = rng.uniform(0.8, 1.2), rng.uniform(0.0, 0.25)
    half_depth, half_width = depth / 2, width / 2
    upholstery = _colour(rng)
    seat_pattern = ("plain", "stripes", "checks")[rng.integers(3)]
    parts = [box((-half_depth, half_depth), (seat_top - thickness, seat_top), (-half_width, half_width),
                 _texture(rng, seat_pattern, upholstery, 2, width / 8))]
    frame = Texture(_colour(rng, 20, 120))
    for x in (-half_depth, half_depth - leg):
        for z in (-half_width, half_width - leg):
            parts.append(box((x, x + leg), (0.0, seat_top - thickness), (z, z + leg), frame))
    back_pattern = ("plain", "stripes", "checks", "band")[rng.integers(4)]
    parts.append(Part(np.array([[-half_depth, seat_top], [-half_depth + back_thickness, seat_top],
                                [-half_depth + back_thickness - recline, seat_top + back_height],
                                [-half_depth - recline, seat_top + back_height]]),
                      (-half_width, half_width), _texture(rng, back_pattern, _colour(rng), 1, back_height / 8)))
    if rng.random() < 0.5:  # armrests
        arm_height = seat_top + rng.uniform(0.2, 0.3)
        for z in ((-half_width, -half_width + 0.08), (half_width - 0.08, half_width)):
            parts.append(box((-half_depth, half_depth * 0.8), (arm_height - 0.06, arm_height), z, frame))
            parts.append(box((half_depth * 0.8 - 0.06, half_depth * 0.8), (seat_top, arm_height - 0.06), z, frame))
    return parts


SAMPLERS = {"car": sample_car, "chair": sample_chair}
