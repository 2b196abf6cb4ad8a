"""Fréchet Inception distance: feature statistics of image files and the distance between them."""
import numpy as np
import torch
from scipy import linalg
from tqdm import tqdm

from script.metrics_lib.image_files import ImageFolderDataset
from script.metrics_lib.runtime import full_fp32, make_loader


class RunningStatistics:
    """Mean and covariance of feature rows, merged batch by batch in float64.

    Chan et al.'s pairwise update of the centred scatter matrix: as accurate as ``np.cov`` over
    all rows, without holding every feature vector in memory.
    """

    def __init__(self, dims):
        self.count = 0
        self.mean = np.zeros(dims)
        self.scatter = np.zeros((dims, dims))

    def update(self, features):
        """Add feature rows. Args: features: array-like [B, D]."""
        rows = np.asarray(features, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != self.mean.shape[0]:
            raise ValueError(f"features must be [B, {self.mean.shape[0]}], got shape {rows.shape}")
        batch_count = rows.shape[0]
        if batch_count == 0:
            return
        batch_mean = rows.mean(axis=0)
        centred = rows - batch_mean
        total = self.count + batch_count
        delta = batch_mean - self.mean
        self.scatter += centred.T @ centred + np.outer(delta, delta) * (self.count * batch_count / total)
        self.mean += delta * (batch_count / total)
        self.count = total

    def mean_and_covariance(self):
        """Returns: (mu [D], sigma [D, D]) with sigma normalised by N - 1, as ``np.cov``."""
        if self.count < 2:
            raise ValueError(f"a covariance needs at least 2 feature vectors, got {self.count}")
        return self.mean.copy(), self.scatter / (self.count - 1)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """Fréchet distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    ``|mu1 - mu2|^2 + Tr(sigma1) + Tr(sigma2) - 2 Tr(sqrtm(sigma1 sigma2))``, as pytorch-fid and
    the original compute it: if the square root is not finite, retry with ``eps * I`` added to
    both covariances; drop its imaginary part when the diagonal's is below 1e-3, else raise.

    Args:
        mu1, mu2: means [D].
        sigma1, sigma2: covariances [D, D].
        eps: the diagonal offset of the retry.
    Returns:
        float.
    """
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1, sigma2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    dims = mu1.shape[0]
    for name, array, shape in (("mu2", mu2, (dims,)), ("sigma1", sigma1, (dims, dims)),
                               ("sigma2", sigma2, (dims, dims))):
        if array.shape != shape:
            raise ValueError(f"{name} must have shape {shape} to match mu1, got {array.shape}")

    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        print(f"FID: the product of the covariances is singular; adding {eps} to their diagonals")
        offset = np.eye(dims) * eps
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"FID: sqrtm(sigma1 @ sigma2) has an imaginary component of up to "
                             f"{np.max(np.abs(covmean.imag)):.3g}; expected below 1e-3")
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def feature_statistics(paths, network, device, batch_size, num_workers, desc):
    """Inception feature statistics of image files.

    Args:
        paths: image files, all of one size.
        network: maps [B, 3, H, W] in [0, 1] to [B, D] (see ``inception.build_inception``).
        device: torch.device to run on.
        batch_size, num_workers: data loading (no image is dropped here).
        desc: progress bar label.
    Returns:
        (mu [D], sigma [D, D]) float64.
    """
    loader = make_loader(ImageFolderDataset(paths), batch_size, num_workers, device)
    statistics = None
    network = network.to(device)
    with torch.inference_mode(), full_fp32():
        for batch in tqdm(loader, desc=desc, unit="batch"):
            features = network(batch.to(device, non_blocking=True).float() / 255)
            if statistics is None:
                statistics = RunningStatistics(features.shape[1])
            statistics.update(features.double().cpu().numpy())
    return statistics.mean_and_covariance()
