"""Pairing generated images with their ground truth by the names ``test.py`` writes.

``test.py`` saves the image generated from source ``A.jpg`` in the pose of target ``B.jpg`` as
``A_2_B_vis.jpg``. The original metric script took the part after the last ``_2_``, cut it at
``_vis`` and appended ``.jpg`` to find ``<gt_path>/B.jpg`` (original: script/metrics.py). It skipped files it
could not match; we refuse instead, listing them, because a silently smaller test set gives
numbers that look comparable but are not.
"""
import os
from dataclasses import dataclass

from script.metrics_lib.image_files import list_images

from util.errors import BadInputError

_LISTED = 5  # names shown in an error before "... and N more"


@dataclass(frozen=True)
class ImagePair:
    """A generated image and the ground-truth image of its target pose."""
    generated: str  # path
    target: str  # path

    @property
    def target_name(self):
        """The target's file name, the key of its row in the annotation file."""
        return os.path.basename(self.target)


def target_stem(generated_name):
    """Return the target stem encoded in a generated file name, or None if it has none.

    Args:
        generated_name: e.g. ``'0007_c2s3_070952_01_2_0007_c3s3_077419_03_vis.jpg'``.
    Returns:
        str, e.g. ``'0007_c3s3_077419_03'``: after the last ``_2_``, before the next ``_vis``.
    """
    _, separator, tail = generated_name.rpartition("_2_")
    stem, vis, _ = tail.partition("_vis")
    if not separator or not vis or not stem:
        return None
    return stem


def listing(names):
    """Names for a one-line error message: ' a, b, c', at most the first 5, then ', ... and N more'."""
    shown = ", ".join(names[:_LISTED])
    more = f", ... and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return f" {shown}{more}"


def match_pairs(generated_dir, gt_dir):
    """Pair every image of ``generated_dir`` with its ground truth in ``gt_dir``.

    Args:
        generated_dir: folder of ``<from>_2_<to>_vis.<ext>`` images (``--generated_path``).
        gt_dir: folder holding ``<to>.<ext>`` for every target (``--gt_path``).
    Returns:
        list[ImagePair] in sorted generated-name order.
    Raises:
        ValueError listing the generated files whose name does not follow the pattern or whose
        target is missing from ``gt_dir`` (or present with several extensions).
    """
    gt_by_stem = {}
    for path in list_images(gt_dir, "--gt_path"):
        gt_by_stem.setdefault(os.path.splitext(os.path.basename(path))[0], []).append(path)

    pairs, unmatched = [], []
    for path in list_images(generated_dir, "--generated_path"):
        name = os.path.basename(path)
        stem = target_stem(name)
        if stem is None:
            unmatched.append(f"{name} (not named <from>_2_<to>_vis.<ext>)")
        elif stem not in gt_by_stem:
            unmatched.append(f"{name} (no {stem}.jpg/.png in --gt_path)")
        elif len(gt_by_stem[stem]) > 1:
            unmatched.append(f"{name} (ambiguous target: {', '.join(gt_by_stem[stem])})")
        else:
            pairs.append(ImagePair(path, gt_by_stem[stem][0]))
    if unmatched:
        raise BadInputError(f"{len(unmatched)} of the {len(unmatched) + len(pairs)} images in "
                         f"--generated_path {generated_dir!r} have no ground truth in --gt_path "
                         f"{gt_dir!r}:{listing(unmatched)}")
    return pairs
