"""ShapeNet novel-view synthesis (Multi-view-to-Novel-view HDF5): ``--dataset_mode=shapenet`` (original: data/shapenet_dataset.py, ShapeNetDataset).

Files, with ``<model>`` = ``--sub_dataset_model`` (car, chair) and ``<split>`` = ``--phase``
(``test`` for ``val``)::

    <dataroot>/data_<model>.hdf5        one group per view id '<object>_<h>_<v>' with datasets
                                        'image' (H x W x 3 uint8) and 'pose' ([h, v])
    <dataroot>/id_<model>_<split>.txt   the view ids of the split, one per line (training)
    <dataroot>/name_<model>_test.txt    the object names tested, one per line (testing)

``h`` is the azimuth / 10 (azimuths 0, ang_skip, ..., 360 - ang_skip) and ``v`` the elevation in
degrees (0, 10, 20). Training pairs each listed view with a random azimuth of the same object and
elevation. Testing, as the original, takes one source view per object, at azimuth
``index % (360 / ang_skip)`` steps (so successive objects turn) and elevation 0, and returns
all azimuths at elevation 0 as targets. The source labels ``BP1`` (and the training target's
``BP2``) are the file's ``pose``, the test targets' labels come from their ids, as the original.

Bad input stops with a ``UserError`` naming the file and view: a missing file, a malformed or
out-of-range id, a view needed but absent from the HDF5 file (checked up front), and a 'pose'
that disagrees with its id or an unreadable view (checked when the view is loaded). The HDF5 file
is opened lazily in each process (worker), as h5py handles do not survive fork.
"""
import os

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image

from data.base_dataset import BaseDataset, as_size
from util.errors import UserError


class ShapeNetDataset(BaseDataset):
    """Views of ShapeNet objects: P1/P2 images [3, H, W] in [-1, 1], BP1/BP2 int64 [2, 1, 1] = (h, v)."""

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = BaseDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--ang_skip", type=int, default=20, help="azimuth step of the views in degrees")
        parser.add_argument("--label_nc_h", type=int, default=18, help="number of azimuth classes")
        parser.add_argument("--label_nc_v", type=int, default=3, help="number of elevation classes")
        # --sub_dataset=car in the original README is accepted as an argparse prefix of this option
        parser.add_argument("--sub_dataset_model", type=str, default="car", help="ShapeNet category: car or chair")
        parser.set_defaults(load_size=(256, 256), image_nc=3, display_winsize=256, structure_nc=21)
        return parser

    def __init__(self, opt):
        super().__init__(opt)
        self.load_size = as_size(opt.load_size, "load_size")
        self.azimuth_steps = [angle // 10 for angle in range(0, 360, opt.ang_skip)]
        self.elevations = [10 * level for level in range(opt.label_nc_v)]
        model, split = opt.sub_dataset_model, "test" if opt.phase == "val" else opt.phase
        self.hdf5_path = os.path.join(opt.dataroot, f"data_{model}.hdf5")
        if not os.path.isfile(self.hdf5_path):
            raise UserError(f"ShapeNet view file not found: {self.hdf5_path}; put the Multi-view-to-Novel-view "
                            f"data_{model}.hdf5 in --dataroot or choose the category with --sub_dataset_model")
        if opt.isTrain:
            self.list_path = os.path.join(opt.dataroot, f"id_{model}_{split}.txt")
            # (object, h, v, line number in the list)
            self.sources = [self._parse_listed_id(text, line) for line, text in _read_list(self.list_path)]
        else:
            self.list_path = os.path.join(opt.dataroot, f"name_{model}_{split}.txt")
            steps = self.azimuth_steps
            self.sources = [(name, steps[index % len(steps)], 0, line)
                            for index, (line, name) in enumerate(_read_list(self.list_path))]
        self._check_views_present()
        self._file, self._file_pid = None, None

    def __len__(self):
        return len(self.sources)

    def __getitem__(self, index):
        name, h, v, _ = self.sources[index]
        source_id = view_id(name, h, v)
        image, pose = self._load_view(source_id, h, v)
        item = {"P1": image, "BP1": pose, "P1_path": source_id}
        if self.opt.isTrain:
            target_h = int(self.sample_rng(index).choice(self.azimuth_steps))
            target_id = view_id(name, target_h, v)
            image, pose = self._load_view(target_id, target_h, v)
            item.update(P2=image, BP2=pose, P2_path=target_id)
        else:
            target_ids = [view_id(name, target_h, 0) for target_h in self.azimuth_steps]
            item.update(P2=[self._load_view(target, target_h, 0)[0]
                            for target, target_h in zip(target_ids, self.azimuth_steps)],
                        BP2=[_pose_label(target_h, 0) for target_h in self.azimuth_steps], P2_path=target_ids)
        return item

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_file"], state["_file_pid"] = None, None  # each process opens its own handle
        return state

    def _hdf5(self):
        if self._file is None or self._file_pid != os.getpid():
            import h5py
            self._file, self._file_pid = h5py.File(self.hdf5_path, "r"), os.getpid()
        return self._file

    def _load_view(self, view, h, v):
        """The view's image resized to load_size (bilinear), [3, H, W] in [-1, 1], and its file pose [2, 1, 1].

        The pose must be the [h, v] of its id, which the test targets' labels are built from.
        """
        group = self._hdf5()[view]
        missing = [key for key in ("image", "pose") if key not in group]
        if missing:
            raise UserError(f"{self.hdf5_path}: view {view!r} has no {' or '.join(missing)} dataset; "
                            f"each view holds 'image' (H x W x 3 uint8) and 'pose' ([h, v])")
        image, pose = np.asarray(group["image"][()]), np.asarray(group["pose"][()])
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise UserError(f"{self.hdf5_path}: view {view!r} has an image of shape {image.shape} and type "
                            f"{image.dtype}; expected H x W x 3 uint8")
        if pose.size != 2 or not np.issubdtype(pose.dtype, np.integer) or pose.ravel().tolist() != [h, v]:
            raise UserError(f"{self.hdf5_path}: view {view!r} has pose {pose.ravel().tolist()}; expected "
                            f"[azimuth/10, elevation] = [{h}, {v}] as its id says")
        image = F.resize(Image.fromarray(image), list(self.load_size), interpolation=F.InterpolationMode.BILINEAR)
        return F.normalize(F.to_tensor(image), [0.5] * 3, [0.5] * 3), _pose_label(h, v)

    def _parse_listed_id(self, view, line):
        """(object, h, v, line) of a view id listed at ``line`` of the id list, checked against the label ranges."""
        where = f"{self.list_path}, line {line}: view id {view!r}"
        try:
            name, h, v = split_view_id(view)
        except ValueError as error:
            raise UserError(f"{where}: {error}") from None
        if h not in self.azimuth_steps:
            raise UserError(f"{where} has azimuth/10 = {h}; expected one of {_listing(self.azimuth_steps)} "
                            f"(azimuths 0 to {360 - self.opt.ang_skip} in steps of --ang_skip {self.opt.ang_skip})")
        if v not in self.elevations:
            raise UserError(f"{where} has elevation {v}; expected one of {_listing(self.elevations)}")
        return name, h, v, line

    def _check_views_present(self):
        """Every view an item can ask for (all azimuths of its object and elevation) must be in the file."""
        import h5py
        with h5py.File(self.hdf5_path, "r") as handle:
            present = set(handle.keys())
        listed = "listed in" if self.opt.isTrain else "the test source of an object in"
        missing_sources = [(view_id(name, h, v), line) for name, h, v, line in self.sources
                           if view_id(name, h, v) not in present]
        if missing_sources:
            view, line = missing_sources[0]
            raise UserError(f"{self.hdf5_path}: view {view!r}, {listed} {self.list_path} (line {line}), is not in "
                            f"the file ({len(missing_sources)} such views); use the lists that belong to this file")
        first_source = {}  # (object, elevation) -> (its first listed view, line): targets depend on these only
        for name, h, v, line in self.sources:
            first_source.setdefault((name, v), (view_id(name, h, v), line))
        missing_targets = {view_id(name, target_h, v): source for (name, v), source in first_source.items()
                           for target_h in self.azimuth_steps if view_id(name, target_h, v) not in present}
        if missing_targets:
            target, (source, line) = next(iter(missing_targets.items()))
            raise UserError(f"{self.hdf5_path}: view {target!r}, a target of {source!r} ({self.list_path}, line "
                            f"{line}), is not in the file ({len(missing_targets)} such views); every object needs "
                            f"all azimuths {_listing(self.azimuth_steps)} (/10) at each of its elevations")


def split_view_id(view):
    """'<object>_<h>_<v>' -> (object, h, v); ValueError for any other form."""
    name, _, v = view.rpartition("_")
    name, _, h = name.rpartition("_")
    if not name or not h.isdigit() or not v.isdigit():
        raise ValueError(f"expected '<object>_<azimuth/10>_<elevation>', got {view!r}")
    return name, int(h), int(v)


def view_id(name, h, v):
    """The id of object ``name``'s view at azimuth/10 ``h`` and elevation ``v``."""
    return f"{name}_{h}_{v}"


def _read_list(path):
    """(line number, stripped text) of the non-empty lines of a text file; errors for a missing or empty file."""
    if not os.path.isfile(path):
        raise UserError(f"ShapeNet list file not found: {path}; put the split lists beside the HDF5 file in --dataroot")
    with open(path) as handle:
        items = [(number, line.strip()) for number, line in enumerate(handle, start=1) if line.strip()]
    if not items:
        raise UserError(f"{path}: no entries, the split is empty")
    return items


def _listing(values):
    """'0, 2, ..., 34' for a long evenly spaced list, else all values."""
    return ", ".join(map(str, values)) if len(values) <= 4 else f"{values[0]}, {values[1]}, ..., {values[-1]}"


def _pose_label(h, v):
    return torch.tensor([h, v], dtype=torch.int64).view(2, 1, 1)
