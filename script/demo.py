"""A person from your photo in another pose: ``python -m script.demo --source person.jpg --target pose.jpg``.

The target pose comes from a second photo (``--target``) or from keypoints (``--target_keypoints``:
an annotation CSV in the released format, a row picked with ``--target_name`` when it holds
several, or a JSON object ``{"keypoints_y": [18 ints], "keypoints_x": [18 ints]}``), in the
dataset's annotation frame. People are found by Keypoint R-CNN (``script.person_detection``) and
framed as the dataset's photos; the pose model is built as ``test.py`` builds it
(``script.pose_from_checkpoint``: the ``--dataset``'s paper configuration unless ``--attn_layer`` /
``--kernel_size`` say otherwise) and loads ``--checkpoint`` or ``--name``/``--checkpoints_dir``/
``--which_iter``. Writes, under ``--results_dir``, ``<source>_2_<target>_generated.png`` and
``..._side_by_side.png`` (source with its skeleton | target skeleton | generated) in the frame,
and both people's keypoints as an annotation CSV.
"""
import argparse
import json
import os
from dataclasses import dataclass

import numpy as np

from data.annotations import keypoints_from_columns, read_annotations, write_annotations
from script.person_detection import add_detection_arguments, frame_photo, load_detector
from script.pose_from_checkpoint import checkpoint_folder, generate, load_pose_model, pose_options
from util.cli import run_entry_point
from util.errors import UserError
from util.image_io import save_image
from util.pose_draw import draw_pose_from_cords


def build_parser():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], allow_abbrev=False,
        epilog="Other options go to the pose model as in test.py: --name, --checkpoints_dir, --which_iter, "
               "--gpu_ids (-1 = CPU), --attn_layer, --kernel_size.")
    parser.add_argument("--source", required=True, help="photo of the person")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--target", help="photo of someone in the target pose")
    target.add_argument("--target_keypoints", help="target keypoints: annotation CSV or JSON, in the dataset's frame")
    parser.add_argument("--target_name", help="the row of --target_keypoints to use when it holds several")
    parser.add_argument("--checkpoint", help="the pose generator's weights (<which>_net_G.pth); "
                                             "overrides --name/--checkpoints_dir/--which_iter")
    parser.add_argument("--results_dir", default="./demo_results", help="where the pictures go")
    return add_detection_arguments(parser)


def read_target_keypoints(path, frame, row_name=None):
    """Keypoints int64 [18, 2] of (y, x) in ``frame`` from an annotation CSV or a JSON file; and their name."""
    try:
        if path.lower().endswith(".json"):
            with open(path, encoding="utf-8") as handle:
                row = json.load(handle)
            if not isinstance(row, dict):
                raise ValueError(f"{path}: expected an object with keypoints_y and keypoints_x lists")
            return keypoints_from_columns(row.get("keypoints_y"), row.get("keypoints_x"), path, frame), row.get(
                "name", os.path.basename(path))
        rows = read_annotations(path, frame)
    except json.JSONDecodeError as error:
        raise UserError(f"--target_keypoints: {path} is not valid JSON ({error})") from None
    except (OSError, ValueError) as error:
        raise UserError(f"--target_keypoints: {error}") from None
    if row_name is None and len(rows) != 1:
        raise UserError(f"--target_keypoints: {path} holds {len(rows)} rows; pick one with --target_name")
    row_name = row_name or next(iter(rows))
    if row_name not in rows:
        raise UserError(f"--target_name: {path} has no row {row_name!r}")
    return rows[row_name], row_name


def with_skeleton(picture, keypoints):
    """A uint8 [H, W, 3] picture with the skeleton of ``keypoints`` drawn over it."""
    skeleton = draw_pose_from_cords(keypoints, picture.shape[:2])
    return np.where(skeleton.any(axis=2, keepdims=True), skeleton, picture)


@dataclass(frozen=True)
class TargetPose:
    """The target's keypoints int64 [18, 2] in the frame, the picture its skeleton is drawn on, its name."""

    keypoints: np.ndarray
    picture: np.ndarray
    name: str


def frame_people(args, opt, frame, target):
    """Detect and frame the source (and the target photo, unless ``target`` is given already)."""
    detector = load_detector(args, opt.device)
    source = frame_photo(args.source, detector, args, frame)
    notes = [source.several_people_note(args.source)]
    if target is None:
        person = frame_photo(args.target, detector, args, frame)
        notes.append(person.several_people_note(args.target))
        target = TargetPose(person.keypoints, np.asarray(person.image), args.target)
    for note in filter(None, notes):
        print(note)
    return source, target


def write_results(results_dir, source_path, source, target, generated):
    """Write the generated image, the side-by-side and both keypoint rows; returns {kind: path}."""
    source_stem, target_stem = (os.path.splitext(os.path.basename(p))[0] for p in (source_path, target.name))
    stem = os.path.join(results_dir, f"{source_stem}_2_{target_stem}")
    paths = {"generated": stem + "_generated.png", "side_by_side": stem + "_side_by_side.png",
             "keypoints": stem + "_keypoints.csv"}
    save_image(generated, paths["generated"])
    panels = [with_skeleton(np.asarray(source.image), source.keypoints), with_skeleton(target.picture, target.keypoints),
              generated]
    save_image(np.concatenate(panels, axis=1), paths["side_by_side"])
    write_annotations(paths["keypoints"], {"source_" + os.path.basename(source_path): source.keypoints,
                                           "target_" + os.path.basename(target.name): target.keypoints})
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return paths


def run(args, model_argv):
    """Frame, generate and write; returns the paths written. Cheap checks first, the networks last."""
    if args.target_name is not None and args.target_keypoints is None:
        raise UserError("--target_name picks a row of --target_keypoints; pass that file too")
    with checkpoint_folder(args.checkpoint) as folder:
        opt = pose_options(args.dataset, model_argv, folder)
        frame = tuple(opt.old_size)
        target = None
        if args.target_keypoints is not None:
            keypoints, name = read_target_keypoints(args.target_keypoints, frame, args.target_name)
            target = TargetPose(keypoints, np.zeros((*frame, 3), dtype=np.uint8), name)
        source, target = frame_people(args, opt, frame, target)
        pose_model = load_pose_model(opt, args.checkpoint or f"--name={opt.name}")
    generated = generate(pose_model, opt, source.image, source.keypoints, target.keypoints)
    return write_results(args.results_dir, args.source, source, target, generated)


def main(argv=None):
    args, model_argv = build_parser().parse_known_args(argv)
    return run_entry_point(run, args, model_argv)


if __name__ == "__main__":
    main()
