"""Write small synthetic face videos in the FaceForensics layout that data/face_dataset.py reads.

    python -m script.make_synthetic_dataset --root ./dataset/synthetic_face --format face

Each video is one identity (face proportions and colours) whose 68 landmarks move (jaw and mouth
opening, blinks, head turning, nodding and tilting) over a textured scene::

    <root>/{train,test}_data/<video>/<frame>.png        frames
    <root>/{train,test}_keypoints/<video>/<frame>.txt   68 lines "x,y"

The same arguments give byte-identical files.
"""
import os

import numpy as np
from data.face_landmarks import write_landmarks
from data.synthetic.face import face_landmarks, sample_face_shape, sample_motion
from data.synthetic.face_render import draw_scene, render_face, sample_face_style
from script.synthetic_common import check_at_least, check_split_sizes, numbered_splits, progress_bar
from util.output_folder import prepare_output_folder


def make_synthetic_face_dataset(root, num_train_videos=4, num_test_videos=2, frames_per_video=24, frame_size=256,
                                seed=0, overwrite=False, progress=False):
    """Write face videos in the FaceForensics layout under ``root``; return the (train, test) video counts.

    Args:
        root: output folder; must be empty or absent unless ``overwrite``.
        num_train_videos, num_test_videos: videos per split, one identity each (different in each split).
        frames_per_video: frames of every video (>= 1).
        frame_size: side of the square frames in pixels (>= 32).
        seed: random seed; the same arguments give byte-identical files.
        overwrite: replace the folders of an earlier face dataset in ``root``.
        progress: show a progress bar.

    Raises:
        ValueError: a bad argument (the message names it); FileExistsError: ``root`` holds files.
    """
    check_split_sizes(num_train_videos=num_train_videos, num_test_videos=num_test_videos)
    check_at_least("frames_per_video", frames_per_video, 1)
    check_at_least("frame_size", frame_size, 32, " pixels")
    prepare_output_folder(root, [f"{phase}_{kind}" for phase in ("train", "test") for kind in ("data", "keypoints")],
                          overwrite)
    size = (frame_size, frame_size)
    bar = progress_bar((num_train_videos + num_test_videos) * frames_per_video, "synthetic face", "frame", progress)
    for phase, video_ids in numbered_splits(num_train_videos, num_test_videos):
        for video_id in video_ids:
            rng = np.random.default_rng([seed, video_id])
            shape, style, scene = sample_face_shape(rng), sample_face_style(rng), draw_scene(rng, size)
            frame_dir, landmark_dir = (os.path.join(root, f"{phase}_{kind}", f"{video_id:03d}")
                                       for kind in ("data", "keypoints"))
            os.makedirs(frame_dir)
            for index, motion in enumerate(sample_motion(rng, frames_per_video, size)):
                landmarks = face_landmarks(shape, motion)
                frame = render_face(rng, scene, landmarks, style)
                frame.save(os.path.join(frame_dir, f"{index:05d}.png"), compress_level=1)  # fast; noisy frames
                write_landmarks(os.path.join(landmark_dir, f"{index:05d}.txt"), landmarks)
                bar.update()
    bar.close()
    return num_train_videos, num_test_videos
