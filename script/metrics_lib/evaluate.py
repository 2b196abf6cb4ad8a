"""Compute the selected metrics of a folder of generated images: ``evaluate(MetricsConfig(...))``."""
import os
import platform
from dataclasses import asdict, dataclass
from typing import Optional, Sequence

import numpy as np
import torch
import torchvision

from options.errors import OptionError
from script.metrics_lib.body_mask import target_keypoints
from script.metrics_lib.cache import cached_statistics, default_cache_dir
from script.metrics_lib.completeness import check_every_pair_generated, default_pairs_csv
from script.metrics_lib.fid import feature_statistics, frechet_distance
from script.metrics_lib.image_files import list_images, used_count
from script.metrics_lib.inception import FEATURE_DIMS, build_inception
from script.metrics_lib.lpips_metric import build_lpips
from script.metrics_lib.matching import match_pairs
from script.metrics_lib.pair_scoring import score_pairs
from script.metrics_lib.registry import select_metrics
from script.metrics_lib.runtime import resolve_device


@dataclass
class MetricsConfig:
    """What to score and how; the fields are the command-line options of ``script/metrics.py``."""
    generated_path: str
    gt_path: Optional[str] = None
    real_path: Optional[str] = None
    annotation_path: Optional[str] = None
    pairs_path: Optional[str] = None  # None: the *-pairs-<phase>.csv beside gt_path, if there is one
    allow_missing: bool = False
    name: Optional[str] = None
    metrics: Optional[Sequence[str]] = None  # None: registry.DEFAULT_METRICS
    calculate_mask: bool = False
    protocol: str = "gfla"
    inception_weights: Optional[str] = None
    alexnet_weights: Optional[str] = None
    batch_size: int = 64
    drop_last_batch: bool = False
    device: str = "auto"
    num_workers: int = 4
    cache_dir: Optional[str] = None
    output: Optional[str] = None


def _require(value, flag, why):
    if value is None:
        raise OptionError(f"{flag} is required to compute {why}")


def _fid(config, generated_files, device, real_files=None):
    """FID of the generated images against the (cached) statistics of the real ones (default: the
    images of ``config.real_path``)."""
    network, identity = build_inception(config.protocol, config.inception_weights)
    if real_files is None:
        real_files = list_images(config.real_path, "--real_path")
    real_files = real_files[:used_count(len(real_files), config.batch_size, config.drop_last_batch)]
    generated_files = generated_files[:used_count(len(generated_files), config.batch_size,
                                                  config.drop_last_batch)]

    def statistics(files, desc):
        return lambda: feature_statistics(files, network, device, config.batch_size,
                                          config.num_workers, desc)

    # The kept images are keyed by the file list itself, so the batch settings add nothing.
    mu_real, sigma_real, cache_path, reused = cached_statistics(
        config.cache_dir or default_cache_dir(), f"fid-real-{config.protocol}", real_files,
        identity, statistics(real_files, "FID real images"))
    print(f"FID: real statistics {'reused from' if reused else 'computed and cached in'} {cache_path}")
    mu_generated, sigma_generated = statistics(generated_files, "FID generated images")()
    if min(len(generated_files), len(real_files)) <= FEATURE_DIMS:
        print(f"FID: warning: {min(len(generated_files), len(real_files))} images for {FEATURE_DIMS}-d "
              f"features give a singular covariance; the FID is biased upwards and not comparable "
              f"with scores over more images")
    value = frechet_distance(mu_generated, sigma_generated, mu_real, sigma_real)
    result = {"value": value, "count": len(generated_files), "real_count": len(real_files),
              "real_statistics_file": cache_path, "real_statistics_reused": reused}
    return result, identity


def _pair_results(config, metrics, pairs, keypoints, device):
    """Mean, variance and count of every pair and LPIPS metric."""
    lpips_model, identity = None, None
    if any(metric.kind == "lpips" for metric in metrics):
        lpips_model, identity = build_lpips(config.alexnet_weights)
    scores = score_pairs(pairs, metrics, device, config.batch_size, config.num_workers,
                         keypoints, lpips_model)
    lpips_count = used_count(len(pairs), config.batch_size, config.drop_last_batch)
    results = {}
    for metric in metrics:
        if metric.name not in scores:
            continue
        values = scores[metric.name][:lpips_count] if metric.kind == "lpips" else scores[metric.name]
        with np.errstate(invalid="ignore"):  # PSNR of identical images is inf, its variance nan
            results[metric.name] = {"value": float(np.mean(values)), "variance": float(np.var(values)),
                                    "count": len(values)}
    return results, identity


def evaluate(config):
    """Compute the metrics ``config`` selects.

    Args:
        config: MetricsConfig.
    Returns:
        dict report: ``name``, ``paths``, ``settings``, ``networks`` and ``results``, the latter
        metric name -> {'value', 'count', ...} in registry order.
    """
    metrics = select_metrics(config.metrics, config.calculate_mask)
    kinds = {metric.kind for metric in metrics}
    if "fid" in kinds:
        _require(config.real_path, "--real_path (--fid_real_path)", "fid")
    if kinds & {"pair", "lpips"}:
        _require(config.gt_path, "--gt_path", ", ".join(m.name for m in metrics if m.kind != "fid"))
    if any(metric.masked for metric in metrics):
        _require(config.annotation_path, "--annotation_path", "the masked metrics")
    device = resolve_device(config.device)

    # Check every input before the slow parts start.
    generated_files = list_images(config.generated_path, "--generated_path")
    pairs_path = config.pairs_path or default_pairs_csv(config.gt_path)
    if pairs_path is None:
        print("metrics: no pairs CSV beside --gt_path: not checking that every test pair has a generated image "
              "(pass --pairs_path to check)")
    else:
        check_every_pair_generated(generated_files, pairs_path, config.generated_path, config.allow_missing)
    pairs = match_pairs(config.generated_path, config.gt_path) if kinds & {"pair", "lpips"} else None
    keypoints = target_keypoints(config.annotation_path, pairs) \
        if any(metric.masked for metric in metrics) else None

    results, networks = {}, {}
    if "fid" in kinds:
        results["fid"], networks["inception"] = _fid(config, generated_files, device)
    if pairs is not None:
        pair_results, networks["lpips"] = _pair_results(config, metrics, pairs, keypoints, device)
        results.update(pair_results)
    settings = {key: value for key, value in asdict(config).items() if not key.endswith("_path")}
    settings.update(device=str(device), torch=torch.__version__, torchvision=torchvision.__version__,
                    python=platform.python_version())
    return {
        "name": config.name or os.path.basename(os.path.normpath(config.generated_path)),
        "paths": {**{key: value for key, value in asdict(config).items() if key.endswith("_path")},
                  "pairs_path": pairs_path},
        "settings": settings,
        "networks": {key: value for key, value in networks.items() if value is not None},
        "results": {metric.name: results[metric.name] for metric in metrics},
    }
