"""flow2color: Middlebury colour wheel, channel 0 horizontal, normalised by the longest vector."""
import math

import numpy as np
import pytest
import torch

from util.flow_vis import flow2color


def _reference_wheel():
    """The Middlebury wheel written out segment by segment, as in the reference C code."""
    ry, yg, gc, cb, bm, mr = 15, 6, 4, 11, 13, 6
    wheel = []
    wheel += [(255, math.floor(255 * i / ry), 0) for i in range(ry)]
    wheel += [(255 - math.floor(255 * i / yg), 255, 0) for i in range(yg)]
    wheel += [(0, 255, math.floor(255 * i / gc)) for i in range(gc)]
    wheel += [(0, 255 - math.floor(255 * i / cb), 255) for i in range(cb)]
    wheel += [(math.floor(255 * i / bm), 0, 255) for i in range(bm)]
    wheel += [(255, 0, 255 - math.floor(255 * i / mr)) for i in range(mr)]
    return wheel


def _reference_flow2color(flow):
    """Per-pixel loop transcription of the Middlebury computeColor, with u = channel 0."""
    wheel = _reference_wheel()
    n = len(wheel)
    _, height, width = flow.shape
    max_radius = max(math.hypot(flow[0, y, x], flow[1, y, x]) for y in range(height) for x in range(width))
    out = np.zeros((height, width, 3), dtype=np.uint8)
    for y in range(height):
        for x in range(width):
            u = flow[0, y, x] / (max_radius + 1e-5)
            v = flow[1, y, x] / (max_radius + 1e-5)
            rad = math.sqrt(u * u + v * v)
            a = math.atan2(-v, -u) / math.pi
            fk = (a + 1) / 2 * (n - 1)
            k0 = int(math.floor(fk))
            k1 = (k0 + 1) % n
            f = fk - k0
            for channel in range(3):
                col = ((1 - f) * wheel[k0][channel] + f * wheel[k1][channel]) / 255
                col = 1 - rad * (1 - col)
                out[y, x, channel] = int(math.floor(255 * col))
    return out


def test_matches_loop_reference_on_random_flow():
    flow = torch.randn(2, 7, 9, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 3
    np.testing.assert_array_equal(flow2color(flow), _reference_flow2color(flow.numpy()))


def test_zero_flow_is_white():
    image = flow2color(torch.zeros(2, 4, 5))
    assert image.dtype == np.uint8 and image.shape == (4, 5, 3)
    assert (image == 255).all()


def test_known_colours_on_the_four_axes():
    # One pixel per direction, all of length 1 (so each is fully saturated); y points down.
    flow = torch.tensor([[[1.0, -1.0, 0.0, 0.0]],    # channel 0: x
                         [[0.0, 0.0, 1.0, -1.0]]])   # channel 1: y
    right, left, down, up = flow2color(flow)[0].tolist()
    assert right == [255, 0, 0]      # red
    assert left == [0, 209, 255]     # cyan-blue
    assert down == [255, 229, 0]     # yellow-orange
    assert up == [88, 0, 255]        # blue-violet
    assert right != left and down != up


def test_channel_zero_is_horizontal():
    """The original read channel 1 as horizontal; pure channel-0 flow must not look vertical."""
    only_x = torch.tensor([[[2.0]], [[0.0]]])
    only_y = torch.tensor([[[0.0]], [[2.0]]])
    assert flow2color(only_x)[0, 0].tolist() == [255, 0, 0]
    assert flow2color(only_y)[0, 0].tolist() == [255, 229, 0]


def test_normalised_by_longest_vector():
    flow = torch.tensor([[[4.0, 2.0, 0.0]], [[0.0, 0.0, 0.0]]])
    image = flow2color(flow)
    assert image[0, 0].tolist() == [255, 0, 0]        # the longest vector: full colour
    assert image[0, 1].tolist() == [255, 127, 127]    # half as long: halfway to white
    assert image[0, 2].tolist() == [255, 255, 255]
    np.testing.assert_array_equal(flow2color(flow * 10), image)


def test_batch_uses_first_sample_and_non_finite_is_black():
    flow = torch.zeros(2, 2, 1, 2)
    flow[0, 0, 0, 0] = 1.0
    flow[0, 1, 0, 1] = float("nan")
    flow[1] = 5.0
    image = flow2color(flow)
    assert image[0, 0].tolist() == [255, 0, 0]
    assert image[0, 1].tolist() == [0, 0, 0]


@pytest.mark.parametrize("shape", [(3, 4, 4), (1, 3, 4, 4), (4, 4)])
def test_rejects_wrong_shapes(shape):
    with pytest.raises(ValueError, match="flow"):
        flow2color(torch.zeros(shape))
