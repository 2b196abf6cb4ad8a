"""Affine augmentation: parameters, the forward matrix against torchvision's inverse, image warping."""
import numpy as np
import pytest
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms.functional import _get_inverse_affine_matrix

from data.affine import (GREY_FILL, AffineParams, augmentation_center, forward_affine_matrix,
                         sample_affine_params, warp_image)


@pytest.mark.parametrize("angle, translate, scale", [(4.3, (-2.5, 3.7), 0.96), (-5.0, (5.0, -5.0), 1.05),
                                                     (90.0, (0.0, 0.0), 1.0)])
def test_forward_matrix_inverts_torchvision_inverse(angle, translate, scale):
    center = augmentation_center(64, 128)
    assert center == (32.5, 64.5)
    forward = forward_affine_matrix(AffineParams(angle, translate, scale), center)
    inverse = np.eye(3)
    inverse[:2] = np.reshape(_get_inverse_affine_matrix(list(center), angle, list(translate), scale, [0.0, 0.0]), (2, 3))
    np.testing.assert_allclose(forward @ inverse, np.eye(3), atol=1e-12)


def test_disabled_ranges_give_identity_without_drawing():
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    params = sample_affine_params(rng, None, False, None)
    assert params.is_identity() and rng.bit_generator.state == state
    np.testing.assert_array_equal(forward_affine_matrix(params, (32.5, 64.5)), np.eye(3))


def test_draws_stay_in_range_and_shifts_are_independent():
    rng = np.random.default_rng(2)
    draws = [sample_affine_params(rng, (-5, 5), (-5, 5), (0.95, 1.05)) for _ in range(200)]
    angles = np.array([d.angle for d in draws])
    shifts = np.array([d.translate for d in draws])
    scales = np.array([d.scale for d in draws])
    assert -5 <= angles.min() < -4 and 4 < angles.max() <= 5
    assert 0.95 <= scales.min() and scales.max() <= 1.05
    assert np.abs(shifts).max() <= 5 and not np.allclose(shifts[:, 0], shifts[:, 1])


def test_target_transform_is_weaker():
    weak = AffineParams(5.0, (4.0, -2.0), 1.05).weakened()
    assert weak == AffineParams(1.0, (2.0, -1.0), 1.0)


def test_identity_warp_is_the_unwarped_image():
    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(0, 256, (128, 64, 3), dtype=np.uint8))
    center = augmentation_center(*image.size)
    original_way = F.affine(image, angle=0.0, translate=[0, 0], scale=1.0, shear=[0.0, 0.0],
                            interpolation=F.InterpolationMode.NEAREST, fill=list(GREY_FILL), center=list(center))
    assert np.array_equal(np.asarray(warp_image(image, AffineParams(), center)), np.asarray(original_way))


@pytest.mark.parametrize("params", [AffineParams(5.0, (3.3, -4.2), 1.05), AffineParams(-4.0, (-2.6, 1.5), 0.95)])
def test_warp_moves_a_dot_where_the_matrix_moves_its_pixel(params):
    image = np.full((128, 64, 3), 255, dtype=np.uint8)
    image[98:101, 48:51] = (255, 0, 0)  # a 3x3 dot centred on pixel (row 99, col 49)
    pil = Image.fromarray(image)
    center = augmentation_center(*pil.size)
    warped = np.asarray(warp_image(pil, params, center))
    rows, cols = np.nonzero((warped[..., 0] == 255) & (warped[..., 1] == 0))
    col, row = (forward_affine_matrix(params, center) @ [49, 99, 1])[:2]
    assert abs(rows.mean() - row) <= 1.0 and abs(cols.mean() - col) <= 1.0
    # pixels coming from outside the image are grey
    assert (warped.reshape(-1, 3) == GREY_FILL).all(axis=1).any()
