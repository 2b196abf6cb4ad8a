"""Split the DeepFashion high-res images into the train/ and test/ folders the loaders read (original: script/generate_fashion_datasets.py).

    python script/generate_fashion_datasets.py --root ./dataset/fashion

Reads ``<root>/train.lst`` and ``<root>/test.lst`` (one image name per line; lines not ending in
``.jpg`` are ignored) and every ``.jpg`` under ``<root>/img_highres/<gender>/<category>/<id>/``. Each
image is renamed by flattening its path, e.g.::

    img_highres/WOMEN/Blouses_Shirts/id_00000001/02_1_front.jpg
    -> fashionWOMENBlouses_Shirtsid0000000102_1front.jpg

(``_`` removed from the id folder, only the first ``_`` of the file name kept) and copied into
``<root>/train/`` or ``<root>/test/`` when that name is listed there; other images are skipped.
"""
import argparse
import os
import shutil
import sys

from tqdm import tqdm

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from util.cli import run_entry_point  # noqa: E402
from util.errors import BadInputError, MissingPathError  # noqa: E402

SPLITS = ("train", "test")


def flattened_name(relative_path):
    """The image name of the lists for a path relative to ``img_highres``.

    Args:
        relative_path: '<gender>/<category>/<id>/<file>.jpg' (any path separator of the OS).

    Raises:
        ValueError: the path is not four components deep.
    """
    parts = os.path.normpath(relative_path).split(os.sep)
    if len(parts) != 4:
        raise BadInputError(f"img_highres/{relative_path}: expected img_highres/<gender>/<category>/<id>/<file>.jpg")
    gender, category, identity, filename = parts
    head, sep, tail = filename.partition("_")
    return "fashion" + gender + category + identity.replace("_", "") + head + sep + tail.replace("_", "")


def read_list(path):
    """The set of ``.jpg`` names listed in a split file."""
    with open(path) as handle:
        return {line.strip() for line in handle if line.strip().endswith(".jpg")}


def generate_fashion_datasets(root):
    """Copy the listed images of ``<root>/img_highres`` into ``<root>/train`` and ``<root>/test``.

    Returns:
        dict split -> number of images copied.

    Raises:
        FileNotFoundError: ``img_highres`` or a list file is missing (the message says which).
    """
    source = os.path.join(root, "img_highres")
    if not os.path.isdir(source):
        raise MissingPathError(f"DeepFashion image folder not found: {source} (unpack img_highres.zip there, "
                               f"or pass the folder holding img_highres/ as --root)")
    lists = {}
    for split in SPLITS:
        list_path = os.path.join(root, f"{split}.lst")
        if not os.path.isfile(list_path):
            raise MissingPathError(f"split list not found: {list_path} (put the released {split}.lst there)")
        lists[split] = read_list(list_path)
    images = sorted(os.path.relpath(os.path.join(folder, name), source)
                    for folder, _, names in os.walk(source) for name in names if name.endswith(".jpg"))
    copied = {split: 0 for split in SPLITS}
    for split in SPLITS:
        os.makedirs(os.path.join(root, split), exist_ok=True)
    for relative in tqdm(images, desc="DeepFashion split", unit="img"):
        name = flattened_name(relative)
        for split in SPLITS:
            if name in lists[split]:
                shutil.copyfile(os.path.join(source, relative), os.path.join(root, split, name))
                copied[split] += 1
    for split in SPLITS:
        missing = len(lists[split]) - copied[split]
        note = f" ({missing} listed images not found in {source})" if missing else ""
        print(f"{split}: {copied[split]} images in {os.path.join(root, split)}{note}")
    return copied


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default="./dataset/fashion", help="DeepFashion folder holding img_highres/ and the lists")
    generate_fashion_datasets(parser.parse_args(argv).root)


if __name__ == "__main__":
    run_entry_point(main)
