"""The pose_flow model's ``warp`` visual: the source nearest-resized to the flow's size, then
backward-warped by the flow (bilinear, border clamped)."""
import torch
import torch.nn.functional as F

from model.pose_pair_model import warp_image


def test_zero_flow_gives_the_resized_image():
    image = torch.rand(2, 3, 16, 8)
    resized = F.interpolate(image, size=(8, 4), mode="nearest")
    torch.testing.assert_close(warp_image(image, torch.zeros(2, 2, 8, 4)), resized)


def test_whole_pixel_flow_shifts_and_clamps_at_the_border():
    image = torch.arange(2 * 4 * 5, dtype=torch.float64).view(1, 2, 4, 5)
    flow = torch.zeros(1, 2, 4, 5, dtype=torch.float64)
    flow[:, 0] = 1  # every output reads the pixel to its right
    warped = warp_image(image, flow)
    torch.testing.assert_close(warped[..., :-1], image[..., 1:])
    torch.testing.assert_close(warped[..., -1], image[..., -1])  # beyond the border: the edge value
