"""Write a small synthetic dataset in the exact on-disk format of a real one (people, faces, dance videos, keypoints).

``--format shapenet`` writes views of toy cars or chairs (``--sub_dataset``) in the layout of the
Multi-view-to-Novel-view HDF5 files (``script/synthetic_shapenet.py``); ``--format face`` writes
face videos with moving landmarks in the FaceForensics layout (``script/synthetic_face.py``);
The person formats (market, fashion): each figure (fixed proportions and clothes) is drawn in several random poses; every pair is the
same figure in two poses; some joints are marked missing (-1), as occluded joints in the real
annotations. The output is a deterministic function of the arguments (byte-identical files).

    python script/make_synthetic_dataset.py --root ./dataset/synthetic_market --format market
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_fashion --format fashion
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_shapenet --format shapenet --sub_dataset chair
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_face --format face
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_dance --format dance [--sub_dataset fashion]
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_human36m --format keypoint

``--format dance`` writes moving figures in the FashionVideo/iPER layout and ``--format keypoint``
Human3.6M-style keypoint files for the motion-extraction net (``script/synthetic_dance.py``).

Layout written (``<prefix>`` = ``market`` or the released spelling ``fasion``)::

    <root>/{train,test}/<name>.jpg             market 64x128, fashion 176x256 (w x h)
    <root>/<prefix>-annotation-{train,test}.csv
    <root>/<prefix>-pairs-{train,test}.csv
    <root>/{train,test}.lst                    fashion only: the image names of each split
"""
import argparse
import itertools
import os
import sys

import numpy as np

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from data.annotations import write_annotations, write_pairs  # noqa: E402
from data.synthetic.objects3d import CATEGORIES  # noqa: E402
from data.synthetic.pose import sample_body_shape, sample_pose  # noqa: E402
from data.synthetic.render import render_person, sample_style  # noqa: E402
from script.synthetic_common import (check_at_least, check_choice, check_split_sizes, numbered_splits,  # noqa: E402
                                     progress_bar)
from script.synthetic_dance import make_synthetic_dance_dataset, make_synthetic_keypoint_dataset  # noqa: E402
from script.synthetic_face import make_synthetic_face_dataset  # noqa: E402
from script.synthetic_shapenet import AZIMUTHS, ELEVATIONS, make_synthetic_shapenet  # noqa: E402
from util.cli import run_entry_point  # noqa: E402
from util.errors import BadInputError  # noqa: E402
from util.output_folder import prepare_output_folder  # noqa: E402
from util.skeleton import JOINT_NAMES, MISSING  # noqa: E402

FORMATS = {
    "market": dict(prefix="market", frame=(128, 64), background="textured", lists=False),
    "fashion": dict(prefix="fasion", frame=(256, 176), background="plain", lists=True),
}
_FACE_JOINTS = [i for i, name in enumerate(JOINT_NAMES) if name.endswith(("eye", "ear"))]
_FASHION_CATEGORIES = ("Tees_Tanks", "Blouses_Shirts", "Jackets_Vests", "Sweaters", "Pants", "Dresses")
_FASHION_VIEWS = ("front", "side", "back", "full", "additional")
_JPEG_QUALITY = 95


def make_synthetic_dataset(root, fmt="market", num_train_figures=8, num_test_figures=4, poses_per_figure=4,
                           pairs_per_figure=6, missing_prob=0.08, seed=0, overwrite=False, progress=False):
    """Write the dataset under ``root`` and return the number of (train, test) pairs.

    Args:
        root: output folder; must be empty or absent unless ``overwrite``.
        fmt: 'market' or 'fashion'.
        num_train_figures, num_test_figures: figures per split (different figures in each).
        poses_per_figure: images per figure (>= 2).
        pairs_per_figure: ordered pairs of distinct poses per figure, at most
            poses_per_figure * (poses_per_figure - 1).
        missing_prob: chance that a joint is annotated missing (-1); twice that for eyes and ears.
        seed: random seed; the same arguments give byte-identical files.
        overwrite: replace the split folders, CSVs and lists of an earlier dataset in ``root``.
        progress: show a progress bar.

    Raises:
        ValueError: a bad argument (the message names it); FileExistsError: ``root`` holds files.
    """
    check_choice("fmt", fmt, FORMATS)
    check_at_least("poses_per_figure", poses_per_figure, 2, " (a pair needs two poses)")
    if not 1 <= pairs_per_figure <= poses_per_figure * (poses_per_figure - 1):
        raise BadInputError(f"pairs_per_figure: expected 1..{poses_per_figure * (poses_per_figure - 1)} "
                            f"(ordered pairs of {poses_per_figure} poses), got {pairs_per_figure}")
    check_split_sizes(num_train_figures=num_train_figures, num_test_figures=num_test_figures)
    if not 0 <= missing_prob < 0.5:
        raise BadInputError(f"missing_prob: expected a probability in [0, 0.5), got {missing_prob}")
    spec = FORMATS[fmt]
    outputs = ["train", "test"] + [f"{spec['prefix']}-{kind}-{phase}.csv" for kind in ("annotation", "pairs")
                                   for phase in ("train", "test")]
    outputs += ["train.lst", "test.lst"] if spec["lists"] else []
    prepare_output_folder(root, outputs, overwrite)
    bar = progress_bar((num_train_figures + num_test_figures) * poses_per_figure, f"synthetic {fmt}", "img", progress)
    counts = []
    for phase, figure_ids in numbered_splits(num_train_figures, num_test_figures, first=1):
        os.makedirs(os.path.join(root, phase))
        annotations, pairs = {}, []
        for figure_id in figure_ids:
            rng = np.random.default_rng([seed, figure_id])
            names = _write_figure(rng, root, phase, fmt, spec, figure_id, poses_per_figure, missing_prob,
                                  annotations, bar)
            ordered = list(itertools.permutations(range(poses_per_figure), 2))
            chosen = rng.choice(len(ordered), size=pairs_per_figure, replace=False)
            pairs.extend((names[ordered[k][0]], names[ordered[k][1]]) for k in sorted(chosen))
        write_annotations(os.path.join(root, f"{spec['prefix']}-annotation-{phase}.csv"), annotations)
        write_pairs(os.path.join(root, f"{spec['prefix']}-pairs-{phase}.csv"), pairs)
        if spec["lists"]:
            with open(os.path.join(root, f"{phase}.lst"), "w") as handle:
                handle.write("".join(f"{name}\n" for name in annotations))
        counts.append(len(pairs))
    bar.close()
    return tuple(counts)


def _write_figure(rng, root, phase, fmt, spec, figure_id, poses, missing_prob, annotations, bar):
    """Draw and save the poses of one figure; record their annotations; return the image names."""
    shape, style = sample_body_shape(rng, spec["frame"]), sample_style(rng)
    category = _FASHION_CATEGORIES[figure_id % len(_FASHION_CATEGORIES)]
    names = []
    for index in range(poses):
        pose = sample_pose(rng, shape, spec["frame"])
        image = render_person(rng, pose, shape, style, spec["frame"], spec["background"])
        if fmt == "market":
            name = f"{figure_id:04d}_c{index % 6 + 1}s1_{index:06d}_01.jpg"
        else:
            gender = "WOMEN" if figure_id % 2 else "MEN"
            name = f"fashion{gender}{category}id{figure_id:08d}_{index + 1}{_FASHION_VIEWS[index % 5]}.jpg"
        image.save(os.path.join(root, phase, name), quality=_JPEG_QUALITY)
        keypoints = pose.keypoints.copy()
        chance = np.full(len(JOINT_NAMES), missing_prob)
        chance[_FACE_JOINTS] *= 2
        keypoints[rng.random(len(JOINT_NAMES)) < chance] = MISSING
        annotations[name] = keypoints
        names.append(name)
        bar.update()
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True, help="output folder (empty or absent)")
    parser.add_argument("--format", choices=sorted(FORMATS) + ["face", "shapenet", "dance", "keypoint"],
                        default="market", help="on-disk format to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--sub_dataset", choices=CATEGORIES + ("fashion", "iper"), default=None,
                        help="shapenet: car (default) or chair; dance: fashion (plain backgrounds) or iper "
                             "(default; textured backgrounds, training masks)")
    people = parser.add_argument_group("market and fashion formats")
    people.add_argument("--train_figures", type=int, default=8, help="figures in the train split")
    people.add_argument("--test_figures", type=int, default=4, help="figures in the test split")
    people.add_argument("--poses_per_figure", type=int, default=4, help="images per figure")
    people.add_argument("--pairs_per_figure", type=int, default=6, help="ordered pose pairs per figure")
    people.add_argument("--missing_prob", type=float, default=0.08, help="chance of a joint annotated missing")
    shapenet = parser.add_argument_group("shapenet format")
    shapenet.add_argument("--train_objects", type=int, default=4, help="objects in the train split")
    shapenet.add_argument("--test_objects", type=int, default=2, help="objects in the test split")
    shapenet.add_argument("--image_size", type=int, default=256, help="height = width of the views")
    videos = parser.add_argument_group("face, dance and keypoint formats")
    videos.add_argument("--train_videos", type=int, default=None,
                        help="videos (one identity each) in the train split (default: face 4, dance 2)")
    videos.add_argument("--test_videos", type=int, default=None, help="videos in the test split (face 2, dance 1)")
    videos.add_argument("--frames_per_video", type=int, default=None,
                        help="frames of every video (face 24, dance 36); keypoint: per sequence (150)")
    videos.add_argument("--frame_size", type=int, default=256, help="side of the square frames")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier synthetic dataset in --root")
    args = parser.parse_args(argv)
    print(WRITERS.get(args.format, _write_people)(args))


def _write_people(args):
    train_pairs, test_pairs = make_synthetic_dataset(
        args.root, args.format, args.train_figures, args.test_figures, args.poses_per_figure, args.pairs_per_figure,
        args.missing_prob, args.seed, args.overwrite, progress=True)
    return f"wrote {args.format} dataset to {args.root}: {train_pairs} train pairs, {test_pairs} test pairs"


def _write_shapenet(args):
    sub_dataset = _sub_dataset(args, CATEGORIES, "car")
    train, test = make_synthetic_shapenet(args.root, sub_dataset, args.train_objects, args.test_objects,
                                          args.image_size, args.seed, args.overwrite, progress=True)
    return (f"wrote shapenet {sub_dataset} dataset to {args.root}: {len(train)} train objects, "
            f"{len(test)} test objects, {len(AZIMUTHS) * len(ELEVATIONS)} views each")


def _write_face(args):
    frames = args.frames_per_video or 24
    train, test = make_synthetic_face_dataset(args.root, args.train_videos or 4, args.test_videos or 2, frames,
                                              args.frame_size, args.seed, args.overwrite, progress=True)
    return f"wrote face dataset to {args.root}: {train} train videos, {test} test videos of {frames} frames"


def _write_dance(args):
    sub_dataset, frames = _sub_dataset(args, ("fashion", "iper"), "iper"), args.frames_per_video or 36
    train, test = make_synthetic_dance_dataset(args.root, sub_dataset, args.train_videos or 2, args.test_videos or 1,
                                               frames, args.frame_size, args.seed, args.overwrite, progress=True)
    return (f"wrote {sub_dataset} dance dataset to {args.root}: {train} train videos, {test} test videos "
            f"of {frames} frames")


def _write_keypoint(args):
    count = make_synthetic_keypoint_dataset(args.root, args.frames_per_video or 150, args.seed, args.overwrite)
    return f"wrote keypoint files to {args.root}: {count} sequences (pass --gt_path and --input_path to them)"


def _sub_dataset(args, choices, default):
    """``--sub_dataset`` for this format, or its default; a BadInputError for another format's value."""
    if args.sub_dataset is None:
        return default
    if args.sub_dataset not in choices:
        raise BadInputError(f"--sub_dataset={args.sub_dataset} is not a {args.format} sub-dataset; "
                            f"choose one of {', '.join(choices)}")
    return args.sub_dataset


WRITERS = {"shapenet": _write_shapenet, "face": _write_face, "dance": _write_dance, "keypoint": _write_keypoint}

if __name__ == "__main__":
    run_entry_point(main)
