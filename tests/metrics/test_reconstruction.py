"""SSIM, SSIM_256, PSNR, L1 and MAE on real Market pairs against direct scikit-image / NumPy calls."""
import os

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from script.metrics_lib import reconstruction
from script.metrics_lib.image_files import read_rgb
from script.metrics_lib.matching import match_pairs

from .helpers import real_market


@pytest.fixture(scope="module")
def market_pairs():
    """(target, generated) float64 [128, 64, 3] in [0, 1] for three real Market pairs."""
    pairs = match_pairs(os.path.join(real_market(), "generated"), os.path.join(real_market(), "test"))[:3]
    return [(read_rgb(pair.target) / 255.0, read_rgb(pair.generated) / 255.0) for pair in pairs]


def test_ssim_is_the_51_window_uniform_ssim(market_pairs):
    for target, generated in market_pairs:
        expected = structural_similarity(target, generated, data_range=1, win_size=51, channel_axis=-1)
        assert reconstruction.ssim(target, generated) == expected
        assert 0 < expected < 1


def test_ssim_256_is_gaussian_ssim_with_the_generated_data_range(market_pairs):
    for target, generated in market_pairs:
        expected = structural_similarity(
            target * 255, generated * 255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
            channel_axis=-1, data_range=255 * (generated.max() - generated.min()))
        assert reconstruction.ssim_256(target, generated) == pytest.approx(expected, rel=1e-12)
    # The data range comes from the generated image: the score is not symmetric.
    target, generated = market_pairs[0][0], market_pairs[0][1] * 0.5
    assert reconstruction.ssim_256(target, generated) != pytest.approx(reconstruction.ssim_256(generated, target))


def test_psnr_l1_and_mae(market_pairs):
    for target, generated in market_pairs:
        mse = np.mean((target - generated) ** 2)
        assert reconstruction.psnr(target, generated) == peak_signal_noise_ratio(target, generated, data_range=1)
        assert reconstruction.psnr(target, generated) == pytest.approx(10 * np.log10(1 / mse))
        assert reconstruction.l1(target, generated) == pytest.approx(np.abs(target - generated).mean())
        assert reconstruction.mae(target, generated) == pytest.approx(
            np.abs(target - generated).sum() / (target + generated).sum())


def test_identical_images(market_pairs):
    target = market_pairs[0][0]
    assert reconstruction.ssim(target, target) == pytest.approx(1)
    assert reconstruction.ssim_256(target, target) == pytest.approx(1)
    assert reconstruction.psnr(target, target) == np.inf
    assert reconstruction.l1(target, target) == 0 and reconstruction.mae(target, target) == 0
