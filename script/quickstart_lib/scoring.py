"""Scores of a quick start: script.metrics' report of a folder, its per-pair scores, and two trivial
baselines a model must beat to show that it has learnt to use its inputs: "copy the source image"
(the right person in the wrong pose) and "the mean training image" (the best a model that ignores
its inputs can do in the L2 sense)."""
import os
import shutil

import numpy as np
from PIL import Image

from script.metrics_lib.completeness import generated_name
from script.metrics_lib.evaluate import MetricsConfig, evaluate
from script.metrics_lib.lpips_metric import build_lpips
from script.metrics_lib.matching import match_pairs
from script.metrics_lib.pair_scoring import score_pairs
from script.metrics_lib.registry import select_metrics
from script.metrics_lib.report import write_report
from script.metrics_lib.runtime import resolve_device

# (metric, better when) in the order of the page's table; FID and LPIPS only with their weights.
METRICS = (("fid", "lower"), ("lpips", "lower"), ("ssim", "higher"), ("psnr", "higher"), ("l1", "lower"))
BATCH_SIZE = 16


def write_copy_source_baseline(pairs, source_dir, out_dir):
    """The trivial "generator" that returns its source image: ``<out_dir>/<source>_2_<target>_vis.jpg``
    for every pair (source name, target name) of images in ``source_dir``."""
    os.makedirs(out_dir, exist_ok=True)
    for source, target in pairs:
        copy = os.path.join(out_dir, generated_name(source, target) + ".jpg")
        shutil.copyfile(os.path.join(source_dir, source), copy)


def write_mean_image_baseline(pairs, train_dir, out_dir):
    """The "generator" that ignores its inputs: the pixel-wise mean of the images in ``train_dir``,
    saved losslessly as ``<out_dir>/<source>_2_<target>_vis.png`` for every pair."""
    names = sorted(os.listdir(train_dir))
    total = sum(np.asarray(Image.open(os.path.join(train_dir, name)).convert("RGB"), np.float64) for name in names)
    mean = Image.fromarray(np.round(total / len(names)).astype(np.uint8))
    os.makedirs(out_dir, exist_ok=True)
    for source, target in pairs:
        mean.save(os.path.join(out_dir, generated_name(source, target) + ".png"))


class Scorer:
    """Scores folders of ``<source>_2_<target>_vis.jpg`` images against the ground truth.

    Args:
        gt_dir: the ground-truth test images (the dataset's test folder).
        pairs_csv: the test pairs; every pair must have a generated image.
        alexnet_path: AlexNet weights file for LPIPS, or None to leave LPIPS out.
        inception_path: Inception weights file for FID, or None to leave FID out.
        real_dir: the real images of FID (the training images).
        device: where the metric networks run: 'auto' (a GPU when there is one), 'cpu', 'cuda:0', ...
    """

    def __init__(self, gt_dir, pairs_csv, alexnet_path=None, inception_path=None, real_dir=None, device="auto"):
        self.gt_dir, self.pairs_csv, self.real_dir = gt_dir, pairs_csv, real_dir
        self.alexnet_path, self.inception_path = alexnet_path, inception_path
        self.metric_names = [name for name, _ in METRICS
                             if not (name == "fid" and inception_path is None)
                             and not (name == "lpips" and alexnet_path is None)]
        self.device = resolve_device(device)
        self._lpips = build_lpips(alexnet_path)[0] if alexnet_path else None

    def report(self, generated_dir, name, output):
        """script.metrics' report of ``generated_dir`` (written as JSON to ``output``)."""
        config = MetricsConfig(generated_path=generated_dir, gt_path=self.gt_dir, real_path=self.real_dir,
                               pairs_path=self.pairs_csv, name=name, metrics=self.metric_names,
                               inception_weights=self.inception_path, alexnet_weights=self.alexnet_path,
                               batch_size=BATCH_SIZE, device=str(self.device), num_workers=0,
                               cache_dir=os.path.join(os.path.dirname(output), "fid_cache"), output=output)
        report = evaluate(config)
        write_report(output, report)
        return report

    def per_pair(self, generated_dir):
        """{generated image's name without extension: {metric: score}} for the pair metrics (all but FID)."""
        pairs = match_pairs(generated_dir, self.gt_dir)
        metrics = select_metrics([name for name in self.metric_names if name != "fid"])
        scores = score_pairs(pairs, metrics, self.device, BATCH_SIZE, 0, lpips_model=self._lpips)
        return {os.path.splitext(os.path.basename(pair.generated))[0]:
                {name: float(values[index]) for name, values in scores.items()} for index, pair in enumerate(pairs)}
