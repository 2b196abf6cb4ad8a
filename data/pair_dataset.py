"""Source/target pairs of person images with their pose heatmaps: the fashion and market datasets.

Behaviour of the original ``BaseDataset`` (original: data/base_dataset.py, BaseDataset). On-disk layout::

    <dataroot>/<phase>/<name>.jpg
    <dataroot>/<prefix>-annotation-<phase>.csv   (data.annotations)
    <dataroot>/<prefix>-pairs-<phase>.csv

Everything checkable is checked when the dataset is built (CSV files, rows, that every image a
pair names is annotated and present; for training, a warning about images of an unusual size);
an unreadable image is reported when it is loaded.
"""
import os

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image

from data.affine import augmentation_center, forward_affine_matrix, sample_affine_params, warp_image
from data.annotations import read_annotations, read_pair_rows
from data.base_dataset import BaseDataset, as_size
from data.heatmaps import factored_heatmaps
from data.image_sizes import warn_about_unusual_sizes
from util.errors import BadInputError, MissingPathError, UnreadableFileError

SPLITS = ("train", "test", "val")


class PairDataset(BaseDataset):
    """One item per row of the pairs CSV: P1/P2 images [3, H, W] in [-1, 1], BP1/BP2 pose heatmaps
    [18, H, W] as their factors ``{"rows": [18, H], "cols": [18, W]}`` (``data.heatmaps.pose_heatmaps``
    expands them, bitwise the original's heatmaps).

    Subclasses name their CSV prefixes in ``file_prefixes`` (the released spelling first) and set
    their option defaults.
    """

    file_prefixes = ()

    def __init__(self, opt):
        super().__init__(opt)
        self.root = opt.dataroot
        self.phase = opt.phase
        self.load_size = as_size(opt.load_size, "load_size")
        self.annotation_size = as_size(opt.old_size, "old_size")
        self.ranges = {name: _augmentation_option(opt, name) for name in ("angle", "shift", "scale")}
        if not os.path.isdir(self.root):
            raise MissingPathError(f"--dataroot={self.root}: no such folder; put the {opt.dataset_mode} dataset "
                                   f"there or pass --dataroot=<its folder> (see dataset/README.md)")
        self.image_dir = os.path.join(self.root, self.phase)
        if not os.path.isdir(self.image_dir):
            raise MissingPathError(_missing_split_message(self.root, self.phase))
        self.annotation_csv = self._find_csv("annotation")
        self.pairs_csv = self._find_csv("pairs")
        self.annotations = read_annotations(self.annotation_csv, frame=self.annotation_size)
        rows = read_pair_rows(self.pairs_csv)
        if not rows:
            raise BadInputError(f"{self.pairs_csv}: no pairs, the {self.phase} split is empty")
        self._check_pairs(rows)
        self.pairs = [(source, target) for _, source, target in rows]
        if opt.isTrain:
            warn_about_unusual_sizes(self.image_dir, [name for pair in self.pairs for name in pair], self.load_size)

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        source_name, target_name = self.pairs[index]
        rng = self.sample_rng(index)
        source_params = self._sample_params(rng)
        target_params = self._sample_params(rng).weakened()
        source, source_pose = self._load_view(source_name, source_params)
        target, target_pose = self._load_view(target_name, target_params)
        return {"P1": source, "BP1": source_pose, "P2": target, "BP2": target_pose,
                "P1_path": source_name, "P2_path": target_name}

    def _sample_params(self, rng):
        return sample_affine_params(rng, self.ranges["angle"], self.ranges["shift"], self.ranges["scale"])

    def _load_view(self, name, params):
        """Image [3, H, W] in [-1, 1] and factored heatmaps [18, H, W] of ``name`` under the transform ``params``."""
        image = self._read_image(name)
        image = F.resize(image, list(self.load_size), interpolation=F.InterpolationMode.BILINEAR)
        center = augmentation_center(*image.size)
        image = warp_image(image, params, center)
        heatmaps = factored_heatmaps(self.annotations[name], self.load_size, self.annotation_size,
                                     forward_affine_matrix(params, center))
        return image_to_tensor(image), heatmaps

    def _read_image(self, name):
        path = os.path.join(self.image_dir, name)
        try:
            with Image.open(path) as image:
                return image.convert("RGB")
        except (OSError, SyntaxError, ValueError) as error:
            raise UnreadableFileError(f"cannot read image {path}: {error}") from error

    def _find_csv(self, kind):
        """``<root>/<prefix>-<kind>-<phase>.csv`` for the one accepted prefix present."""
        candidates = [os.path.join(self.root, f"{prefix}-{kind}-{self.phase}.csv") for prefix in self.file_prefixes]
        found = [path for path in candidates if os.path.isfile(path)]
        if not found:
            raise MissingPathError(f"{kind} CSV not found: expected {' or '.join(candidates)}")
        if len(found) > 1 and not os.path.samefile(found[0], found[1]):
            raise BadInputError(f"two different {kind} CSVs: {found[0]} and {found[1]}; keep one")
        return found[0]

    def _check_pairs(self, rows):
        """Every image named by a pair must be annotated and present in the image folder."""
        with os.scandir(self.image_dir) as entries:
            present = {entry.name for entry in entries if entry.is_file()}
        for line_number, *names in rows:
            for name in names:
                where = f"{self.pairs_csv}, line {line_number}"
                if name not in self.annotations:
                    raise BadInputError(f"{where}: image {name!r} has no row in {self.annotation_csv}")
                if name not in present:
                    raise MissingPathError(f"{where}: image file not found: {os.path.join(self.image_dir, name)}")


def _missing_split_message(root, phase):
    """The folder of split ``phase`` is missing: name the splits ``root`` has and how to use them."""
    present = [split for split in SPLITS if os.path.isdir(os.path.join(root, split))]
    reads = "train.py reads the train split" if phase == "train" else f"--phase={phase} reads"
    if not present:
        return (f"{os.path.join(root, phase)}: no such folder ({reads} from it); {root} has none of the split "
                f"folders {', '.join(SPLITS)}: lay the dataset out as dataset/README.md says")
    if present == ["test"]:
        return (f"{os.path.join(root, phase)}: no such folder ({reads} from it); {root} is a test-only set: "
                f"test it with test.py (--phase=test), or add the {phase} images and CSVs")
    return (f"{os.path.join(root, phase)}: no such folder ({reads} from it); {root} has "
            f"{', '.join(present)}: pass --phase={present[0]} or add the {phase} images and CSVs")


def image_to_tensor(image):
    """RGB PIL image -> float32 tensor [3, H, W] in [-1, 1].

    Bit-identical to torchvision's ``normalize(to_tensor(image), 0.5, 0.5)``, in numpy because the
    torch ops on small tensors slow down badly when the main process's threads share busy cores.
    """
    array = np.asarray(image, dtype=np.float32) / np.float32(255)
    return torch.from_numpy(np.ascontiguousarray(((array - np.float32(0.5)) / np.float32(0.5)).transpose(2, 0, 1)))


def _augmentation_option(opt, name):
    """``opt.<name>`` as a (low, high) range, or None when disabled."""
    value = getattr(opt, name)
    if value is False or value is None:
        return None
    if (isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value)
            and value[0] <= value[1]):
        return (float(value[0]), float(value[1]))
    raise ValueError(f"--{name}: expected a range (low, high) or False for a pair dataset, got {value!r}")
