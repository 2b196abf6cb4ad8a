"""The videos of the dance dataset: frames, skeleton files, masks and reference frames of each video.

Two sources (original: data/dance_dataset.py, DanceDataset.get_paths and split_ref_gen):

* the split's folders, ``<dataroot>/<phase>_256/train_{A,video2d,alphapose,C}/<video>/``, paired
  by video name and frame order; a video's reference frames are its own first 20 (with
  ``cross_eval``: the first 20 of another video);
* a test list CSV with columns ``A_paths``, ``B_paths_noise``, ``B_paths_clean``, one row per
  test video, each cell a Python literal ``{'gen': [files], 'ref': [files]}``: the frames (or
  skeletons) to generate and the reference candidates. Relative paths are read from the current
  folder, as the original, or else from ``--dataroot``.

Deliberate difference: the original drew a cross-evaluation reference video separately for the
frames and for the skeletons (so the two could come from different videos) and could draw the
video itself; here one other video is drawn per video, from ``--seed``.
"""
import ast
import csv
import os
from typing import NamedTuple, Optional

import numpy as np

from data.video_files import IMAGE_EXTENSIONS, list_videos, pair_videos
from options.errors import OptionError
from util.errors import UserError

REFERENCE_FRAMES = 20
CSV_COLUMNS = ("A_paths", "B_paths_noise", "B_paths_clean")


class DanceVideo(NamedTuple):
    """The files of one video (lists in frame order)."""

    name: str                 # the frame folder, for messages
    frames: list              # frames to generate
    clean: list               # their clean (Human3.6M-17) skeleton files
    noisy: list               # their noisy (OpenPose-18) skeleton files
    masks: Optional[list]     # their foreground masks (iPER training), else None
    ref_frames: list          # reference candidates...
    ref_noisy: list           # ...and their noisy skeleton files


def split_folder(opt):
    """``<dataroot>/<phase>_256``, the folder of a split."""
    return os.path.join(opt.dataroot, f"{opt.phase}_256")


def videos_from_folders(split, with_masks, cross_eval=False, seed=0):
    """The videos under ``split``, each with its first frames as references (see the module docstring).

    Raises:
        UserError: a missing folder, an unpaired video or a frame without its skeleton or mask file.
        OptionError: ``cross_eval`` with a single video.
    """
    if not os.path.isdir(split):
        raise UserError(f"{split}: split folder not found (expected train_A, train_video2d, train_alphapose"
                        f"{', train_C' if with_masks else ''} in it)")
    roots = {kind: os.path.join(split, f"train_{kind}") for kind in ("A", "video2d", "alphapose", "C")}
    frames = list_videos(roots["A"], IMAGE_EXTENSIONS, "frames")
    clean = list_videos(roots["video2d"], (".json",), "clean skeleton files")
    noisy = list_videos(roots["alphapose"], (".json",), "AlphaPose skeleton files")
    names = pair_videos(roots["A"], frames, roots["video2d"], clean)
    pair_videos(roots["A"], frames, roots["alphapose"], noisy)
    masks = None
    if with_masks:
        masks = list_videos(roots["C"], IMAGE_EXTENSIONS, "foreground masks")
        pair_videos(roots["A"], frames, roots["C"], masks)
    reference = list(range(len(names)))
    if cross_eval:
        if len(names) < 2:
            raise OptionError(f"--cross_eval: {split} has one video; references from another video need two or more")
        rng = np.random.default_rng(seed)
        reference = [(video + 1 + int(rng.integers(len(names) - 1))) % len(names) for video in range(len(names))]
    return [DanceVideo(os.path.join(roots["A"], name), frames[name], clean[name], noisy[name],
                       None if masks is None else masks[name], frames[names[other]][:REFERENCE_FRAMES],
                       noisy[names[other]][:REFERENCE_FRAMES])
            for name, other in zip(names, reference)]


def videos_from_test_list(path, dataroot):
    """The videos of a test list CSV (see the module docstring).

    Raises:
        UserError: the file is missing or malformed, a row's lists disagree in length, or a listed
        file does not exist; the message names the file and row.
    """
    if not os.path.isfile(path):
        raise UserError(f"{path}: test list not found; write one (columns {', '.join(CSV_COLUMNS)}) or pass "
                        f"--test_list=none to test every video of the split with its own reference frames")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or any(column not in rows[0] for column in CSV_COLUMNS):
        raise UserError(f"{path}: expected a header with the columns {', '.join(CSV_COLUMNS)} and one row per video")
    videos = []
    for number, row in enumerate(rows, start=2):  # line numbers, after the header
        cells = {column: _parse_cell(path, number, column, row[column], dataroot) for column in CSV_COLUMNS}
        frames, noisy, clean = (cells[column] for column in CSV_COLUMNS)
        if not len(frames["gen"]) == len(noisy["gen"]) == len(clean["gen"]) > 0:
            raise UserError(f"{path}, line {number}: the 'gen' lists hold {len(frames['gen'])} frames, "
                            f"{len(noisy['gen'])} noisy and {len(clean['gen'])} clean skeletons; expected one of each "
                            f"per frame")
        if not len(frames["ref"]) == len(noisy["ref"]) > 0:
            raise UserError(f"{path}, line {number}: the 'ref' lists hold {len(frames['ref'])} frames and "
                            f"{len(noisy['ref'])} noisy skeletons; expected one of each per reference frame (>= 1)")
        videos.append(DanceVideo(os.path.dirname(frames["gen"][0]), frames["gen"], clean["gen"], noisy["gen"], None,
                                 frames["ref"], noisy["ref"]))
    return videos


def _parse_cell(path, number, column, text, dataroot):
    """A cell's {'gen': [...], 'ref': [...]} with every file resolved to an existing path."""
    try:
        value = ast.literal_eval(text or "")
    except (ValueError, SyntaxError):
        value = None
    if not (isinstance(value, dict) and all(isinstance(value.get(key), list) for key in ("gen", "ref"))):
        raise UserError(f"{path}, line {number}, column {column}: expected a literal "
                        f"{{'gen': [files], 'ref': [files]}}, got {str(text)[:60]!r}")
    return {key: [_resolve(path, number, column, item, dataroot) for item in value[key]] for key in ("gen", "ref")}


def _resolve(path, number, column, item, dataroot):
    if not isinstance(item, str):
        raise UserError(f"{path}, line {number}, column {column}: expected file names, got {item!r}")
    for candidate in (item, os.path.join(dataroot, item)):
        if os.path.isfile(candidate):
            return candidate
    raise UserError(f"{path}, line {number}, column {column}: file not found: {item} "
                    f"(looked in the current folder and in {dataroot})")
