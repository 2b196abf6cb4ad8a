"""Read and write the keypoint-annotation and pair CSVs of the pair datasets (original: data/base_dataset.py, BaseDataset).

Annotation CSV (``fasion-annotation-<phase>.csv``, ``market-annotation-<phase>.csv``)::

    name:keypoints_y:keypoints_x
    img.jpg: [y0, ..., y17]: [x0, ..., x17]

``:``-separated (the released files put a space after each ``:``); each keypoint column is a JSON
list of 18 integers in the OpenPose-COCO-18 order of ``util.skeleton``: pixel rows and columns in
the annotation frame (``--old_size``), ``-1`` for a missing joint.

Pairs CSV (``*-pairs-<phase>.csv``): comma-separated with a header naming the columns ``from``
(source image) and ``to`` (target image); other columns are ignored.

Every problem raises one ``UserError`` (also a ``ValueError`` or ``FileNotFoundError``) that names
the file and the 1-based line.
"""
import codecs
import csv
import json
import os

import numpy as np

from util.errors import BadInputError, MissingPathError, UnreadableFileError
from util.skeleton import MISSING, NUM_JOINTS

ANNOTATION_COLUMNS = ("name", "keypoints_y", "keypoints_x")
PAIR_COLUMNS = ("from", "to")


def read_annotations(csv_path, frame=None):
    """Read an annotation CSV into a dict of keypoint arrays.

    Args:
        csv_path: path of the ``:``-separated annotation CSV.
        frame: optional annotation frame ``(height, width)``; when given, every coordinate other
            than -1 must lie in ``[0, height) x [0, width)``.

    Returns:
        dict image name -> int64 array [18, 2] of (y, x), -1 for missing coordinates.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a wrong header, a malformed row, a coordinate out of the frame or a repeated
            name; the message names the file and line.
    """
    lines = _read_lines(csv_path)
    header = [column.strip() for column in lines[0].split(":")] if lines else []
    if tuple(header) != ANNOTATION_COLUMNS:
        raise BadInputError(f"{csv_path}, line 1: expected the header {':'.join(ANNOTATION_COLUMNS)!r}, "
                         f"got {lines[0] if lines else '(empty file)'!r}")
    annotations = {}
    for line_number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        where = f"{csv_path}, line {line_number}"
        fields = [field.strip() for field in line.split(":")]
        if len(fields) != len(ANNOTATION_COLUMNS):
            raise BadInputError(f"{where}: expected 3 ':'-separated fields (name, keypoints_y, keypoints_x), "
                             f"got {len(fields)}: {line!r}")
        name = fields[0]
        if not name:
            raise BadInputError(f"{where}: empty image name")
        if name in annotations:
            raise BadInputError(f"{where}: image {name!r} is annotated twice")
        annotations[name] = keypoints_from_columns(_decode_column(fields[1], "keypoints_y", where),
                                                   _decode_column(fields[2], "keypoints_x", where), where, frame)
    return annotations


def keypoints_from_columns(keypoints_y, keypoints_x, where, frame=None):
    """One row's decoded columns (lists of 18 integers) -> int64 array [18, 2] of (y, x).

    Checked as ``read_annotations`` checks its rows (``frame`` likewise); a ValueError starts
    with ``where``.
    """
    keypoints = np.stack([_coordinates(keypoints_y, "keypoints_y", where),
                          _coordinates(keypoints_x, "keypoints_x", where)], axis=1)
    if frame is not None:
        _check_in_frame(keypoints, frame, where)
    return keypoints


def read_pairs(csv_path):
    """Read a pairs CSV.

    Args:
        csv_path: path of the comma-separated CSV with columns ``from`` and ``to``.

    Returns:
        list of (source name, target name) in file order.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: no ``from``/``to`` columns, or a row with missing fields or an empty name; the
            message names the file and line.
    """
    return [(source, target) for _, source, target in read_pair_rows(csv_path)]


def read_pair_rows(csv_path):
    """As ``read_pairs``, each pair with its 1-based line number: list of (line, source, target)."""
    lines = _read_lines(csv_path)
    rows = list(csv.reader(lines))
    header = [column.strip() for column in rows[0]] if rows else []
    if any(column not in header for column in PAIR_COLUMNS):
        raise BadInputError(f"{csv_path}, line 1: expected a header with the columns 'from' and 'to', "
                         f"got {lines[0] if lines else '(empty file)'!r}")
    source_column, target_column = header.index("from"), header.index("to")
    pairs = []
    for line_number, row in enumerate(rows[1:], start=2):
        if not "".join(row).strip():
            continue
        where = f"{csv_path}, line {line_number}"
        if len(row) != len(header):
            raise BadInputError(f"{where}: expected {len(header)} comma-separated fields ({','.join(header)}), "
                             f"got {len(row)}: {lines[line_number - 1]!r}")
        source, target = row[source_column].strip(), row[target_column].strip()
        if not source or not target:
            raise BadInputError(f"{where}: empty image name in {lines[line_number - 1]!r}")
        pairs.append((line_number, source, target))
    return pairs


def write_annotations(csv_path, annotations):
    """Write ``{name: int array [18, 2] of (y, x)}`` in the released format (``name: [ys]: [xs]``)."""
    lines = [":".join(ANNOTATION_COLUMNS)]
    for name, keypoints in annotations.items():
        keypoints = np.asarray(keypoints)
        ys, xs = (json.dumps([int(v) for v in keypoints[:, axis]]) for axis in (0, 1))
        lines.append(f"{name}: {ys}: {xs}")
    _write_text(csv_path, "\n".join(lines) + "\n")


def write_pairs(csv_path, pairs):
    """Write ``[(source, target), ...]`` as a ``from,to`` CSV."""
    _write_text(csv_path, "\n".join([",".join(PAIR_COLUMNS), *(f"{a},{b}" for a, b in pairs)]) + "\n")


def _read_lines(csv_path):
    """The file's lines (a UTF-8 byte-order mark is dropped).

    Raises a ``UserError`` naming the file when it is missing or not UTF-8 text (e.g. a CSV that a
    spreadsheet saved as UTF-16).
    """
    if not os.path.isfile(csv_path):
        raise MissingPathError(f"CSV file not found: {csv_path}")
    with open(csv_path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            what = "is UTF-16 text, not UTF-8"
        else:
            what = f"is not UTF-8 text ({error.reason} at byte {error.start})"
        raise UnreadableFileError(f"{csv_path}: {what}; save it as UTF-8") from None
    return text.splitlines()


def _write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _decode_column(text, column, where):
    """A column's JSON text -> its value."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInputError(f"{where}: column {column} is not a JSON list ({error.msg}): {text!r}") from None


def _coordinates(values, column, where):
    """A list of NUM_JOINTS integers -> int64 array [NUM_JOINTS]."""
    if not isinstance(values, list):
        raise BadInputError(f"{where}: column {column} must be a JSON list of {NUM_JOINTS} integers, "
                         f"got {json.dumps(values)!r}")
    if len(values) != NUM_JOINTS:
        raise BadInputError(f"{where}: column {column} has {len(values)} joints, expected {NUM_JOINTS}")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise BadInputError(f"{where}: column {column} must hold integers, got {json.dumps(values)!r}")
    return np.asarray(values, dtype=np.int64)


def _check_in_frame(keypoints, frame, where):
    """Every coordinate other than MISSING must lie inside the annotation frame (height, width)."""
    for axis, (column, limit) in enumerate(zip(ANNOTATION_COLUMNS[1:], frame)):
        values = keypoints[:, axis]
        bad = (values != MISSING) & ((values < 0) | (values >= limit))
        if bad.any():
            joint = int(np.flatnonzero(bad)[0])
            raise BadInputError(f"{where}: {column}[{joint}] = {int(values[joint])} is outside the annotation "
                             f"frame [0, {limit}) of --old_size {tuple(frame)} (use -1 for a missing joint)")
