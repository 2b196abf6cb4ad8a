"""Write a small synthetic dataset in the exact on-disk format of DeepFashion, Market-1501, ShapeNet or FaceForensics.

``--format shapenet`` writes views of toy cars or chairs (``--sub_dataset``) in the layout of the
Multi-view-to-Novel-view HDF5 files (``script/synthetic_shapenet.py``); ``--format face`` writes
face videos with moving landmarks in the FaceForensics layout (``script/synthetic_face.py``). The
person formats:

Each figure (fixed proportions and clothes) is drawn in several random poses; every pair is the
same figure in two poses; some joints are marked missing (-1), as occluded joints in the real
annotations. The output is a deterministic function of the arguments (byte-identical files).

    python script/make_synthetic_dataset.py --root ./dataset/synthetic_market --format market
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_fashion --format fashion
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_shapenet --format shapenet --sub_dataset chair
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_face --format face

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
from tqdm import tqdm

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from data.annotations import write_annotations, write_pairs  # noqa: E402
from data.synthetic.objects3d import CATEGORIES  # noqa: E402
from data.synthetic.pose import sample_body_shape, sample_pose  # noqa: E402
from data.synthetic.render import render_person, sample_style  # noqa: E402
from script.synthetic_face import make_synthetic_face_dataset  # noqa: E402
from script.synthetic_shapenet import AZIMUTHS, ELEVATIONS, make_synthetic_shapenet  # noqa: E402
from util.output_folder import prepare_output_folder  # noqa: E402
from util.cli import run_entry_point  # noqa: E402
from util.errors import BadInputError  # noqa: E402
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
    if fmt not in FORMATS:
        raise BadInputError(f"fmt: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if poses_per_figure < 2:
        raise BadInputError(f"poses_per_figure: expected >= 2 (a pair needs two poses), got {poses_per_figure}")
    if not 1 <= pairs_per_figure <= poses_per_figure * (poses_per_figure - 1):
        raise BadInputError(f"pairs_per_figure: expected 1..{poses_per_figure * (poses_per_figure - 1)} "
                         f"(ordered pairs of {poses_per_figure} poses), got {pairs_per_figure}")
    if num_train_figures < 1 or num_test_figures < 1:
        raise BadInputError(f"num_train_figures, num_test_figures: expected >= 1 each, "
                         f"got {num_train_figures}, {num_test_figures}")
    if not 0 <= missing_prob < 0.5:
        raise BadInputError(f"missing_prob: expected a probability in [0, 0.5), got {missing_prob}")
    spec = FORMATS[fmt]
    outputs = ["train", "test"] + [f"{spec['prefix']}-{kind}-{phase}.csv" for kind in ("annotation", "pairs")
                                   for phase in ("train", "test")]
    outputs += ["train.lst", "test.lst"] if spec["lists"] else []
    prepare_output_folder(root, outputs, overwrite)
    splits = (("train", range(1, num_train_figures + 1)),
              ("test", range(num_train_figures + 1, num_train_figures + num_test_figures + 1)))
    bar = tqdm(total=(num_train_figures + num_test_figures) * poses_per_figure, desc=f"synthetic {fmt}",
               unit="img", disable=not progress)
    counts = []
    for phase, figure_ids in splits:
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
    parser.add_argument("--format", choices=sorted(FORMATS) + ["face", "shapenet"], default="market",
                        help="on-disk format to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    shapenet = parser.add_argument_group("shapenet format")
    shapenet.add_argument("--sub_dataset", choices=CATEGORIES, default="car", help="object category")
    shapenet.add_argument("--train_objects", type=int, default=4, help="objects in the train split")
    shapenet.add_argument("--test_objects", type=int, default=2, help="objects in the test split")
    shapenet.add_argument("--image_size", type=int, default=256, help="height = width of the views")
    people = parser.add_argument_group("market and fashion formats")
    people.add_argument("--train_figures", type=int, default=8, help="figures in the train split")
    people.add_argument("--test_figures", type=int, default=4, help="figures in the test split")
    people.add_argument("--poses_per_figure", type=int, default=4, help="images per figure")
    people.add_argument("--pairs_per_figure", type=int, default=6, help="ordered pose pairs per figure")
    people.add_argument("--missing_prob", type=float, default=0.08, help="chance of a joint annotated missing")
    face = parser.add_argument_group("face format")
    face.add_argument("--train_videos", type=int, default=4, help="videos (one identity each) in the train split")
    face.add_argument("--test_videos", type=int, default=2, help="videos in the test split")
    face.add_argument("--frames_per_video", type=int, default=24, help="frames of every video")
    face.add_argument("--frame_size", type=int, default=256, help="side of the square frames")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier synthetic dataset in --root")
    args = parser.parse_args(argv)
    if args.format == "shapenet":
        train, test = make_synthetic_shapenet(args.root, args.sub_dataset, args.train_objects, args.test_objects,
                                              args.image_size, args.seed, args.overwrite, progress=True)
        print(f"wrote shapenet {args.sub_dataset} dataset to {args.root}: {len(train)} train objects, "
              f"{len(test)} test objects, {len(AZIMUTHS) * len(ELEVATIONS)} views each")
        return
    if args.format == "face":
        train, test = make_synthetic_face_dataset(args.root, args.train_videos, args.test_videos,
                                                  args.frames_per_video, args.frame_size, args.seed,
                                                  args.overwrite, progress=True)
        print(f"wrote face dataset to {args.root}: {train} train videos, {test} test videos "
              f"of {args.frames_per_video} frames")
        return
    train_pairs, test_pairs = make_synthetic_dataset(
        args.root, args.format, args.train_figures, args.test_figures, args.poses_per_figure, args.pairs_per_figure,
        args.missing_prob, args.seed, args.overwrite, progress=True)
    print(f"wrote {args.format} dataset to {args.root}: {train_pairs} train pairs, {test_pairs} test pairs")


if __name__ == "__main__":
    run_entry_point(main)
