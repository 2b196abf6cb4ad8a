"""Your photos as a pose dataset: ``python -m script.annotate_keypoints --images DIR --out ANNOTATION.csv``.

Each photo's most confident person (Keypoint R-CNN, ``script.person_detection``) is framed as the
``--dataset``'s photos (``--crop=false``: the photos already are, e.g. Market crops) and written to
``--frames_dir`` under the photo's name, its 18 keypoints to the annotation CSV in the released
format. ``--pairs`` also writes a pairs CSV: ``same_identity`` pairs every two photos of one
person (named as the dataset names them: Market ``<id>_...``, DeepFashion ``<id>_<view>``), in
both orders; ``random`` gives each photo one random other photo as its target. Photos without a
person, and unreadable files, are skipped and listed at the end. For a dataset ``train.py``
reads, name the files ``<root>/<prefix>-annotation-<phase>.csv`` and
``<root>/<prefix>-pairs-<phase>.csv`` (prefix ``fasion`` or ``market``); the frames then go to
``<root>/<phase>``.
"""
import argparse
import itertools
import os
import random
import re

import numpy as np
import torch
from tqdm import tqdm

from data.annotations import write_annotations, write_pairs
from data.person_crop import dataset_frame
from data.person_photo import NoPersonError
from options.actions import add_bool, int_list
from script.person_detection import add_detection_arguments, frame_photo, load_detector
from util.cli import run_entry_point
from util.errors import UserError
from util.image_io import save_image

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("--images", required=True, help="folder of photos")
    parser.add_argument("--out", required=True, help="annotation CSV to write")
    parser.add_argument("--frames_dir", default=None,
                        help="where the framed photos go (default: <folder of --out>/<phase> for an --out named "
                             "<prefix>-annotation-<phase>.csv, else <folder of --out>/frames)")
    parser.add_argument("--pairs", default=None, help="pairs CSV to write as well")
    parser.add_argument("--pair_mode", choices=("same_identity", "random"), default="same_identity",
                        help="which pairs --pairs lists")
    parser.add_argument("--seed", type=int, default=0, help="random seed of --pair_mode=random")
    add_bool(parser, "--crop", True, "frame the person; false: the photos are framed already, use them whole")
    parser.add_argument("--gpu_ids", type=int_list, default=[0] if torch.cuda.is_available() else [-1],
                        help="GPU to detect on (the first one listed), -1 for the CPU")
    return add_detection_arguments(parser)


def default_frames_dir(out):
    """``<root>/<phase>`` for ``<root>/<prefix>-annotation-<phase>.csv``, else ``<folder of out>/frames``."""
    match = re.fullmatch(r".+-annotation-(\w+)\.csv", os.path.basename(out))
    return os.path.join(os.path.dirname(out), match.group(1) if match else "frames")


def identity_of(name, dataset):
    """The person a photo shows, from the dataset's naming: Market ``<id>_<camera>_...``, DeepFashion ``<id>_<view>``."""
    stem = os.path.splitext(name)[0]
    return stem.split("_", 1)[0] if dataset == "market" else stem.rsplit("_", 1)[0]


def make_pairs(names, mode, dataset, seed=0):
    """``same_identity``: every ordered pair of two photos of one person; ``random``: one random other photo per photo."""
    if mode == "random":
        rng = random.Random(seed)
        return [(name, rng.choice([other for other in names if other != name])) for name in names if len(names) > 1]
    groups = itertools.groupby(sorted(names, key=lambda n: identity_of(n, dataset)), key=lambda n: identity_of(n, dataset))
    return [pair for _, group in groups for pair in itertools.permutations(sorted(group), 2)]


def annotate(args):
    """Detect, frame and write; returns the annotations {name: keypoints [18, 2]}."""
    if not os.path.isdir(args.images):
        raise UserError(f"--images: no folder at {args.images}")
    names = sorted(n for n in os.listdir(args.images) if n.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise UserError(f"--images: no photos ({', '.join(IMAGE_EXTENSIONS)}) in {args.images}")
    unusable = [n for n in names if set(n) & set(":,")]
    if unusable:
        raise UserError(f"--images: {os.path.join(args.images, unusable[0])}: the CSV formats cannot hold a name with "
                        f"':' or ',' ({len(unusable)} such photos); rename them")
    gpu = args.gpu_ids[0] if args.gpu_ids else -1
    detector = load_detector(args, torch.device("cuda", gpu) if gpu >= 0 and torch.cuda.is_available() else "cpu")
    frame, frames_dir = dataset_frame(args.dataset), args.frames_dir or default_frames_dir(args.out)

    annotations, skipped, unreadable, notes = {}, [], [], []
    for name in tqdm(names, desc="annotate", dynamic_ncols=True):
        try:
            person = frame_photo(os.path.join(args.images, name), detector, args, frame, crop=args.crop)
        except NoPersonError:
            skipped.append(name)
            continue
        except UserError as error:  # an unreadable photo
            unreadable.append(str(error))
            continue
        notes.append(person.several_people_note(name))
        save_image(np.asarray(person.image), os.path.join(frames_dir, name))
        annotations[name] = person.keypoints
    if not annotations:
        raise UserError(f"no person found in any of the {len(names)} photos in {args.images}")

    write_annotations(args.out, annotations)
    print(f"annotated {len(annotations)} photos: {args.out}; frames in {frames_dir}")
    if args.pairs:
        pairs = make_pairs(list(annotations), args.pair_mode, args.dataset, args.seed)
        write_pairs(args.pairs, pairs)
        print(f"{len(pairs)} {args.pair_mode} pairs: {args.pairs}")
    for note in filter(None, notes):
        print(note)
    if skipped:
        print(f"skipped {len(skipped)} photos with no person found: {', '.join(skipped)}")
    for line in unreadable:
        print(f"skipped: {line}")
    return annotations


def main(argv=None):
    return run_entry_point(annotate, build_parser().parse_args(argv))


if __name__ == "__main__":
    main()
