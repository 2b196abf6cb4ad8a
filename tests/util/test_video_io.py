"""Video writing and reading through imageio-ffmpeg."""
import sys

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

from util.errors import UserError
from util.video_io import read_video, write_video


def colour_frames(count, size=(48, 64)):
    """Frames of distinct flat colours with a moving bright square."""
    frames = []
    for index in range(count):
        frame = np.zeros((*size, 3), np.uint8)
        frame[:] = (30 * index % 256, 200 - 20 * index, 90)
        frame[8:24, 4 * index:4 * index + 16] = 250
        frames.append(frame)
    return frames


def test_writes_a_readable_mp4_with_every_frame(tmp_path):
    frames = colour_frames(7)
    path = tmp_path / "out" / "video_edge_vis_.mp4"
    assert write_video(path, frames) == 7
    assert path.read_bytes()[4:8] == b"ftyp"  # an MP4 container
    decoded = list(read_video(path))
    assert len(decoded) == 7 and decoded[0].shape == (48, 64, 3) and decoded[0].dtype == np.uint8
    for original, frame in zip(frames, decoded):
        assert np.abs(frame.astype(int) - original).mean() < 6
    with imageio.get_reader(path, format="FFMPEG") as reader:
        assert reader.get_meta_data()["fps"] == 15


def test_pil_frames_and_fps(tmp_path):
    path = tmp_path / "pil.mp4"
    write_video(path, (Image.fromarray(frame) for frame in colour_frames(3)), fps=5)
    with imageio.get_reader(path, format="FFMPEG") as reader:
        assert reader.get_meta_data()["fps"] == 5 and reader.count_frames() == 3


def test_bad_frames(tmp_path):
    frames = colour_frames(2) + colour_frames(1, size=(32, 32))
    with pytest.raises(ValueError, match=r"frame 2 has shape \(32, 32, 3\), the first had \(48, 64, 3\)"):
        write_video(tmp_path / "mixed.mp4", frames)
    assert not (tmp_path / "mixed.mp4").exists()
    with pytest.raises(ValueError, match="no frames to write"):
        write_video(tmp_path / "empty.mp4", [])
    assert not (tmp_path / "empty.mp4").exists()
    with pytest.raises(ValueError, match="expected uint8 RGB arrays"):
        write_video(tmp_path / "grey.mp4", [np.zeros((8, 8), np.uint8)])


def test_without_imageio_ffmpeg_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    with pytest.raises(UserError, match=r"videos need the imageio-ffmpeg package \(pip install imageio-ffmpeg\)"):
        write_video(tmp_path / "x.mp4", colour_frames(1))


def test_unreadable_video_names_the_file(tmp_path):
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"not a video")
    with pytest.raises(UserError, match=f"{path}: cannot (read|decode) the video"):
        list(read_video(path))
