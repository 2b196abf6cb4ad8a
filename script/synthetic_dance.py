"""Write small synthetic person-animation data: dance videos in the FashionVideo/iPER layout that
data/dance_dataset.py reads, and Human3.6M-style keypoint files for data/keypoint_dataset.py.

    python -m script.make_synthetic_dataset --root ./dataset/synthetic_dance --format dance [--sub_dataset fashion]
    python -m script.make_synthetic_dataset --root ./dataset/synthetic_human36m --format keypoint

Each dance video is one figure (proportions and clothes) moving smoothly (data.synthetic.dance)
over a background of its own (near white for fashion, a textured scene for iper)::

    <root>/{train,test}_256/train_A/<video>/<frame>.png           frames
    <root>/{train,test}_256/train_video2d/<video>/<frame>.json    clean skeletons, Human3.6M-17
    <root>/{train,test}_256/train_alphapose/<video>/<frame>.json  noisy skeletons, OpenPose-18
    <root>/train_256/train_C/<video>/<frame>.png                  foreground masks (iper)
    <root>/test_list.csv                                          each test video with its first 20 frames as references

The keypoint files hold, per subject (S1, S5 for training, S9, S11 for testing), action and
camera, one figure's motion in a 1000x1000 frame: the exact Human3.6M-17 joints and noisy COCO-17
detections with scores::

    <root>/data_2d_h36m_gt.npz                 positions_2d[subject][action] = [[T, 17, 2] per camera]
    <root>/data_2d_h36m_detectron_pt_coco.npz  positions_2d[subject][action] = [[T, 17, 3] per camera]

The same arguments give byte-identical files.
"""
import csv
import os

import numpy as np
from PIL import Image
from data.dance_videos import CSV_COLUMNS, REFERENCE_FRAMES
from data.skeleton_json import write_skeleton
from data.synthetic.dance import detector_noise, human36m_skeleton, openpose_skeleton, sample_dance
from data.synthetic.pose import placed_pose, sample_body_shape
from data.synthetic.render import SUPERSAMPLE, FigureStyle, Painter, draw_background, finish_image, paint_figure, \
    sample_style
from script.synthetic_common import check_at_least, check_choice, check_split_sizes, numbered_splits, progress_bar
from util.output_folder import prepare_output_folder
from util.skeleton_formats import OPENPOSE_18_TO_COCO_17

BACKGROUNDS = {"fashion": "plain", "iper": "textured"}
_WHITE = (255.0, 255.0, 255.0)
_SILHOUETTE = FigureStyle(skin=_WHITE, hair=_WHITE, shirt=_WHITE, shirt_second=_WHITE, pattern="plain",
                          pattern_period=0.25, long_sleeves=True, trousers=_WHITE, shoes=_WHITE, eyes=_WHITE)
KEYPOINT_SUBJECTS = ("S1", "S5", "S9", "S11")
KEYPOINT_ACTIONS = ("Directions", "Walking")
KEYPOINT_CAMERAS = 4
KEYPOINT_FRAME = (1000, 1000)
_METADATA = {"gt": {"num_joints": 17, "keypoints_symmetry": [[4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]]},
             "coco": {"layout_name": "coco", "num_joints": 17,
                      "keypoints_symmetry": [[1, 3, 5, 7, 9, 11, 13, 15], [2, 4, 6, 8, 10, 12, 14, 16]]}}


def make_synthetic_dance_dataset(root, sub_dataset="iper", num_train_videos=2, num_test_videos=1, frames_per_video=36,
                                 frame_size=256, seed=0, overwrite=False, progress=False):
    """Write dance videos in the FashionVideo/iPER layout under ``root``; return the (train, test) video counts.

    Args:
        root: output folder; must be empty or absent unless ``overwrite``.
        sub_dataset: 'fashion' (plain backgrounds) or 'iper' (textured backgrounds, training masks).
        num_train_videos, num_test_videos: videos per split, one figure each (different in each split).
        frames_per_video: frames of every video (>= 1; a training clip takes 30 by default).
        frame_size: side of the square frames in pixels (>= 32).
        seed: random seed; the same arguments give byte-identical files.
        overwrite: replace the folders of an earlier dance dataset in ``root``.
        progress: show a progress bar.
    Raises:
        ValueError: a bad argument (the message names it); FileExistsError: ``root`` holds files.
    """
    check_choice("sub_dataset", sub_dataset, BACKGROUNDS)
    check_split_sizes(num_train_videos=num_train_videos, num_test_videos=num_test_videos)
    check_at_least("frames_per_video", frames_per_video, 1)
    check_at_least("frame_size", frame_size, 32, " pixels")
    prepare_output_folder(root, ["train_256", "test_256", "test_list.csv"], overwrite)
    bar = progress_bar((num_train_videos + num_test_videos) * frames_per_video, f"synthetic {sub_dataset}", "frame",
                       progress)
    test_videos = []
    for phase, video_ids in numbered_splits(num_train_videos, num_test_videos):
        for video_id in video_ids:
            name = f"{video_id:03d}"
            with_masks = sub_dataset == "iper" and phase == "train"
            _write_video(np.random.default_rng([seed, video_id]), os.path.join(root, f"{phase}_256"), name,
                         BACKGROUNDS[sub_dataset], frames_per_video, (frame_size, frame_size), with_masks, bar)
            if phase == "test":
                test_videos.append(name)
    bar.close()
    _write_test_list(os.path.join(root, "test_list.csv"), test_videos, frames_per_video)
    return num_train_videos, num_test_videos


def _write_video(rng, split, name, background, frames, size, with_masks, bar):
    shape, style = sample_body_shape(rng, size), sample_style(rng)
    scene = draw_background(rng, (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), background)
    points, scale = sample_dance(rng, shape, frames, size)
    folders = {kind: os.path.join(split, f"train_{kind}", name) for kind in ("A", "video2d", "alphapose", "C")}
    for kind in ("A", "C") if with_masks else ("A",):
        os.makedirs(folders[kind])
    for index, placed in enumerate(points):
        pose = placed_pose(placed, scale)
        painter = Painter(scene.copy())
        paint_figure(painter, pose, shape, style)
        file = f"{index:05d}"
        finish_image(rng, painter.canvas).save(os.path.join(folders["A"], f"{file}.png"), compress_level=1)
        write_skeleton(os.path.join(folders["video2d"], f"{file}.json"), human36m_skeleton(placed, shape, scale))
        noisy, scores = detector_noise(rng, openpose_skeleton(placed), size)
        write_skeleton(os.path.join(folders["alphapose"], f"{file}.json"), noisy, scores)
        if with_masks:
            _silhouette(pose, shape, size).save(os.path.join(folders["C"], f"{file}.png"))
        bar.update()


def _silhouette(pose, shape, size):
    """The figure's foreground mask: mode 'L', 255 where it covers at least half a pixel."""
    painter = Painter(np.zeros((size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE, 3)))
    paint_figure(painter, pose, shape, _SILHOUETTE)
    coverage = painter.canvas[..., 0].reshape(size[0], SUPERSAMPLE, size[1], SUPERSAMPLE).mean(axis=(1, 3))
    return Image.fromarray(np.where(coverage >= 127.5, 255, 0).astype(np.uint8))


def _write_test_list(path, videos, frames):
    """The test list: every test video animated from its own first frames (paths relative to the root)."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for name in videos:
            cells = []
            for kind in ("A", "alphapose", "video2d"):  # the order of CSV_COLUMNS
                extension = "png" if kind == "A" else "json"
                files = [f"test_256/train_{kind}/{name}/{index:05d}.{extension}" for index in range(frames)]
                cells.append(repr({"gen": files, "ref": files[:REFERENCE_FRAMES]}))
            writer.writerow(cells)


def make_synthetic_keypoint_dataset(root, frames_per_sequence=150, seed=0, overwrite=False):
    """Write the two keypoint files (module docstring) under ``root``; return the number of sequences per file.

    Args:
        root: output folder; must be empty or absent unless ``overwrite``.
        frames_per_sequence: frames of every sequence (>= 24, a training window).
        seed: random seed; the same arguments give byte-identical files.
        overwrite: replace the files of an earlier run in ``root``.
    Raises:
        ValueError: a bad argument (the message names it); FileExistsError: ``root`` holds files.
    """
    check_at_least("frames_per_sequence", frames_per_sequence, 24, " (a training window)")
    names = {"gt": "data_2d_h36m_gt.npz", "coco": "data_2d_h36m_detectron_pt_coco.npz"}
    prepare_output_folder(root, list(names.values()), overwrite)
    positions = {"gt": {}, "coco": {}}
    for subject_index, subject in enumerate(KEYPOINT_SUBJECTS):
        for kind in positions:
            positions[kind][subject] = {}
        for action_index, action in enumerate(KEYPOINT_ACTIONS):
            rng = np.random.default_rng([seed, subject_index, action_index])
            shape = sample_body_shape(rng, (KEYPOINT_FRAME[0] // 2, KEYPOINT_FRAME[1] // 2))  # half the frame's height
            clean, detected = [], []
            for _ in range(KEYPOINT_CAMERAS):  # each camera sees a motion of its own
                points, scale = sample_dance(rng, shape, frames_per_sequence, KEYPOINT_FRAME)
                clean.append(np.stack([human36m_skeleton(placed, shape, scale) for placed in points]))
                noisy = [detector_noise(rng, openpose_skeleton(placed)[list(OPENPOSE_18_TO_COCO_17)], KEYPOINT_FRAME,
                                        missing_prob=0.0) for placed in points]
                detected.append(np.stack([np.concatenate([joints, scores[:, None]], axis=1)
                                          for joints, scores in noisy]))
            positions["gt"][subject][action] = [array.astype(np.float32) for array in clean]
            positions["coco"][subject][action] = [array.astype(np.float32) for array in detected]
    for kind, name in names.items():
        np.savez_compressed(os.path.join(root, name), positions_2d=positions[kind], metadata=_METADATA[kind])
    return len(KEYPOINT_SUBJECTS) * len(KEYPOINT_ACTIONS) * KEYPOINT_CAMERAS
