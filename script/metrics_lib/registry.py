"""The named metrics ``--metrics`` selects from.

Three kinds: ``fid`` compares two folders' feature statistics; ``lpips`` runs a network on
batches of generated/ground-truth pairs; ``pair`` metrics score each pair on the CPU (in the
data-loading workers). A ``masked`` metric is computed on both images multiplied by the target's
body mask (Market; needs ``--annotation_path``).
"""
from dataclasses import dataclass
from typing import Callable, Optional

from options.errors import OptionError

from script.metrics_lib import reconstruction


@dataclass(frozen=True)
class Metric:
    """One named metric."""
    name: str
    kind: str  # 'fid' | 'lpips' | 'pair'
    description: str
    score: Optional[Callable] = None  # kind 'pair': score(target, generated) on float [H, W, 3] in [0, 1]
    masked: bool = False


METRICS = {}


def register_metric(name, kind, description, score=None, masked=False):
    """Add a metric to the registry under ``name``."""
    if name in METRICS:
        raise ValueError(f"metric {name!r} is already registered")
    if (kind == "pair") != (score is not None):
        raise ValueError(f"metric {name!r}: a score function is needed by, and only by, kind 'pair'")
    METRICS[name] = Metric(name, kind, description, score, masked)


register_metric("fid", "fid", "Fréchet Inception distance, --generated_path vs --real_path")
register_metric("lpips", "lpips", "LPIPS (AlexNet, v0.1), generated vs ground truth")
register_metric("mask_lpips", "lpips", "LPIPS of the body-masked pair (Market)", masked=True)
register_metric("ssim", "pair", "SSIM, uniform 51x51 window, data range 1 (GFLA's 'ssim')",
                reconstruction.ssim)
register_metric("ssim_256", "pair", "SSIM, Gaussian sigma 1.5, 0-255 scale (Wang et al.)",
                reconstruction.ssim_256)
register_metric("mask_ssim", "pair", "ssim_256 of the body-masked pair (Market)",
                reconstruction.ssim_256, masked=True)
register_metric("psnr", "pair", "PSNR, data range 1", reconstruction.psnr)
register_metric("l1", "pair", "mean absolute difference", reconstruction.l1)
register_metric("mae", "pair", "sum |gt - generated| / sum (gt + generated)", reconstruction.mae)

DEFAULT_METRICS = ("fid", "lpips", "ssim", "ssim_256", "psnr", "l1", "mae")
MASK_METRICS = tuple(name for name, metric in METRICS.items() if metric.masked)


def select_metrics(names=None, calculate_mask=False):
    """The metrics to compute, in registry order.

    Args:
        names: metric names, or None for ``DEFAULT_METRICS``.
        calculate_mask: also compute the masked metrics (the original's ``--calculate_mask``).
    Returns:
        list[Metric].
    """
    wanted = set(DEFAULT_METRICS if names is None else names)
    unknown = sorted(wanted - set(METRICS))
    if unknown:
        raise OptionError(f"--metrics: unknown {', '.join(unknown)}; expected names among "
                         f"{', '.join(METRICS)}")
    if calculate_mask:
        wanted |= set(MASK_METRICS)
    if not wanted:
        raise OptionError("--metrics: no metric selected")
    return [metric for name, metric in METRICS.items() if name in wanted]
