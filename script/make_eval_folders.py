"""Make the pre-resized ground-truth folders the metrics expect (original: script/metrics.py).

    python script/make_eval_folders.py --root ./dataset/fashion --dataset fashion   # test_256, train_256
    python script/make_eval_folders.py --root ./dataset/market --dataset market     # test_12864, train_12864

Each image of ``<root>/<phase>/`` is resized with bicubic interpolation (fashion 256x256, market
128x64 as h x w) and saved as ``<root>/<phase>_<suffix>/<stem>.jpg``. A folder is written under a
temporary name and renamed when complete, so an interrupted run leaves no half-written folder.
"""
import argparse
import os
import shutil
import sys

from PIL import Image
from tqdm import tqdm

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from util.atomic import temporary_folder  # noqa: E402
from util.cli import run_entry_point  # noqa: E402
from util.errors import BadInputError, ExistingPathError, MissingPathError, UnreadableFileError  # noqa: E402

# dataset -> (folder suffix, (height, width))
EVAL_SIZES = {"fashion": ("256", (256, 256)), "market": ("12864", (128, 64))}
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")


def make_eval_folder(root, dataset, phase, quality=95, overwrite=False):
    """Write ``<root>/<phase>_<suffix>`` from ``<root>/<phase>`` and return its path.

    Raises (each a ``UserError`` naming the folder or file):
        FileNotFoundError: the source folder is missing; FileExistsError: the output exists and
        not ``overwrite``; ValueError: no images; OSError: an unreadable image.
    """
    suffix, (height, width) = EVAL_SIZES[dataset]
    source, target = os.path.join(root, phase), os.path.join(root, f"{phase}_{suffix}")
    if not os.path.isdir(source):
        raise MissingPathError(f"{source}: no such image folder; pass the dataset folder holding {phase}/ as --root, "
                               f"or choose other --phases")
    if os.path.exists(target) and not overwrite:
        raise ExistingPathError(f"{target} exists; pass --overwrite to replace it (or remove it)")
    names = sorted(name for name in os.listdir(source) if name.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise BadInputError(f"{source}: no images ({', '.join(IMAGE_EXTENSIONS)})")
    stems = [os.path.splitext(name)[0] for name in names]
    if len(set(stems)) != len(stems):
        raise BadInputError(f"{source}: two images share a name stem; outputs would overwrite each other")
    temporary = temporary_folder(root, os.path.basename(target))
    try:
        for name, stem in zip(tqdm(names, desc=os.path.basename(target), unit="img"), stems):
            path = os.path.join(source, name)
            try:
                with Image.open(path) as image:
                    resized = image.convert("RGB").resize((width, height), Image.Resampling.BICUBIC)
            except (OSError, SyntaxError, ValueError) as error:
                raise UnreadableFileError(f"cannot read image {path}: {error}") from error
            resized.save(os.path.join(temporary, stem + ".jpg"), quality=quality)
        _replace_folder(temporary, target)
    finally:
        if os.path.isdir(temporary):
            shutil.rmtree(temporary)
    return target


def _replace_folder(complete, target):
    """Rename ``complete`` to ``target``; an existing ``target`` is moved aside first, then deleted."""
    if not os.path.exists(target):
        os.rename(complete, target)
        return
    aside = temporary_folder(os.path.dirname(target), os.path.basename(target), "old")
    os.rename(target, os.path.join(aside, "old"))
    os.rename(complete, target)
    shutil.rmtree(aside)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True, help="dataset folder holding <phase>/ image folders")
    parser.add_argument("--dataset", required=True, choices=sorted(EVAL_SIZES), help="sets the size and folder names")
    parser.add_argument("--phases", nargs="+", default=["test", "train"], help="source folders to convert")
    parser.add_argument("--quality", type=int, default=95, help="JPEG quality of the outputs")
    parser.add_argument("--overwrite", action="store_true", help="replace existing output folders")
    args = parser.parse_args(argv)
    for phase in args.phases:
        print(f"wrote {make_eval_folder(args.root, args.dataset, phase, args.quality, args.overwrite)}")


if __name__ == "__main__":
    run_entry_point(main)
