"""Scores of animation result folders: each generated frame against its ground-truth frame.

The layout is the one ``test.py`` writes for ``--model=face`` (``util/video_results.py``, as the
original's Face.test)::

    <generated_path>/<video>/<frame>_vis.png      the generated frames (the edge maps, videos, ... beside are ignored)

The ground truth of ``<video>/<frame>_vis.png`` is, with ``--gt_path``, the test frame
``<gt_path>/<video>/<frame>.png`` (or .jpg, .jpeg): for faces ``--gt_path <dataroot>/test_data``;
without ``--gt_path``, the ``<frame>_gt.png`` beside it (as the original's person animation test
writes them). Ground-truth frames must have the generated size (the test's ``--load_size``;
``script.extract_video_frames --size 256`` extracts frames at 256x256).

Metrics: FID of all generated frames against all their ground-truth frames (the test videos are
the real set, so ``--real_path`` is not used), and the paired metrics (LPIPS, SSIM, PSNR, ...) of
every frame; reported overall, with the number of frames of each video.
"""
import os
import platform
import re

import torch
import torchvision

from script.metrics_lib.evaluate import _fid, _pair_results
from script.metrics_lib.image_files import IMAGE_EXTENSIONS, image_size
from script.metrics_lib.matching import ImagePair, listing
from script.metrics_lib.registry import select_metrics
from script.metrics_lib.runtime import resolve_device
from util.errors import UserError

GENERATED_FRAME = re.compile(r"^(.+)_vis\.(png|jpg|jpeg)$", re.IGNORECASE)  # frame stem


def is_video_frames_folder(path):
    """Whether ``path`` holds video folders with ``<frame>_vis.png`` files (the auto-detected layout)."""
    if not os.path.isdir(path):
        return False
    return any(entry.is_dir() and any(GENERATED_FRAME.match(name) for name in os.listdir(entry.path))
               for entry in os.scandir(path))


def _ground_truth(gt_path, folder, video, stem):
    """The ground-truth file of frame ``stem`` of ``video``, or None."""
    if gt_path is None:
        candidates = [os.path.join(folder, f"{stem}_gt.png")]
    else:
        candidates = [os.path.join(gt_path, video, stem + extension) for extension in IMAGE_EXTENSIONS]
    return next((path for path in candidates if os.path.isfile(path)), None)


def find_frame_pairs(generated_path, gt_path=None):
    """Every generated frame of ``generated_path`` with its ground truth, in video and frame order.

    Returns:
        (list[ImagePair], dict video -> number of frames).
    Raises:
        UserError naming the frames without a ground truth, or the first pair of different sizes.
    """
    if not os.path.isdir(generated_path):
        raise UserError(f"--generated_path: {generated_path!r} is not a directory")
    if gt_path is not None and not os.path.isdir(gt_path):
        raise UserError(f"--gt_path: {gt_path!r} is not a directory (expected the test frames' video folders, "
                        f"e.g. <dataroot>/test_data)")
    pairs, videos, missing = [], {}, []
    for video in sorted(entry.name for entry in os.scandir(generated_path) if entry.is_dir()):
        folder = os.path.join(generated_path, video)
        for name in sorted(os.listdir(folder)):
            match = GENERATED_FRAME.match(name)
            if not match:
                continue
            truth = _ground_truth(gt_path, folder, video, match.group(1))
            if truth is None:
                missing.append(f"{video}/{name}")
                continue
            pairs.append(ImagePair(os.path.join(folder, name), truth))
            videos[video] = videos.get(video, 0) + 1
    where = (f"<gt_path>/<video>/<frame>.png in {gt_path!r}" if gt_path
             else "<frame>_gt.png beside it (or pass --gt_path)")
    if missing:
        raise UserError(f"--generated_path {generated_path!r}: {len(missing)} generated frames have no ground truth "
                        f"({where}):{listing(missing)}")
    if not pairs:
        raise UserError(f"--generated_path {generated_path!r}: no video folders with <frame>_vis.png frames")
    for pair in pairs:
        generated, truth = image_size(pair.generated), image_size(pair.target)
        if generated != truth:
            raise UserError(f"ground truth {pair.target!r} is {truth[0]}x{truth[1]} (HxW), the generated "
                            f"{pair.generated!r} {generated[0]}x{generated[1]}: ground-truth frames must have the "
                            f"generated size (extract them at the test's --load_size, e.g. script.extract_video_frames "
                            f"--size 256)")
    return pairs, videos


def evaluate(config):
    """Score an animation results folder.

    Args:
        config: evaluate.MetricsConfig (``generated_path``, ``gt_path``, ``metrics``, ``protocol``, ...).
    Returns:
        dict report as the pairs layout's (``name``, ``paths``, ``settings``, ``networks``,
        ``results``) with ``layout`` 'video_frames' and ``videos`` (video -> frames scored).
    """
    for flag, value in (("--real_path", config.real_path), ("--annotation_path", config.annotation_path),
                        ("--pairs_path", config.pairs_path)):
        if value is not None:
            raise UserError(f"{flag} is not used with animation result folders: the ground-truth frames are the "
                            f"real set and every generated frame is scored")
    metrics = select_metrics(config.metrics, config.calculate_mask)
    if any(metric.masked for metric in metrics):
        raise UserError("--calculate_mask: the masked metrics need body keypoints, which animation folders lack")
    device = resolve_device(config.device)
    pairs, videos = find_frame_pairs(config.generated_path, config.gt_path)

    results, networks = {}, {}
    if any(metric.kind == "fid" for metric in metrics):
        results["fid"], networks["inception"] = _fid(config, [pair.generated for pair in pairs], device,
                                                     real_files=[pair.target for pair in pairs])
    if any(metric.kind != "fid" for metric in metrics):
        pair_results, networks["lpips"] = _pair_results(config, metrics, pairs, None, device)
        results.update(pair_results)
    settings = dict(metrics=[metric.name for metric in metrics], protocol=config.protocol,
                    batch_size=config.batch_size, drop_last_batch=config.drop_last_batch,
                    num_workers=config.num_workers, inception_weights=config.inception_weights,
                    alexnet_weights=config.alexnet_weights, device=str(device), torch=torch.__version__,
                    torchvision=torchvision.__version__, python=platform.python_version())
    return {
        "name": config.name or os.path.basename(os.path.normpath(config.generated_path)),
        "layout": "video_frames",
        "paths": {"generated_path": config.generated_path, "gt_path": config.gt_path},
        "settings": settings,
        "networks": {key: value for key, value in networks.items() if value is not None},
        "results": {metric.name: results[metric.name] for metric in metrics},
        "videos": videos,
    }
