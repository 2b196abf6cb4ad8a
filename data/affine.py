"""Random affine augmentation of the pair datasets, applied alike to an image and its keypoints.

As the original ``BaseDataset`` (original: data/base_dataset.py, BaseDataset): the image is warped by torchvision's
``F.affine`` (nearest neighbour, grey fill) about the centre ``(w*0.5+0.5, h*0.5+0.5)``, the centre
the torchvision of the time used for PIL images (today's torchvision defaults to ``(w/2, h/2)``,
so the centre is passed explicitly). The keypoints are moved by the forward matrix of the same
transform, the inverse of the matrix torchvision hands to PIL.
"""
import math
from dataclasses import dataclass

import numpy as np
import torchvision.transforms.functional as F

GREY_FILL = (128, 128, 128)


@dataclass(frozen=True)
class AffineParams:
    """A rotation (degrees, torchvision's sign), translation (pixels, x then y) and scale."""

    angle: float = 0.0
    translate: tuple = (0.0, 0.0)
    scale: float = 1.0

    def is_identity(self):
        return self.angle == 0 and tuple(self.translate) == (0, 0) and self.scale == 1

    def weakened(self):
        """The target's milder transform: a fifth of the angle, half the shift, no scaling."""
        return AffineParams(self.angle * 0.2, (self.translate[0] * 0.5, self.translate[1] * 0.5), 1.0)


def sample_affine_params(rng, angle_range=None, shift_range=None, scale_range=None, shift_y_range=None):
    """Draw augmentation parameters, each uniform in its (low, high) range.

    Args:
        rng: ``numpy.random.Generator``.
        angle_range, shift_range, scale_range: (low, high) or a false value to disable. The x and
            y shifts are drawn independently from the same range...
        shift_y_range: ...or the y shift from this one, where given.

    Returns:
        AffineParams; the identity, with no draw at all, when every range is disabled.
    """
    angle = float(rng.uniform(*angle_range)) if angle_range else 0.0
    scale = float(rng.uniform(*scale_range)) if scale_range else 1.0
    if shift_range:
        translate = (float(rng.uniform(*shift_range)), float(rng.uniform(*(shift_y_range or shift_range))))
    else:
        translate = (0.0, 0.0)
    return AffineParams(angle, translate, scale)


def augmentation_center(width, height):
    """The original's rotation centre (x, y) of a width x height image."""
    return (width * 0.5 + 0.5, height * 0.5 + 0.5)


def forward_affine_matrix(params, center):
    """The 3x3 matrix on (x, y, 1) of the transform ``F.affine`` applies (shear 0).

    ``T(translate) C R(angle) S(scale) C^-1`` with ``C`` the translation to ``center``; the inverse
    of torchvision's ``_get_inverse_affine_matrix`` for the same arguments.

    Args:
        params: AffineParams.
        center: (cx, cy) in pixels.

    Returns:
        float64 array [3, 3].
    """
    radians = math.radians(params.angle)
    cos, sin = math.cos(radians) * params.scale, math.sin(radians) * params.scale
    (cx, cy), (tx, ty) = center, params.translate
    return np.array([
        [cos, -sin, cx + tx - cos * cx + sin * cy],
        [sin, cos, cy + ty - sin * cx - cos * cy],
        [0.0, 0.0, 1.0],
    ])


def warp_image(image, params, center, fill=GREY_FILL):
    """Warp a PIL image as the original augmentation does (nearest neighbour, ``fill`` outside).

    Args:
        image: PIL image.
        params: AffineParams.
        center: (cx, cy) rotation centre in pixels.
        fill: colour of the pixels coming from outside the image.

    Returns:
        The warped PIL image, the same size; ``image`` itself for the identity (which would be an
        exact copy: nearest sampling at the pixel centres).
    """
    if params.is_identity():
        return image
    return F.affine(image, angle=params.angle, translate=list(params.translate), scale=params.scale,
                    shear=[0.0, 0.0], interpolation=F.InterpolationMode.NEAREST, fill=list(fill),
                    center=list(center))
