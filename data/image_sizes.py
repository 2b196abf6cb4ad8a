"""A warning, once per dataset, about images whose size differs from the dataset's usual one.

Every image is resized to ``--load_size`` when loaded, so an odd one (a 40x20 crop in Market's
128x64 set) would silently come out blurred or stretched. The usual size is the most common one;
sizes come from the image headers (no pixels are decoded), once, when the dataset is built.
"""
import collections
import os
import warnings

from PIL import Image

from util.distributed import is_main_process
from util.errors import UnreadableFileError


def header_size(path):
    """(height, width) of an image file from its header; UnreadableFileError naming the file."""
    try:
        with Image.open(path) as image:
            return image.height, image.width
    except (OSError, SyntaxError, ValueError) as error:
        raise UnreadableFileError(f"cannot read image {path}: {error}") from error


def warn_about_unusual_sizes(image_dir, names, load_size):
    """Warn (rank 0, once) when some of the images ``names`` in ``image_dir`` differ in size from most.

    Returns:
        The number of images of an unusual size.
    """
    sizes = {name: header_size(os.path.join(image_dir, name)) for name in sorted(set(names))}
    usual, _ = collections.Counter(sizes.values()).most_common(1)[0]
    unusual = [name for name, size in sizes.items() if size != usual]
    if unusual and is_main_process():
        example = unusual[0]
        warnings.warn(f"{len(unusual)} of the {len(sizes)} images in {image_dir} are not {usual[0]}x{usual[1]} "
                      f"(HxW) like the others, e.g. {example} is {sizes[example][0]}x{sizes[example][1]}; every "
                      f"image is resized to --load_size {load_size[0]},{load_size[1]}, so these come out blurred "
                      f"or stretched", stacklevel=2)
    return len(unusual)
