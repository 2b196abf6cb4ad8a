"""Dataset registry: ``--dataset_mode`` name -> dataset class, imported lazily (CycleGAN style, strict).

Each class is built as ``Cls(opt)`` and adds its options through the static
``modify_commandline_options(parser, is_train)``.
"""
import importlib

from data.base_dataset import BaseDataset

_DATASETS = {
    "fashion": ("data.fashion_dataset", "FashionDataset"),
    "market": ("data.market_dataset", "MarketDataset"),
    "face": ("data.face_dataset", "FaceDataset"),
    "dance": ("data.dance_dataset", "DanceDataset"),
    "shapenet": ("data.shapenet_dataset", "ShapeNetDataset"),
    "keypoint": ("data.keypoint_dataset", "KeypointDataset"),
    "keypointtest": ("data.keypointtest_dataset", "KeypointTestDataset"),
}


def dataset_names():
    """The valid ``--dataset_mode`` values."""
    return sorted(_DATASETS)


def find_dataset_class(name):
    """The dataset class registered as ``name``.

    Raises:
        ValueError: unknown name; the message lists the valid names.
    """
    if name not in _DATASETS:
        raise ValueError(f"--dataset_mode: unknown dataset {name!r}; valid datasets: {', '.join(dataset_names())}")
    module_name, class_name = _DATASETS[name][:2]
    cls = getattr(importlib.import_module(module_name), class_name)
    if not issubclass(cls, BaseDataset):
        raise TypeError(f"{module_name}.{class_name} must subclass data.base_dataset.BaseDataset")
    return cls


def get_option_setter(name):
    """The ``modify_commandline_options(parser, is_train)`` hook of the dataset ``name``."""
    return find_dataset_class(name).modify_commandline_options


def create_dataset(opt):
    """Build the dataset ``opt.dataset_mode`` from the options."""
    return find_dataset_class(opt.dataset_mode)(opt)
