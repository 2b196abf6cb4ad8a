"""Per-pair reconstruction scores, as the original's ``Reconstruction_Metrics`` (original: script/metrics.py, Reconstruction_Metrics).

Every function takes the ground truth first, then the generated image, both float [H, W, 3] in
[0, 1], and returns a float. ``skimage.measure.compare_*`` became ``skimage.metrics.*`` and
``multichannel=True`` became ``channel_axis=-1``; the numbers are unchanged.
"""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def ssim(target, generated):
    """GFLA's ``ssim``: uniform 51x51 window, data range 1 (non-standard; images >= 51 px a side)."""
    return float(structural_similarity(target, generated, data_range=1, win_size=51, channel_axis=-1))


def ssim_256(target, generated):
    """GFLA's ``ssim_256``, the usual SSIM of Wang et al. (Gaussian sigma 1.5) on the 0-255 scale.

    As the original (and PG2 / Deformable GAN before it) the data range is taken from the
    generated image, ``max - min`` of ``generated * 255``.
    """
    target, generated = target * 255.0, generated * 255.0
    return float(structural_similarity(
        target, generated, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        channel_axis=-1, data_range=generated.max() - generated.min()))


def psnr(target, generated):
    """PSNR with data range 1 (infinite for identical images)."""
    with np.errstate(divide="ignore"):
        return float(peak_signal_noise_ratio(target, generated, data_range=1))


def l1(target, generated):
    """Mean absolute difference."""
    return float(np.mean(np.abs(target - generated)))


def mae(target, generated):
    """GFLA's ``mae``: sum |target - generated| / sum (target + generated)."""
    return float(np.sum(np.abs(target - generated)) / np.sum(target + generated))
