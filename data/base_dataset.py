"""Base class of every dataset: the shared augmentation options and a per-process random generator."""
import argparse

import numpy as np
import torch.utils.data


def augmentation_range(text):
    """``--angle/--shift/--scale`` values: 'low,high' -> (low, high); 'false'/'none'/'off' -> False."""
    if str(text).strip().lower() in ("false", "none", "off", "0", ""):
        return False
    try:
        values = tuple(float(item) for item in str(text).split(","))
    except ValueError:
        values = ()
    if len(values) != 2 or values[0] > values[1]:
        raise argparse.ArgumentTypeError(f"expected a range 'low,high' (low <= high) or 'false', got {text!r}")
    return values


def as_size(value, option):
    """An image size option as (height, width): an int n means (n, n)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, np.integer)) for v in value):
        return (int(value[0]), int(value[1]))
    raise ValueError(f"--{option}: expected a size (height, width) or one int, got {value!r}")


class BaseDataset(torch.utils.data.Dataset):
    """Datasets are built as ``Cls(opt)`` and add their options through ``modify_commandline_options``.

    Random augmentation of sample ``index`` draws from ``self.sample_rng(index)``, a generator
    seeded by ``(self.seed, index)``: a pure function of the seed and the sample, whichever worker
    loads it and whatever was loaded before, so a resumed run sees the augmentation an
    uninterrupted one would. The training loop re-seeds the dataset at every epoch (``reseed``).
    """

    def __init__(self, opt):
        super().__init__()
        self.opt = opt
        self.reseed(opt.seed)

    @staticmethod
    def modify_commandline_options(parser, is_train):
        """Add ``--angle``, ``--shift``, ``--scale`` (augmentation ranges; datasets set their defaults)."""
        parser.add_argument("--angle", type=augmentation_range, default=False,
                            help="rotation range 'low,high' in degrees, or false")
        parser.add_argument("--shift", type=augmentation_range, default=False,
                            help="translation range 'low,high' in pixels (x and y drawn separately), or false")
        parser.add_argument("--scale", type=augmentation_range, default=False,
                            help="scale range 'low,high', or false")
        return parser

    def reseed(self, seed):
        """Set the seed that, with a sample's index, fixes that sample's augmentation."""
        self.seed = int(seed)

    def sample_rng(self, index):
        """The random generator of sample ``index`` under the current seed."""
        return np.random.default_rng([self.seed, int(index)])
