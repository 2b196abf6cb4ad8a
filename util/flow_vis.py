"""Flow fields as colour images with the Middlebury colour wheel (Baker et al., IJCV 2011).

Hue gives the direction and saturation the length, relative to the longest vector of the field:
zero flow is white and the longest vector has the full wheel colour. In image coordinates
(y down): right is red, down is yellow-orange, left is cyan-blue, up is blue-violet.

Deliberate difference from the original (original: util/util.py): its ``flow2color`` used channel 1
as the horizontal component, although the networks' flows have channel 0 = x. Here channel 0
is horizontal, so the colours show the true direction. This changes only the pictures.
"""
import numpy as np

from util.image_io import first_sample

# Number of wheel entries between the six primary/secondary hues, as in the Middlebury code:
# red-yellow, yellow-green, green-cyan, cyan-blue, blue-magenta, magenta-red.
_WHEEL_SEGMENTS = (15, 6, 4, 11, 13, 6)

# Guards the normalisation of an all-zero field (the original's 1e-5).
_EPS = 1e-5


def _colour_wheel():
    """The 55 wheel colours, float64 [55, 3] in [0, 1]."""
    # Each segment ramps one RGB channel up or down while the others stay at 0 or 255; the
    # ramp is floored to integers, as in the Middlebury reference code.
    corners = [(1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 1, 1), (0, 0, 1), (1, 0, 1)]
    colours = []
    for index, steps in enumerate(_WHEEL_SEGMENTS):
        start = np.array(corners[index], dtype=np.float64)
        end = np.array(corners[(index + 1) % len(corners)], dtype=np.float64)
        for step in range(steps):
            colours.append(255.0 * start + (end - start) * np.floor(255.0 * step / steps))
    return np.stack(colours) / 255.0


_WHEEL = _colour_wheel()


def flow2color(flow):
    """Colour-code a flow field.

    Args:
        flow: torch.Tensor [2, H, W] or [B, 2, H, W] (only sample 0 is used); channel 0 is the
            horizontal (x) component, channel 1 the vertical (y, down) one, in any unit.
    Returns:
        np.ndarray uint8 [H, W, 3]. Non-finite vectors are drawn black.
    """
    u, v = first_sample(flow, "flow", channels=2)
    finite = np.isfinite(u) & np.isfinite(v)
    u = np.where(finite, u, 0.0)
    v = np.where(finite, v, 0.0)
    scale = np.hypot(u, v).max() + _EPS
    u, v = u / scale, v / scale
    # Normalised by the longest vector, every radius is below 1, so the original's branch that
    # darkened radii > 1 can never run and is left out.
    radius = np.hypot(u, v)

    num_colours = len(_WHEEL)
    angle = np.arctan2(-v, -u) / np.pi  # in [-1, 1]; -1 and 1 both mean +x
    position = (angle + 1.0) / 2.0 * (num_colours - 1)
    lower = np.floor(position).astype(np.int64)
    upper = (lower + 1) % num_colours
    weight = (position - lower)[..., None]
    colour = (1.0 - weight) * _WHEEL[lower] + weight * _WHEEL[upper]
    colour = 1.0 - radius[..., None] * (1.0 - colour)  # fade to white towards zero flow
    colour[~finite] = 0.0
    return np.floor(colour * 255.0).astype(np.uint8)
