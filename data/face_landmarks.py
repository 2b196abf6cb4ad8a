"""The landmark file of one face frame: 68 lines ``x,y`` (pixels of the frame), the contract between
data preparation and the face dataset (original: data/face_dataset.py, FaceDataset.read_keypoints,
read with ``np.loadtxt(path, delimiter=',')``; written by script/obtain_face_kp.py).

The 68 points follow the iBUG 300-W / dlib layout: 0-16 jaw (from the image's left to its right),
17-21 and 22-26 eyebrows, 27-30 nose bridge, 31-35 nostrils, 36-41 and 42-47 eyes (corner, upper
lid, corner, lower lid), 48-59 outer lips, 60-67 inner lips.
"""
import numpy as np

from util.atomic import atomic_write_text
from util.errors import UserError

NUM_LANDMARKS = 68


def read_landmarks(path):
    """The landmarks of ``path`` as float64 [68, 2] (x, y); blank lines are ignored.

    Raises:
        UserError: unreadable file, a line that is not two numbers ``x,y``, or not 68 points.
    """
    try:
        with open(path) as handle:
            lines = [(number, line.strip()) for number, line in enumerate(handle, 1) if line.strip()]
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot read the landmark file ({error})") from error
    if len(lines) != NUM_LANDMARKS:
        raise UserError(f"{path}: {len(lines)} landmark lines, expected {NUM_LANDMARKS} lines 'x,y' "
                        "(68-point face landmarks)")
    points = np.empty((NUM_LANDMARKS, 2))
    for row, (number, line) in enumerate(lines):
        fields = line.split(",")
        try:
            if len(fields) != 2:
                raise ValueError
            points[row] = [float(field) for field in fields]
        except ValueError:
            raise UserError(f"{path}, line {number}: expected 'x,y' (two numbers), got {line!r}") from None
    if not np.isfinite(points).all():
        raise UserError(f"{path}: landmarks must be finite numbers")
    return points


def write_landmarks(path, points):
    """Write [68, 2] (x, y) landmarks to ``path`` as integer ``x,y`` lines (rounded), atomically."""
    points = np.asarray(points, dtype=np.float64)
    if points.shape != (NUM_LANDMARKS, 2) or not np.isfinite(points).all():
        raise ValueError(f"points: expected finite [{NUM_LANDMARKS}, 2] landmarks, got shape {points.shape}")
    atomic_write_text(path, "".join(f"{x},{y}\n" for x, y in np.rint(points).astype(np.int64)))
