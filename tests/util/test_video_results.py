"""util.video_results: the animation tests' frame files and their side-by-side video, named as the original."""
import numpy as np
import pytest
import torch
from PIL import Image

from util.video_io import read_video
from util.video_results import frame_result_path, result_video_path, save_frames, write_result_video


def test_frames_are_written_per_video_and_kind(tmp_path):
    paths = [f"/data/test_data/clip7/{index:05d}.png" for index in (0, 1, 1)]  # a padded chunk repeats its last
    images = torch.stack([torch.full((3, 8, 6), value) for value in (-1.0, 0.0, 1.0)])
    save_frames(str(tmp_path / "clip7"), paths, images, "vis")
    assert sorted(p.name for p in (tmp_path / "clip7").iterdir()) == ["00000_vis.png", "00001_vis.png"]
    assert np.asarray(Image.open(tmp_path / "clip7" / "00001_vis.png")).max() == 255  # the last write stays
    assert frame_result_path("r/clip7", paths[0], "edge") == "r/clip7/00000_edge.png"
    assert result_video_path("r", "clip7", ("edge", "vis")) == "r/clip7_edge_vis_.mp4"
    with pytest.raises(ValueError, match="3 images for 2 frame paths"):
        save_frames(str(tmp_path / "clip7"), paths[:2], images, "vis")


def test_the_video_puts_the_kinds_side_by_side(tmp_path):
    paths = [str(tmp_path / "frames" / "v" / f"{index:05d}.png") for index in range(3)]
    save_frames(str(tmp_path / "v"), paths, -torch.ones(3, 1, 16, 8), "edge")  # black, grey-level files
    save_frames(str(tmp_path / "v"), paths, torch.ones(3, 3, 16, 8), "vis")  # white
    path = write_result_video(str(tmp_path), "v", ("edge", "vis"))
    assert path == str(tmp_path / "v_edge_vis_.mp4")
    frames = list(read_video(path))
    assert len(frames) == 3 and frames[0].shape == (16, 16, 3)
    assert frames[0][:, :6].mean() < 30 and frames[0][:, 10:].mean() > 225  # [edge | vis]

    (tmp_path / "v" / "00001_vis.png").unlink()
    with pytest.raises(ValueError, match=r"00001_vis\.png: missing; every frame of the video needs its edge, vis"):
        write_result_video(str(tmp_path), "v", ("edge", "vis"))
