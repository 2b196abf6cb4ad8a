"""Image folders as the metrics read them: listing, decoding, size checks and batch counting.

The original listed ``*.jpg`` and ``*.png`` (non-recursive) in filesystem order and read them
with imageio (original: script/metrics.py and script/inception.py, FID). We list the same files (also ``.jpeg``, any letter case) in
sorted name order, so that "the last partial batch" is the same set of images on every machine,
and decode with Pillow, which is what imageio uses for these formats.
"""
import os

import numpy as np
import torch
from PIL import Image

from options.errors import OptionError
from util.errors import BadInputError, MissingPathError, UnreadableFileError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


def list_images(folder, flag="folder"):
    """Return the sorted paths of the images directly inside ``folder``.

    Args:
        folder: a directory.
        flag: the command-line flag that named it, for error messages.
    Returns:
        list[str] of paths, sorted by file name; never empty.
    """
    if not os.path.isdir(folder):
        raise MissingPathError(f"{flag}: {folder!r} is not a directory")
    names = sorted(name for name in os.listdir(folder) if name.lower().endswith(IMAGE_EXTENSIONS)
                   and os.path.isfile(os.path.join(folder, name)))
    if not names:
        raise BadInputError(f"{flag}: {folder!r} holds no {'/'.join(IMAGE_EXTENSIONS)} images")
    return [os.path.join(folder, name) for name in names]


def used_count(num_images, batch_size, drop_last_batch):
    """How many images a batched metric scores: all, or whole batches only (the original's way).

    Args:
        num_images: images available.
        batch_size: images per batch.
        drop_last_batch: drop the last partial batch, as the original FID and LPIPS did.
    Returns:
        int, ``num_images`` or ``num_images // batch_size * batch_size`` (> 0).
    """
    if batch_size < 1:
        raise OptionError(f"--batch_size must be >= 1, got {batch_size}")
    count = num_images // batch_size * batch_size if drop_last_batch else num_images
    if count == 0:
        raise OptionError(f"--drop_last_batch with {num_images} images and batch size {batch_size} "
                         f"leaves no image to score; expected at least {batch_size} images")
    return count


def read_rgb(path):
    """Decode an image file as RGB.

    Args:
        path: an image file.
    Returns:
        np.ndarray uint8 [H, W, 3].
    Raises:
        UnreadableFileError naming the file when it is truncated or not an image.
    """
    with _opened(path) as image:
        try:
            return np.asarray(image.convert("RGB"))
        except (OSError, SyntaxError, ValueError) as error:
            raise _unreadable(path, error) from error


def image_size(path):
    """Return (height, width) of an image file without decoding its pixels."""
    with _opened(path) as image:
        return image.height, image.width


def _opened(path):
    """``Image.open(path)``; an unreadable file raises UnreadableFileError naming it."""
    try:
        return Image.open(path)
    except (OSError, SyntaxError, ValueError) as error:
        raise _unreadable(path, error) from error


def _unreadable(path, error):
    return UnreadableFileError(f"cannot read image {path!r}: {error}; write it again (test.py makes the generated "
                               f"images) or remove it")


def check_size(path, array, expected_hw, expected_from):
    """Raise if the decoded image ``array`` [H, W, 3] is not ``expected_hw``, naming both files."""
    if array.shape[:2] != tuple(expected_hw):
        raise BadInputError(f"image {path!r} is {array.shape[0]}x{array.shape[1]} (HxW), expected "
                         f"{expected_hw[0]}x{expected_hw[1]} like {expected_from!r}; every image of "
                         f"a folder (and of a generated/ground-truth pair) must have the same size "
                         f"(script/make_eval_folders.py writes the test and train folders at the "
                         f"generated size)")


def to_chw_tensor(array):
    """uint8 [H, W, 3] NumPy image -> uint8 tensor [3, H, W]."""
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


class ImageFolderDataset(torch.utils.data.Dataset):
    """The images of a file list as uint8 tensors [3, H, W], all of the first file's size."""

    def __init__(self, paths):
        self.paths = list(paths)
        self.size = image_size(self.paths[0])

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        array = read_rgb(self.paths[index])
        check_size(self.paths[index], array, self.size, self.paths[0])
        return to_chw_tensor(array)
