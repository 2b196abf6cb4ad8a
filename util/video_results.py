"""The result folders of the animation tests (original: model/face_model.py, Face.test and
Face.write2video; model/dance_model.py, Dance.test)::

    <results_dir>/<video>/<frame>_<kind>.png        one image per frame and kind (face: vis, edge)
    <results_dir>/<video>_<kind>_<kind>_..._.mp4    at the end of the video: the kinds side by side,
                                                    frame after frame, 15 fps (face: edge_vis_)

``<video>`` is the folder of the frame files (``video_of``; the model may name it otherwise) and
``<frame>`` their stem. The video is assembled
from the image files on disk, as the original did (so a chunk's padding frames, written under the
video's last frame name, appear once). ``script/metrics.py`` scores the ``vis`` frames
(``script/metrics_lib/video_frames.py``).
"""
import os

import numpy as np
from PIL import Image

from util.image_io import save_image, tensor_to_uint8
from util.video_io import write_video

RESULT_VIDEO_FPS = 15


def video_of(frame_path):
    """The video a frame file belongs to: the name of its folder."""
    return os.path.basename(os.path.dirname(frame_path))


def frame_result_path(folder, frame_path, kind, ext="png"):
    """``<folder>/<frame stem>_<kind>.<ext>`` for the frame file ``frame_path``."""
    stem = os.path.splitext(os.path.basename(frame_path))[0]
    return os.path.join(folder, f"{stem}_{kind}.{ext}")


def save_frames(folder, frame_paths, images, kind, ext="png"):
    """Write image t of ``images`` as the ``kind`` result of frame ``frame_paths[t]`` into ``folder``.

    Args:
        folder: the video's result folder, ``<results_dir>/<video>``.
        frame_paths: T frame files (a repeated path is written again: the last write stays).
        images: torch.Tensor [T, C, H, W] in [-1, 1] (C = 1: a grey image, C = 3: RGB).
        kind: the file name suffix, e.g. 'vis'.
    """
    if len(frame_paths) != len(images):
        raise ValueError(f"save_frames: {len(images)} images for {len(frame_paths)} frame paths")
    for frame_path, image in zip(frame_paths, images):
        save_image(tensor_to_uint8(image), frame_result_path(folder, frame_path, kind, ext))


def result_video_path(results_dir, video, kinds):
    """``<results_dir>/<video>_<kind>_..._.mp4``, the original's name (each kind followed by '_')."""
    return os.path.join(results_dir, video + "_" + "".join(kind + "_" for kind in kinds) + ".mp4")


def write_result_video(results_dir, video, kinds, ext="png", fps=RESULT_VIDEO_FPS):
    """Write the video of the ``kinds`` images of every frame of ``video``, side by side; return its path.

    The frames are the stems that have a ``kinds[0]`` image, in sorted order; each must have an
    image of every kind (ValueError naming the first that has not).
    """
    folder = os.path.join(results_dir, video)
    suffix = f"_{kinds[0]}.{ext}"
    stems = sorted(name[:-len(suffix)] for name in os.listdir(folder) if name.endswith(suffix))
    if not stems:
        raise ValueError(f"{folder}: no *{suffix} frames to put in the video")

    def side_by_side(stem):
        images = []
        for kind in kinds:
            path = os.path.join(folder, f"{stem}_{kind}.{ext}")
            if not os.path.isfile(path):
                raise ValueError(f"{path}: missing; every frame of the video needs its {', '.join(kinds)} images")
            with Image.open(path) as image:
                images.append(np.asarray(image.convert("RGB")))
        return np.concatenate(images, axis=1)

    path = result_video_path(results_dir, video, kinds)
    write_video(path, (side_by_side(stem) for stem in stems), fps=fps)
    return path
