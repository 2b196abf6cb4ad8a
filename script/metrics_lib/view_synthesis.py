"""Scores of view synthesis result folders: per view, per object, per azimuth difference and overall.

The layout is the one ``test.py`` writes for ``--model=shapenet`` (``util/view_results.py``, as
the original's ShapeNet.test)::

    <generated_path>/<object>/source.png, result_XXXX.png, gt_XXXX.png

Target ``XXXX`` of an object with N targets is azimuth ``XXXX * 360 / N`` degrees (18 targets:
0, 20, ..., 340) at elevation 0. The folder does not say which azimuth the source was: it is the
target whose ground truth is identical to ``source.png`` (the test writes that view twice); if no
ground truth is identical the closest one (L1) is taken and the object is reported with
``source_exact: false``. The azimuth difference of a view is ``(target - source) mod 360``.

Metrics are the registry's paired ones (default: every default metric but FID, which needs a
real image set): each result is scored against the ground truth beside it.
"""
import os
import platform
from dataclasses import dataclass

import numpy as np
import torch
import torchvision

from script.metrics_lib.image_files import read_rgb
from script.metrics_lib.lpips_metric import build_lpips
from script.metrics_lib.matching import ImagePair, listing
from script.metrics_lib.pair_scoring import score_pairs
from script.metrics_lib.registry import DEFAULT_METRICS, select_metrics
from script.metrics_lib.report import aligned_rows
from script.metrics_lib.runtime import resolve_device
from util.errors import UserError
from util.view_results import SOURCE_FILE, VIEW_FILE, view_file

DEFAULT_VIEW_METRICS = tuple(name for name in DEFAULT_METRICS if name != "fid")


@dataclass(frozen=True)
class ObjectViews:
    """One object's folder: its source and its (result, ground truth) pairs in target order."""
    name: str
    source: str  # path
    results: tuple  # paths, target j at index j
    ground_truths: tuple


def is_view_synthesis_folder(path):
    """Whether ``path`` holds object folders with ``result_XXXX.png`` files (the auto-detected layout)."""
    if not os.path.isdir(path):
        return False
    for entry in os.scandir(path):
        if entry.is_dir() and any(VIEW_FILE.match(name) for name in os.listdir(entry.path)):
            return True
    return False


def find_objects(generated_path):
    """The object folders of ``generated_path``, each complete, in name order; UserError listing the faults."""
    if not os.path.isdir(generated_path):
        raise UserError(f"--generated_path: {generated_path!r} is not a directory")
    objects, faults = [], []
    for name in sorted(entry.name for entry in os.scandir(generated_path) if entry.is_dir()):
        folder = os.path.join(generated_path, name)
        indices = {"result": set(), "gt": set()}
        for file_name in os.listdir(folder):
            match = VIEW_FILE.match(file_name)
            if match:
                indices[match.group(1)].add(int(match.group(2)))
        count = max(indices["result"] | indices["gt"], default=-1) + 1
        expected = set(range(count))
        if count == 0:
            faults.append(f"{name}/ (no result_XXXX.png / gt_XXXX.png)")
        elif not os.path.isfile(os.path.join(folder, SOURCE_FILE)):
            faults.append(f"{name}/{SOURCE_FILE} (missing)")
        elif indices["result"] != expected or indices["gt"] != expected:
            missing = sorted(view_file(kind, j) for kind in indices for j in expected - indices[kind])
            faults.append(f"{name}/ (missing {', '.join(missing)})")
        elif 360 % count:
            faults.append(f"{name}/ ({count} targets do not divide 360 degrees)")
        else:
            objects.append(ObjectViews(name, os.path.join(folder, SOURCE_FILE),
                                       tuple(os.path.join(folder, view_file("result", j)) for j in range(count)),
                                       tuple(os.path.join(folder, view_file("gt", j)) for j in range(count))))
    if faults:
        raise UserError(f"--generated_path {generated_path!r}: {len(faults)} object folders are incomplete "
                        f"(expected {SOURCE_FILE}, result_XXXX.png and gt_XXXX.png for XXXX = 0000 ... N-1): "
                        + "; ".join(faults[:20]) + (f"; ... and {len(faults) - 20} more" if len(faults) > 20 else ""))
    if not objects:
        raise UserError(f"--generated_path {generated_path!r}: no object folders with result_XXXX.png files")
    return objects


def source_target(views):
    """(index of the ground truth that is the source view, whether it is identical to source.png)."""
    source = read_rgb(views.source).astype(np.float64)
    distances = []
    for path in views.ground_truths:
        truth = read_rgb(path).astype(np.float64)
        distances.append(np.abs(truth - source).mean() if truth.shape == source.shape else np.inf)
    best = int(np.argmin(distances))
    return best, bool(distances[best] == 0)


def _metrics(config):
    """The selected metrics; FID and the masked ones have no meaning here."""
    metrics = select_metrics(config.metrics or DEFAULT_VIEW_METRICS, config.calculate_mask)
    unusable = [metric.name for metric in metrics if metric.kind == "fid" or metric.masked]
    if unusable:
        raise UserError(f"--metrics: {', '.join(unusable)} cannot score view synthesis folders (no real image set, "
                        f"no body masks); expected names among {', '.join(DEFAULT_VIEW_METRICS)}")
    return metrics


def _check_unused_options(config):
    for flag, value in (("--gt_path", config.gt_path), ("--real_path", config.real_path),
                        ("--annotation_path", config.annotation_path)):
        if value is not None:
            raise UserError(f"{flag} is not used with view synthesis folders: the ground truths are the "
                            f"gt_XXXX.png files beside the results in --generated_path")
    if config.drop_last_batch:
        raise UserError("--drop_last_batch is not used with view synthesis folders: every view is scored")


def _mean(values):
    with np.errstate(invalid="ignore"):  # PSNR of identical images is inf
        return float(np.mean(values))


def evaluate(config):
    """Score a view synthesis results folder.

    Args:
        config: evaluate.MetricsConfig (``generated_path``, ``metrics``, ``batch_size``, ``device``, ...).
    Returns:
        dict report: ``name``, ``layout``, ``paths``, ``settings``, ``networks``, ``results`` (metric ->
        {'value', 'variance', 'count'} over all views), ``per_azimuth_difference`` (degrees -> means),
        ``per_object`` (name -> source azimuth and means) and ``per_view`` (one row per result).
    """
    _check_unused_options(config)
    metrics = _metrics(config)
    device = resolve_device(config.device)
    objects = find_objects(config.generated_path)
    views = []  # (object, target index, target azimuth, azimuth difference)
    per_object = {}
    for item in objects:
        step = 360 // len(item.results)
        source, exact = source_target(item)
        per_object[item.name] = {"source_azimuth": source * step, "source_exact": exact}
        views += [(item.name, j, j * step, (j - source) * step % 360) for j in range(len(item.results))]
    pairs = [ImagePair(result, truth) for item in objects for result, truth in zip(item.results, item.ground_truths)]
    lpips_model, networks = None, {}
    if any(metric.kind == "lpips" for metric in metrics):
        lpips_model, networks["lpips"] = build_lpips(config.alexnet_weights)
    scores = score_pairs(pairs, metrics, device, config.batch_size, config.num_workers, lpips_model=lpips_model)
    names = [metric.name for metric in metrics]

    def means(chosen):
        return {name: _mean(scores[name][chosen]) for name in names}

    objects_of_view = np.array([view[0] for view in views])
    differences = np.array([view[3] for view in views])
    for name, summary in per_object.items():
        chosen = objects_of_view == name
        summary.update(count=int(chosen.sum()), **means(chosen))
    per_difference = {str(d): {"count": int((differences == d).sum()), **means(differences == d)}
                      for d in sorted(set(differences.tolist()))}
    with np.errstate(invalid="ignore"):
        results = {name: {"value": _mean(scores[name]), "variance": float(np.var(scores[name])),
                          "count": len(pairs)} for name in names}
    settings = dict(metrics=names, batch_size=config.batch_size, num_workers=config.num_workers,
                    alexnet_weights=config.alexnet_weights, device=str(device), torch=torch.__version__,
                    torchvision=torchvision.__version__, python=platform.python_version())
    return {
        "name": config.name or os.path.basename(os.path.normpath(config.generated_path)),
        "layout": "view_synthesis",
        "paths": {"generated_path": config.generated_path},
        "settings": settings,
        "networks": networks,
        "results": results,
        "per_azimuth_difference": per_difference,
        "per_object": per_object,
        "per_view": [{"object": obj, "target": j, "target_azimuth": azimuth, "azimuth_difference": difference,
                      "result": pair.generated, "gt": pair.target,
                      **{name: float(scores[name][k]) for name in names}}
                     for k, ((obj, j, azimuth, difference), pair) in enumerate(zip(views, pairs))],
    }


def format_table(report):
    """Overall scores, then the mean of each metric per azimuth difference."""
    names = list(report["results"])
    overall = [("metric", "value", "variance", "views")] + [
        (name, f"{result['value']:.6g}", f"{result['variance']:.6g}", str(result["count"]))
        for name, result in report["results"].items()]
    by_difference = [("azimuth diff", "views", *names)] + [
        (f"{difference}", str(row["count"]), *(f"{row[name]:.4g}" for name in names))
        for difference, row in report["per_azimuth_difference"].items()]
    inexact = [name for name, row in report["per_object"].items() if not row["source_exact"]]
    note = (f"\nsource azimuth guessed (no ground truth identical to source.png) for:{listing(inexact)}"
            if inexact else "")
    return (f"{report['name']} (view synthesis, {len(report['per_object'])} objects)\n" + aligned_rows(overall)
            + "\n\nper azimuth difference (degrees, target - source)\n" + aligned_rows(by_difference) + note)
