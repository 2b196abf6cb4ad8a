"""ShapeNet novel-view synthesis (Multi-view-to-Novel-view HDF5): ``--dataset_mode=shapenet`` (original: data/shapenet_dataset.py, ShapeNetDataset).

Files, with ``<model>`` = ``--sub_dataset_model`` (car, chair) and ``<split>`` = ``--phase``
(``test`` for ``val``)::

    <dataroot>/data_<model>.hdf5        one group per view id '<object>_<h>_<v>' with datasets
                                        'image' (H x W x 3 uint8) and 'pose' ([h, v])
    <dataroot>/id_<model>_<split>.txt   the view ids of the split, one per line
    <dataroot>/name_<model>_test.txt    the object names tested (test only)

``h`` is the azimuth / 10 (azimuths 0, ang_skip, ..., 360 - ang_skip) and ``v`` the elevation in
degrees. Training pairs a view with a random azimuth of the same object and elevation; testing
turns each (object, source azimuth) into all azimuths at elevation 0. The HDF5 file is opened
lazily in each process (worker), as h5py handles do not survive fork.
"""
import os

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image

from data.base_dataset import BaseDataset, as_size


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
        model, split = opt.sub_dataset_model, "test" if opt.phase == "val" else opt.phase
        self.hdf5_path = os.path.join(opt.dataroot, f"data_{model}.hdf5")
        if not os.path.isfile(self.hdf5_path):
            raise FileNotFoundError(f"ShapeNet HDF5 file not found: {self.hdf5_path}")
        if opt.isTrain:
            self.ids = _read_list(os.path.join(opt.dataroot, f"id_{model}_{split}.txt"))
            self.sources = [_split_view_id(view_id) for view_id in self.ids]
        else:
            names = _read_list(os.path.join(opt.dataroot, f"name_{model}_{split}.txt"))
            self.sources = [(name, h, 0) for name in names for h in self.azimuth_steps]
        self._check_views_present()
        self._file, self._file_pid = None, None

    def __len__(self):
        return len(self.sources)

    def __getitem__(self, index):
        name, h, v = self.sources[index]
        source_id = _view_id(name, h, v)
        item = {"P1": self._load_image(source_id), "BP1": _pose_label(h, v), "P1_path": source_id}
        if self.opt.isTrain:
            target_h = int(self.sample_rng(index).choice(self.azimuth_steps))
            target_id = _view_id(name, target_h, v)
            item.update(P2=self._load_image(target_id), BP2=_pose_label(target_h, v), P2_path=target_id)
        else:
            target_ids = [_view_id(name, target_h, 0) for target_h in self.azimuth_steps]
            item.update(P2=[self._load_image(i) for i in target_ids],
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

    def _load_image(self, view_id):
        """The view's image resized to load_size (bilinear), [3, H, W] in [-1, 1]."""
        image = Image.fromarray(np.asarray(self._hdf5()[view_id]["image"], dtype=np.uint8)).convert("RGB")
        image = F.resize(image, list(self.load_size), interpolation=F.InterpolationMode.BILINEAR)
        return F.normalize(F.to_tensor(image), [0.5] * 3, [0.5] * 3)

    def _check_views_present(self):
        """Every view an item can ask for (all azimuths of its object and elevation) must be in the file."""
        import h5py
        with h5py.File(self.hdf5_path, "r") as handle:
            present = set(handle.keys())
        needed = sorted({_view_id(name, h, v) for name, _, v in self.sources for h in self.azimuth_steps})
        missing = [view_id for view_id in needed if view_id not in present]
        if missing:
            raise ValueError(f"{self.hdf5_path}: {len(missing)} views needed by the {self.opt.phase} split are "
                             f"missing, e.g. {missing[0]!r}")


def _read_list(path):
    """Non-empty stripped lines of a text file; errors for a missing or empty file."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"ShapeNet list file not found: {path}")
    with open(path) as handle:
        items = [line.strip() for line in handle if line.strip()]
    if not items:
        raise ValueError(f"{path}: no entries, the split is empty")
    return items


def _split_view_id(view_id):
    """'<object>_<h>_<v>' -> (object, h, v)."""
    name, _, rest = view_id.rpartition("_")
    name, _, h = name.rpartition("_")
    if not name or not h.isdigit() or not rest.isdigit():
        raise ValueError(f"view id {view_id!r}: expected '<object>_<azimuth/10>_<elevation>'")
    return name, int(h), int(rest)


def _view_id(name, h, v):
    return f"{name}_{h}_{v}"


def _pose_label(h, v):
    return torch.tensor([h, v], dtype=torch.int64).view(2, 1, 1)
