"""Preparing dance data: as many 256x256 frames per video as it has skeleton files, the original's flags."""
import os

import pytest
from PIL import Image

from script.extract_video_frames import main as extract_main
from tests.data.test_face_preparation import write_videos
from util.errors import UserError


def write_skeleton_files(root, video, count):
    os.makedirs(root / video)
    for index in range(count):
        (root / video / f"{index:05d}.json").write_text('{"people": []}')


def test_frames_as_many_as_skeleton_files(tmp_path):
    write_videos(tmp_path / "videos", [5, 4])
    write_skeleton_files(tmp_path / "skeletons", "clip0", 3)
    write_skeleton_files(tmp_path / "skeletons", "clip1", 4)
    extract_main(["--video_path", str(tmp_path / "videos"), "--frame_root", str(tmp_path / "train_A"),
                  "--anno_path", str(tmp_path / "skeletons")])  # the original's command
    assert sorted(os.listdir(tmp_path / "train_A" / "clip0")) == [f"{i:05d}.png" for i in range(3)]
    assert len(os.listdir(tmp_path / "train_A" / "clip1")) == 4
    with Image.open(tmp_path / "train_A" / "clip0" / "00002.png") as frame:
        assert frame.size == (256, 256)


def test_missing_or_too_many_skeleton_files(tmp_path):
    write_videos(tmp_path / "videos", [3])
    arguments = ["--videos", str(tmp_path / "videos"), "--frames", str(tmp_path / "out"), "--skeletons",
                 str(tmp_path / "skeletons")]
    with pytest.raises(UserError, match=r"skeletons/clip0: no skeleton files \(\.json\) for the video clip0"):
        extract_main(arguments)
    write_skeleton_files(tmp_path / "skeletons", "clip0", 4)
    with pytest.raises(UserError, match=r"clip0\.mp4: 3 frames, fewer than its 4 skeleton files"):
        extract_main(arguments)
    assert not os.path.exists(tmp_path / "out" / "clip0")  # nothing half-written is left as done
