"""The result folders of view synthesis tests (original: model/shapenet_model.py, ShapeNet.test).

One folder per test object, as the original writes it, plus a strip image for looking::

    <results_dir>/<object>/source.png        the source view
    <results_dir>/<object>/result_XXXX.png   the view generated for target XXXX (0000, 0001, ...: the
                                             target azimuths 0, 20, ... degrees at elevation 0)
    <results_dir>/<object>/gt_XXXX.png       the ground truth of target XXXX
    <results_dir>/<object>/strip.png         top row: source, then the results in target order;
                                             bottom row: blank, then the ground truths below them

``script/metrics.py`` scores this layout (``script/metrics_lib/view_synthesis.py``).
"""
import os
import re

import numpy as np
from PIL import Image

from util.image_io import save_image, tensor_to_uint8

SOURCE_FILE = "source.png"
STRIP_FILE = "strip.png"
VIEW_FILE = re.compile(r"^(result|gt)_(\d{4})\.png$")  # kind, target index


def view_file(kind, index):
    """``result_0003.png`` / ``gt_0003.png``: the original's names (index zero-padded to 4 digits)."""
    return f"{kind}_{index:04d}.png"


def save_view_synthesis(results_dir, object_name, source, results, ground_truths, strip_height=128):
    """Write one object's test images and its strip.

    Args:
        results_dir: the test's ``--results_dir``.
        object_name: the object's name, the folder written (the original: ``P1_path.split('_')[0]``).
        source: torch.Tensor [3, H, W] in [-1, 1].
        results, ground_truths: the generated and real target views, torch.Tensor [N, 3, H, W] (or N
            tensors [3, H, W]) in [-1, 1]; index j is target j.
        strip_height: pixel height of each image in the strip (None keeps the full size).
    Returns:
        list[str]: the paths of the result images, in target order.
    """
    if len(results) != len(ground_truths):
        raise ValueError(f"save_view_synthesis: {len(results)} results but {len(ground_truths)} ground truths "
                         f"for object {object_name!r}")
    folder = os.path.join(results_dir, object_name)
    source = tensor_to_uint8(source)
    results = [tensor_to_uint8(image) for image in results]
    ground_truths = [tensor_to_uint8(image) for image in ground_truths]
    save_image(source, os.path.join(folder, SOURCE_FILE))
    paths = []
    for index, (result, truth) in enumerate(zip(results, ground_truths)):
        save_image(truth, os.path.join(folder, view_file("gt", index)))
        paths.append(os.path.join(folder, view_file("result", index)))
        save_image(result, paths[-1])
    save_image(strip_image(source, results, ground_truths, strip_height), os.path.join(folder, STRIP_FILE))
    return paths


def strip_image(source, results, ground_truths, height=None):
    """Two rows of uint8 [H, W, 3] images: source then results; blank then ground truths; each ``height`` high."""
    def tile(image):
        if height is None or image.shape[0] == height:
            return image
        width = max(1, round(image.shape[1] * height / image.shape[0]))
        return np.asarray(Image.fromarray(image).resize((width, height), Image.BILINEAR))

    top = [tile(source)] + [tile(image) for image in results]
    bottom = [np.full_like(top[0], 255)] + [tile(image) for image in ground_truths]
    return np.concatenate([np.concatenate(top, axis=1), np.concatenate(bottom, axis=1)], axis=0)
