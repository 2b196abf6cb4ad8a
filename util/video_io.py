"""Video files through imageio's ffmpeg plugin: frames to mp4 and mp4 to frames.

The ffmpeg binary comes with the ``imageio-ffmpeg`` package (a wheel with its own ffmpeg), so no
system ffmpeg is needed. Videos are written as H.264 in yuv420p, which every player reads (the
original wrote OpenCV's ``mp4v`` codec; original: model/face_model.py, Face.test).
"""
import os

import numpy as np

from util.errors import UserError

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v")


def _imageio():
    """imageio's v2 API, after checking that its ffmpeg plugin can run."""
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg
        imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as error:
        raise UserError(f"videos need the imageio-ffmpeg package (pip install imageio-ffmpeg), which ships ffmpeg: "
                        f"{error}") from error
    return imageio


def write_video(path, frames, fps=15):
    """Write ``frames`` to the video file ``path`` (its folder is created); return the number written.

    Args:
        path: output file, e.g. ``results/000_edge_vis_.mp4``.
        frames: iterable of RGB frames, uint8 arrays [H, W, 3] or PIL images, all of one size. Odd
            sizes are scaled by a pixel to even ones (yuv420p needs them).
        fps: frames per second (the original's face videos: 15).
    Raises:
        UserError: imageio-ffmpeg is missing; ValueError: frames of different sizes or no frames.
    """
    imageio = _imageio()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    count, size = 0, None
    writer = imageio.get_writer(path, format="FFMPEG", mode="I", fps=fps, codec="libx264", pixelformat="yuv420p",
                                macro_block_size=2)
    try:
        for frame in frames:
            frame = np.asarray(frame)
            if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
                raise ValueError(f"frames: expected uint8 RGB arrays [H, W, 3], got {frame.dtype} {frame.shape}")
            if size is not None and frame.shape != size:
                raise ValueError(f"frames: frame {count} has shape {frame.shape}, the first had {size}")
            size = frame.shape
            writer.append_data(frame)
            count += 1
        if count == 0:
            raise ValueError(f"frames: no frames to write to {path}")
    except BaseException:
        writer.close()
        if os.path.exists(path):  # no partial videos
            os.remove(path)
        raise
    writer.close()
    return count


def read_video(path):
    """Yield the frames of the video file ``path`` as uint8 arrays [H, W, 3].

    Raises:
        UserError: imageio-ffmpeg is missing, or the file cannot be decoded (the message names it).
    """
    imageio = _imageio()
    try:
        reader = imageio.get_reader(path, format="FFMPEG")
    except (OSError, RuntimeError, ValueError) as error:
        raise UserError(f"{path}: cannot read the video ({error})") from error
    try:
        for frame in reader:
            yield np.asarray(frame)[..., :3]
    except (OSError, RuntimeError) as error:
        raise UserError(f"{path}: cannot decode the video ({error})") from error
    finally:
        reader.close()
