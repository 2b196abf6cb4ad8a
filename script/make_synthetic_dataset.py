"""Write a small synthetic dataset in the exact on-disk format of a real one (people, faces, dance videos, keypoints).

Person formats: each figure (fixed proportions and clothes) is drawn in several random poses;
every pair is the same figure in two poses; some joints are marked missing (-1), as occluded
joints in the real annotations. Face format: each video is one identity (face proportions and
colours) whose 68 landmarks move (jaw and mouth opening, blinks, head turning, nodding and
tilting) over a textured scene. The output is a deterministic function of the arguments
(byte-identical files).

    python script/make_synthetic_dataset.py --root ./dataset/synthetic_market --format market
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_fashion --format fashion
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

    <root>/{train,test}_data/<video>/<frame>.png        face: 256x256 frames
    <root>/{train,test}_keypoints/<video>/<frame>.txt   face: 68 lines 'x,y'
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
from data.face_landmarks import write_landmarks  # noqa: E402
from data.synthetic.face import face_landmarks, sample_face_shape, sample_motion  # noqa: E402
from data.synthetic.face_render import draw_scene, render_face, sample_face_style  # noqa: E402
from data.synthetic.pose import sample_body_shape, sample_pose  # noqa: E402
from data.synthetic.render import render_person, sample_style  # noqa: E402
from script.synthetic_dance import make_synthetic_dance_dataset, make_synthetic_keypoint_dataset  # noqa: E402
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
    if fmt not in FORMATS:
        raise ValueError(f"fmt: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if poses_per_figure < 2:
        raise ValueError(f"poses_per_figure: expected >= 2 (a pair needs two poses), got {poses_per_figure}")
    if not 1 <= pairs_per_figure <= poses_per_figure * (poses_per_figure - 1):
        raise ValueError(f"pairs_per_figure: expected 1..{poses_per_figure * (poses_per_figure - 1)} "
                         f"(ordered pairs of {poses_per_figure} poses), got {pairs_per_figure}")
    if num_train_figures < 1 or num_test_figures < 1:
        raise ValueError(f"num_train_figures, num_test_figures: expected >= 1 each, "
                         f"got {num_train_figures}, {num_test_figures}")
    if not 0 <= missing_prob < 0.5:
        raise ValueError(f"missing_prob: expected a probability in [0, 0.5), got {missing_prob}")
    spec = FORMATS[fmt]
    outputs = ["train", "test"] + [f"{spec['prefix']}-{kind}-{phase}.csv" for kind in ("annotation", "pairs")
                                   for phase in ("train", "test")] + (["train.lst", "test.lst"] if spec["lists"] else [])
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


def make_synthetic_face_dataset(root, num_train_videos=4, num_test_videos=2, frames_per_video=24, frame_size=256,
                                seed=0, overwrite=False, progress=False):
    """Write face videos in the FaceForensics layout under ``root``; return the (train, test) video counts.

    Args:
        root: output folder; must be empty or absent unless ``overwrite``.
        num_train_videos, num_test_videos: videos per split, one identity each (different in each split).
        frames_per_video: frames of every video (>= 1).
        frame_size: side of the square frames in pixels (>= 32).
        seed: random seed; the same arguments give byte-identical files.
        overwrite: replace the folders of an earlier face dataset in ``root``.
        progress: show a progress bar.

    Raises:
        ValueError: a bad argument (the message names it); FileExistsError: ``root`` holds files.
    """
    if num_train_videos < 1 or num_test_videos < 1:
        raise ValueError(f"num_train_videos, num_test_videos: expected >= 1 each, "
                         f"got {num_train_videos}, {num_test_videos}")
    if frames_per_video < 1:
        raise ValueError(f"frames_per_video: expected >= 1, got {frames_per_video}")
    if frame_size < 32:
        raise ValueError(f"frame_size: expected >= 32 pixels, got {frame_size}")
    prepare_output_folder(root, [f"{phase}_{kind}" for phase in ("train", "test") for kind in ("data", "keypoints")],
                          overwrite)
    size = (frame_size, frame_size)
    bar = tqdm(total=(num_train_videos + num_test_videos) * frames_per_video, desc="synthetic face", unit="frame",
               disable=not progress)
    splits = (("train", range(num_train_videos)), ("test", range(num_train_videos, num_train_videos + num_test_videos)))
    for phase, video_ids in splits:
        for video_id in video_ids:
            rng = np.random.default_rng([seed, video_id])
            shape, style, scene = sample_face_shape(rng), sample_face_style(rng), draw_scene(rng, size)
            frame_dir, landmark_dir = (os.path.join(root, f"{phase}_{kind}", f"{video_id:03d}")
                                       for kind in ("data", "keypoints"))
            os.makedirs(frame_dir)
            for index, motion in enumerate(sample_motion(rng, frames_per_video, size)):
                landmarks = face_landmarks(shape, motion)
                frame = render_face(rng, scene, landmarks, style)
                frame.save(os.path.join(frame_dir, f"{index:05d}.png"), compress_level=1)  # fast; noisy frames
                write_landmarks(os.path.join(landmark_dir, f"{index:05d}.txt"), landmarks)
                bar.update()
    bar.close()
    return num_train_videos, num_test_videos


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True, help="output folder (empty or absent)")
    parser.add_argument("--format", choices=sorted(FORMATS) + ["face", "dance", "keypoint"], default="market",
                        help="on-disk format to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--train_figures", type=int, default=None,
                        help="figures (face, dance: videos) in the train split (default 8; face 4; dance 2)")
    parser.add_argument("--test_figures", type=int, default=None,
                        help="figures (face, dance: videos) in the test split (default 4; face 2; dance 1)")
    parser.add_argument("--poses_per_figure", type=int, default=4, help="images per figure")
    parser.add_argument("--pairs_per_figure", type=int, default=6, help="ordered pose pairs per figure")
    parser.add_argument("--missing_prob", type=float, default=0.08, help="chance of a joint annotated missing")
    parser.add_argument("--frames_per_video", type=int, default=None,
                        help="face, dance: frames per video (default 24; dance 36); keypoint: per sequence (150)")
    parser.add_argument("--frame_size", type=int, default=256, help="face, dance: side of the square frames")
    parser.add_argument("--sub_dataset", choices=("fashion", "iper"), default="iper",
                        help="dance: fashion (plain backgrounds) or iper (textured backgrounds, training masks)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier synthetic dataset in --root")
    args = parser.parse_args(argv)
    if args.format == "dance":
        train, test = make_synthetic_dance_dataset(
            args.root, args.sub_dataset, args.train_figures or 2, args.test_figures or 1, args.frames_per_video or 36,
            args.frame_size, args.seed, args.overwrite, progress=True)
        print(f"wrote {args.sub_dataset} dance dataset to {args.root}: {train} train videos, {test} test videos "
              f"of {args.frames_per_video or 36} frames")
        return
    if args.format == "keypoint":
        count = make_synthetic_keypoint_dataset(args.root, args.frames_per_video or 150, args.seed, args.overwrite)
        print(f"wrote keypoint files to {args.root}: {count} sequences (pass --gt_path and --input_path to them)")
        return
    if args.format == "face":
        train, test = make_synthetic_face_dataset(
            args.root, args.train_figures or 4, args.test_figures or 2, args.frames_per_video or 24, args.frame_size,
            args.seed, args.overwrite, progress=True)
        print(f"wrote face dataset to {args.root}: {train} train videos, {test} test videos "
              f"of {args.frames_per_video or 24} frames")
        return
    train_pairs, test_pairs = make_synthetic_dataset(
        args.root, args.format, args.train_figures or 8, args.test_figures or 4, args.poses_per_figure,
        args.pairs_per_figure, args.missing_prob, args.seed, args.overwrite, progress=True)
    print(f"wrote {args.format} dataset to {args.root}: {train_pairs} train pairs, {test_pairs} test pairs")


if __name__ == "__main__":
    main()
