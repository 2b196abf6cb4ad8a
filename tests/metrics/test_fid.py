"""Fréchet distance, float64 feature statistics, and FID end to end on small real-image folders."""
import numpy as np
import pytest
from PIL import Image, ImageFilter

from script.metrics_lib import fid
from script.metrics_lib.evaluate import MetricsConfig, evaluate

from .helpers import copy_market_photos


def _random_covariance(rng, dims):
    factor = rng.normal(size=(dims, dims + 3))
    return factor @ factor.T / dims


def _reference_distance(mu1, sigma1, mu2, sigma2):
    """Tr(sqrtm(S1 S2)) as the sum of the square roots of the eigenvalues of S1 S2 (real, >= 0 for SPD)."""
    eigenvalues = np.linalg.eigvals(sigma1 @ sigma2)
    assert np.abs(eigenvalues.imag).max() < 1e-9
    return np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) \
        - 2 * np.sum(np.sqrt(eigenvalues.real))


def test_frechet_distance_matches_eigenvalue_reference():
    rng = np.random.default_rng(0)
    for dims in (1, 5, 32):
        mu1, mu2 = rng.normal(size=dims), rng.normal(size=dims)
        sigma1, sigma2 = _random_covariance(rng, dims), _random_covariance(rng, dims)
        got = fid.frechet_distance(mu1, sigma1, mu2, sigma2)
        expected = _reference_distance(mu1, sigma1, mu2, sigma2)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9), f"dims {dims}: {got} vs {expected}"


def test_frechet_distance_of_identical_statistics_is_zero():
    rng = np.random.default_rng(1)
    mu, sigma = rng.normal(size=16), _random_covariance(rng, 16)
    assert abs(fid.frechet_distance(mu, sigma, mu, sigma)) < 1e-9


def test_frechet_distance_raises_on_a_large_imaginary_component():
    # sqrtm(diag(1, -1)) = diag(1, i): an imaginary diagonal of 1, far above the 1e-3 tolerance.
    with pytest.raises(ValueError, match="imaginary component"):
        fid.frechet_distance(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))


def test_frechet_distance_retries_with_an_offset_when_sqrtm_is_not_finite(monkeypatch):
    calls = []
    real_sqrtm = fid.linalg.sqrtm

    def first_call_fails(matrix):
        calls.append(matrix)
        return np.full_like(matrix, np.nan) if len(calls) == 1 else real_sqrtm(matrix)

    monkeypatch.setattr(fid.linalg, "sqrtm", first_call_fails)
    sigma = np.diag([4.0, 9.0])
    value = fid.frechet_distance(np.zeros(2), sigma, np.zeros(2), sigma, eps=0.5)
    np.testing.assert_allclose(calls[1], (sigma + 0.5 * np.eye(2)) @ (sigma + 0.5 * np.eye(2)))
    # 2 Tr(S) - 2 Tr(S + eps I) = -2 * eps * dims
    assert value == pytest.approx(-2.0)


def test_frechet_distance_checks_shapes():
    with pytest.raises(ValueError, match=r"sigma2 must have shape \(3, 3\)"):
        fid.frechet_distance(np.zeros(3), np.eye(3), np.zeros(3), np.eye(2))


def test_running_statistics_match_numpy_over_uneven_batches():
    rng = np.random.default_rng(2)
    rows = rng.normal(loc=3.0, scale=2.0, size=(23, 6)).astype(np.float32)
    statistics = fid.RunningStatistics(6)
    for start, stop in ((0, 1), (1, 8), (8, 8), (8, 20), (20, 23)):
        statistics.update(rows[start:stop])
    mu, sigma = statistics.mean_and_covariance()
    np.testing.assert_allclose(mu, rows.astype(np.float64).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(sigma, np.cov(rows, rowvar=False), rtol=1e-10)
    assert statistics.count == 23 and sigma.dtype == np.float64


def test_running_statistics_need_two_rows_and_the_right_width():
    statistics = fid.RunningStatistics(4)
    with pytest.raises(ValueError, match=r"must be \[B, 4\]"):
        statistics.update(np.zeros((2, 3)))
    statistics.update(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="at least 2 feature vectors, got 1"):
        statistics.mean_and_covariance()


def _blurred_copy(source, destination):
    destination.mkdir()
    for path in sorted(source.iterdir()):
        with Image.open(path) as image:
            image.filter(ImageFilter.GaussianBlur(3)).save(destination / f"{path.stem}.png")
    return destination


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # 3 images: singular covariances
def test_fid_of_a_folder_against_itself_is_zero_and_blurring_raises_it(offline_hub, fewer_fid_features,
                                                                        tmp_path):
    real = copy_market_photos(tmp_path / "real", 3)
    blurred = _blurred_copy(real, tmp_path / "blurred")

    def fid_of(generated):
        config = MetricsConfig(generated_path=str(generated), real_path=str(real),
                               metrics=["fid"], device="cpu", num_workers=0,
                               cache_dir=str(tmp_path / "cache"))
        return evaluate(config)["results"]["fid"]

    same, worse = fid_of(real), fid_of(blurred)
    assert not same["real_statistics_reused"] and worse["real_statistics_reused"]
    assert worse["value"] > 1e-3, f"FID of the blurred folder: {worse['value']}"
    # 3 images in 64 dimensions: singular covariances, for which sqrtm is accurate to ~1e-6.
    assert abs(same["value"]) < 1e-4 * worse["value"], \
        f"FID of the folder against itself: {same['value']} (blurred: {worse['value']})"
