"""Annotation and pair CSVs: the released format, round trips, and one clear error per malformed input."""
import json
import os

import numpy as np
import pytest

from data.annotations import read_annotations, read_pairs, write_annotations, write_pairs
from util.errors import UserError

HEADER = "name:keypoints_y:keypoints_x"
YS = list(range(10, 28))
XS = list(range(30, 48))
NON_ASCII_NAME = "caf\u00e9.jpg"


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def row(name="a.jpg", ys=YS, xs=XS):
    return f"{name}: {json.dumps(ys)}: {json.dumps(xs)}"


def test_reads_released_format_with_spaces_and_missing_joints(tmp_path):
    ys = YS[:17] + [-1]
    path = write_lines(tmp_path / "a.csv", [HEADER, row("a.jpg", ys), "b.jpg:" + json.dumps(XS) + ":" + json.dumps(YS)])
    annotations = read_annotations(path, frame=(64, 64))
    assert list(annotations) == ["a.jpg", "b.jpg"]
    assert annotations["a.jpg"].shape == (18, 2) and annotations["a.jpg"].dtype == np.int64
    np.testing.assert_array_equal(annotations["a.jpg"][:, 0], ys)
    np.testing.assert_array_equal(annotations["a.jpg"][:, 1], XS)
    np.testing.assert_array_equal(annotations["b.jpg"][:, 0], XS)


@pytest.mark.parametrize("sample, csv_name, rows", [
    ("deepfashion", "fasion-annotation-test.csv", 4038),
    ("market", "market-annotation-test.csv", 187),
])
def test_released_files_round_trip_byte_for_byte(tmp_path, sample, csv_name, rows, request):
    root = request.getfixturevalue(f"real_{'fashion' if sample == 'deepfashion' else 'market'}_root")
    source = os.path.join(root, csv_name)
    annotations = read_annotations(source, frame=(256, 176) if sample == "deepfashion" else (128, 64))
    assert len(annotations) == rows
    assert any((keypoints == -1).any() for keypoints in annotations.values())
    write_annotations(tmp_path / "out.csv", annotations)
    assert (tmp_path / "out.csv").read_bytes() == open(source, "rb").read()
    pairs_csv = source.replace("annotation", "pairs")
    write_pairs(tmp_path / "pairs.csv", read_pairs(pairs_csv))
    assert (tmp_path / "pairs.csv").read_bytes() == open(pairs_csv, "rb").read()


@pytest.mark.parametrize("bad_row, message", [
    (row(ys=YS[:17]), "keypoints_y has 17 joints, expected 18"),
    (row(xs=XS + [1]), "keypoints_x has 19 joints, expected 18"),
    ("a.jpg: [1, 2,: " + json.dumps(XS), "keypoints_y is not a JSON list"),
    ("a.jpg: " + json.dumps(YS) + ": 7", "keypoints_x must be a JSON list of 18 integers"),
    (row(ys=YS[:17] + [1.5]), "keypoints_y must hold integers"),
    ("a.jpg: " + json.dumps(YS), "expected 3 ':'-separated fields"),
    (row(name=""), "empty image name"),
    (row(ys=YS[:17] + [64]), r"keypoints_y\[17\] = 64 is outside the annotation frame \[0, 64\)"),
    (row(xs=[-2] + XS[1:]), r"keypoints_x\[0\] = -2 is outside"),
])
def test_malformed_annotation_row_names_file_and_line(tmp_path, bad_row, message):
    path = write_lines(tmp_path / "ann.csv", [HEADER, row("ok.jpg"), bad_row])
    with pytest.raises(ValueError, match=message) as info:
        read_annotations(path, frame=(64, 64))
    assert str(info.value).startswith(f"{path}, line 3: ")


def test_repeated_name_and_bad_header(tmp_path):
    path = write_lines(tmp_path / "ann.csv", [HEADER, row("a.jpg"), row("a.jpg")])
    with pytest.raises(ValueError, match=r"ann.csv, line 3: image 'a.jpg' is annotated twice"):
        read_annotations(path)
    path = write_lines(tmp_path / "bad.csv", ["name,keypoints_y,keypoints_x", row()])
    with pytest.raises(ValueError, match=r"bad.csv, line 1: expected the header"):
        read_annotations(path)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match=r"empty.csv, line 1: .*\(empty file\)"):
        read_annotations(str(tmp_path / "empty.csv"))


def test_missing_files_are_named(tmp_path):
    for reader in (read_annotations, read_pairs):
        with pytest.raises(FileNotFoundError, match=f"CSV file not found: {tmp_path}/nope.csv"):
            reader(str(tmp_path / "nope.csv"))


@pytest.mark.parametrize("encoding, message", [
    ("utf-16", "is UTF-16 text, not UTF-8; save it as UTF-8"),
    ("latin-1", "is not UTF-8 text (invalid continuation byte at byte 32); save it as UTF-8"),
])
def test_text_that_is_not_utf8_names_the_file(tmp_path, encoding, message):
    annotations = tmp_path / "annotation.csv"
    annotations.write_text(f"{HEADER}\n{row(NON_ASCII_NAME)}\n", encoding=encoding)
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"from,to\n{NON_ASCII_NAME},b.jpg\n", encoding=encoding)
    for reader, path in ((read_annotations, annotations), (read_pairs, pairs)):
        with pytest.raises(UserError) as info:
            reader(str(path))
        assert str(info.value).startswith(f"{path}: ") and str(info.value).endswith("save it as UTF-8")
    with pytest.raises(UserError) as info:
        read_annotations(str(annotations))
    assert str(info.value) == f"{annotations}: {message}"


def test_utf8_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("from,to\na.jpg,b.jpg\n", encoding="utf-8-sig")
    assert read_pairs(str(path)) == [("a.jpg", "b.jpg")]


def test_pairs_read_by_column_name(tmp_path):
    path = write_lines(tmp_path / "p.csv", ["id,to,from", "0,b.jpg,a.jpg", "", "1, d.jpg ,c.jpg"])
    assert read_pairs(path) == [("a.jpg", "b.jpg"), ("c.jpg", "d.jpg")]


@pytest.mark.parametrize("lines, message", [
    (["from,too", "a.jpg,b.jpg"], "line 1: expected a header with the columns 'from' and 'to'"),
    (["from,to", "a.jpg,b.jpg", "c.jpg"], "line 3: expected 2 comma-separated fields"),
    (["from,to", "a.jpg,b.jpg,c.jpg"], "line 2: expected 2 comma-separated fields"),
    (["from,to", "a.jpg, "], "line 2: empty image name"),
])
def test_malformed_pairs_name_file_and_line(tmp_path, lines, message):
    path = write_lines(tmp_path / "p.csv", lines)
    with pytest.raises(ValueError, match=message) as info:
        read_pairs(path)
    assert str(info.value).startswith(f"{path}, line ")
