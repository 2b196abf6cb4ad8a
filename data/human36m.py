"""Human3.6M 2-D keypoint sequences in VideoPose3D's ``.npz`` files (original: util/human36m.py).

A file holds ``positions_2d``, a pickled dict ``{subject: {action: [one array [T, 17, C] per
camera]}}`` of pixel coordinates (x, y, then possibly a score; only x and y are read), e.g.
``data_2d_h36m_gt.npz`` (ground truth, Human3.6M-17 joint order) and
``data_2d_h36m_detectron_pt_coco.npz`` (Detectron detections, COCO-17 order). Cameras are the four
Human3.6M cameras by index; coordinates are normalised by the camera's image width (1000 pixels
for all four).
"""
import os
from typing import NamedTuple

import numpy as np
import torch

from util.errors import UserError

NUM_JOINTS = 17
# The Human3.6M cameras by index (original: util/human36m.py, h36m_cameras_intrinsic_params): the
# image size is all the keypoint datasets use of them.
CAMERAS = ({"id": "54138969", "res_w": 1000, "res_h": 1002}, {"id": "55011271", "res_w": 1000, "res_h": 1000},
           {"id": "58860488", "res_w": 1000, "res_h": 1000}, {"id": "60457274", "res_w": 1000, "res_h": 1002})
# Subjects left out of training (the test subjects) and out of testing (the training subjects).
EXCLUDED_SUBJECTS = {True: ("S9", "S11"), False: ("S1", "S5", "S6", "S7", "S8")}
# Input and ground truth of a sequence whose lengths differ by more than this fraction are not used.
MAX_LENGTH_MISMATCH = 0.01


class Sequence(NamedTuple):
    """One camera's view of one action of one subject, cut to the length both files share."""

    subject: str
    action: str
    camera: int
    input: np.ndarray     # float32 [T, 17, 2] (x, y) pixels
    gt: np.ndarray        # float32 [T, 17, 2]


def read_positions(path):
    """The ``positions_2d`` dict of a VideoPose3D file, checked.

    Returns:
        {subject: {action: [float32 array [T, 17, 2] of (x, y) per camera]}}.
    Raises:
        UserError: the file is missing or unreadable, holds 3-D positions, or an array of another shape.
    """
    if not os.path.isfile(path):
        raise UserError(f"{path}: keypoint file not found (a VideoPose3D data_2d_h36m_*.npz file; see --gt_path "
                        f"and --input_path)")
    try:
        with np.load(path, allow_pickle=True) as content:
            if "positions_2d" not in content:
                found = ", ".join(content.files) or "nothing"
                raise UserError(f"{path}: no 'positions_2d' entry (found {found}); expected VideoPose3D 2-D keypoints")
            positions = content["positions_2d"].item()
    except (OSError, ValueError, EOFError) as error:
        raise UserError(f"{path}: cannot read the keypoint file ({error})") from error
    if not isinstance(positions, dict):
        raise UserError(f"{path}: positions_2d must be a dict {{subject: {{action: [array per camera]}}}}")
    checked = {}
    for subject, actions in positions.items():
        if not isinstance(actions, dict):
            raise UserError(f"{path}: positions_2d[{subject!r}] must be a dict {{action: [array per camera]}}")
        checked[subject] = {action: [_checked_array(path, subject, action, camera, array)
                                     for camera, array in enumerate(cameras)]
                            for action, cameras in actions.items()}
    return checked


def _checked_array(path, subject, action, camera, array):
    array = np.asarray(array)
    if array.ndim != 3 or array.shape[1] != NUM_JOINTS or array.shape[2] < 2 or not np.issubdtype(array.dtype,
                                                                                                   np.number):
        raise UserError(f"{path}: {subject}/{action} camera {camera}: expected an array [frames, {NUM_JOINTS}, 2 or "
                        f"more] of (x, y, ...) coordinates, got shape {array.shape}")
    return array[..., :2].astype(np.float32)


def paired_sequences(inputs, ground_truth, excluded_subjects):
    """The sequences found in both files, in the input file's order (subject, action, camera).

    Sequences of the excluded subjects, and those whose input and ground-truth lengths differ by
    more than ``MAX_LENGTH_MISMATCH`` of the ground truth's, are left out; the others are cut to
    their common length (original: util/human36m.py, init_video_list and check_dataset).
    """
    sequences = []
    for subject, actions in inputs.items():
        if subject in excluded_subjects or subject not in ground_truth:
            continue
        for action, cameras in actions.items():
            gt_cameras = ground_truth[subject].get(action, [])
            for camera, (input_array, gt_array) in enumerate(zip(cameras, gt_cameras)):
                if abs(len(gt_array) - len(input_array)) > MAX_LENGTH_MISMATCH * len(gt_array):
                    continue
                length = min(len(gt_array), len(input_array))
                sequences.append(Sequence(subject, action, camera, input_array[:length], gt_array[:length]))
    return sequences


def camera_of(sequence, path):
    """The sequence's camera ``{'id', 'res_w', 'res_h'}`` (a UserError naming ``path`` for an unknown index)."""
    if sequence.camera >= len(CAMERAS):
        raise UserError(f"{path}: {sequence.subject}/{sequence.action} has camera {sequence.camera}; Human3.6M has "
                        f"cameras 0..{len(CAMERAS) - 1} (their image width normalises the coordinates)")
    return dict(CAMERAS[sequence.camera])


def normalised_columns(positions, image_width):
    """float32 [34, T] from [T, 17, 2] (x, y) pixels: rows 17 y then 17 x, as ``p / width * 2 - 1``."""
    scaled = torch.from_numpy(np.ascontiguousarray(positions)) / image_width * 2 - 1
    return scaled.permute(0, 2, 1)[:, [1, 0], :].reshape(len(positions), 2 * NUM_JOINTS).permute(1, 0)
