"""Preparing face data: frames from videos, landmark files through a (stub) detector, read by the dataset."""
import os
import sys

import numpy as np
import pytest
from PIL import Image

import data
from data.face_landmarks import read_landmarks
from script.detect_face_landmarks import detect_split, face_alignment_detector, largest_face
from script.detect_face_landmarks import main as detect_main
from script.extract_video_frames import extract_folder
from script.extract_video_frames import main as extract_main
from tests.data.face_samples import RECTANGLE_FACE
from util.errors import UserError
from util.video_io import write_video


def write_videos(folder, lengths, size=(48, 64)):
    """Videos of moving gradients named clip<i>.mp4 with the given frame counts."""
    os.makedirs(folder, exist_ok=True)
    rows, cols = np.indices(size)
    for index, length in enumerate(lengths):
        frames = [np.stack([(rows * 4 + t * 9) % 256, (cols * 3) % 256, np.full(size, 40 * index)], -1).astype(np.uint8)
                  for t in range(length)]
        write_video(os.path.join(folder, f"clip{index}.mp4"), frames)


def test_frames_of_every_video(tmp_path):
    write_videos(tmp_path / "videos", [5, 3])
    (tmp_path / "videos" / "notes.txt").write_text("not a video")
    written = extract_folder(tmp_path / "videos", tmp_path / "train_data")
    assert written == {"clip0.mp4": 5, "clip1.mp4": 3}
    assert sorted(os.listdir(tmp_path / "train_data")) == ["clip0", "clip1"]
    assert sorted(os.listdir(tmp_path / "train_data" / "clip0")) == [f"{i:05d}.png" for i in range(5)]
    with Image.open(tmp_path / "train_data" / "clip1" / "00002.png") as frame:
        assert frame.size == (64, 48) and frame.mode == "RGB"
    assert extract_folder(tmp_path / "videos", tmp_path / "train_data") == {}  # done already: skipped
    extract_main(["--videos", str(tmp_path / "videos"), "--frames", str(tmp_path / "small"), "--size", "32"])
    with Image.open(tmp_path / "small" / "clip0" / "00004.png") as frame:
        assert frame.size == (32, 32)


def test_frame_extraction_errors(tmp_path):
    with pytest.raises(UserError, match="--videos: folder not found"):
        extract_folder(tmp_path / "absent", tmp_path / "out")
    os.makedirs(tmp_path / "empty")
    with pytest.raises(UserError, match="--videos: no video files"):
        extract_folder(tmp_path / "empty", tmp_path / "out")


class StubDetector:
    """Returns the hand-made face shifted by the frame index; no face in the frames listed in ``missing``;
    a second, smaller face everywhere."""

    def __init__(self, missing=()):
        self.missing, self.calls = set(missing), 0

    def __call__(self, image):
        index = self.calls
        self.calls += 1
        assert image.dtype == np.uint8 and image.shape == (64, 64, 3)
        if index in self.missing:
            return []
        small = RECTANGLE_FACE * 0.3
        return [small, RECTANGLE_FACE + index]


def write_frames(root, video, count):
    folder = root / "train_data" / video
    os.makedirs(folder)
    for index in range(count):
        Image.fromarray(np.full((64, 64, 3), 20 * index, np.uint8)).save(folder / f"{index:05d}.png")


def test_landmark_files_from_a_detector(tmp_path, make_opt):
    write_frames(tmp_path, "000", 5)
    faceless = detect_split(tmp_path, "train", StubDetector(missing={0, 1, 3}))
    assert faceless == []
    files = sorted(os.listdir(tmp_path / "train_keypoints" / "000"))
    assert files == [f"{i:05d}.txt" for i in range(5)]
    landmarks = [read_landmarks(tmp_path / "train_keypoints" / "000" / name) for name in files]
    # the largest face; frames 0, 1 take frame 2's landmarks, frame 3 takes frame 2's too
    for frame, source in enumerate([2, 2, 2, 2, 4]):
        assert np.array_equal(landmarks[frame], RECTANGLE_FACE + source)
    opt = make_opt("face", tmp_path, load_size=(32, 32), n_frames_total=4, max_frames_per_gpu=2)
    assert data.create_dataset(opt)[0]["BP"].shape == (64, 32, 32)


def test_videos_without_faces_are_reported_and_done_videos_skipped(tmp_path):
    write_frames(tmp_path, "000", 2)
    write_frames(tmp_path, "001", 2)
    detector = StubDetector(missing={0, 1})  # video 000 (detected first) shows no face
    assert detect_split(tmp_path, "train", detector) == ["000"]
    assert not (tmp_path / "train_keypoints" / "000").exists() and detector.calls == 4
    detector = StubDetector()
    assert detect_split(tmp_path, "train", detector) == [] and detector.calls == 2  # 001 is done
    assert detect_split(tmp_path, "train", StubDetector(), overwrite=True) == []


def test_largest_face_checks_the_detector():
    assert largest_face([]) is None
    with pytest.raises(ValueError, match=r"expected \[68, 2\] landmarks per face, got \(5, 2\)"):
        largest_face([np.zeros((5, 2))])


def test_without_face_alignment_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "face_alignment", None)
    with pytest.raises(UserError, match="landmark detection needs the face-alignment package: pip install"):
        face_alignment_detector()
    from util.cli import run_entry_point
    with pytest.raises(SystemExit) as stop:
        run_entry_point(detect_main, ["--dataroot", str(tmp_path)])
    assert stop.value.code == 1
    assert "error: landmark detection needs the face-alignment package" in capsys.readouterr().err
