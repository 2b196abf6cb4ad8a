"""Write the 68-point landmark file of every frame of a face dataset split.

    pip install face-alignment          # the detector, an optional dependency
    python -m script.detect_face_landmarks --dataroot ./dataset/FaceForensics --phase train [--device cuda]

reads ``<dataroot>/<phase>_data/<video>/<frame>.png`` and writes
``<dataroot>/<phase>_keypoints/<video>/<frame>.txt`` (68 lines ``x,y``: data.face_landmarks, the
format the face dataset reads). The detector is the ``face-alignment`` package (2D-FAN, the same
68-point iBUG layout as dlib's predictor that the original used; original: script/obtain_face_kp.py);
its weights are downloaded on first use. Any detector giving 68 such points can be used through
``detect_video_landmarks``.

Where several faces are found the largest is kept (the original kept the first). A frame without
a face gets the landmarks of the previous frame with one, or of the next for a video's first
frames (the original copied the previous file and so crashed on a video's first frame). A video
without any face is skipped and reported: remove its frame folder before training. Videos whose
landmark files are all there are skipped, so an interrupted run can be restarted.
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image
from tqdm import tqdm

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from data.face_landmarks import NUM_LANDMARKS, write_landmarks  # noqa: E402
from data.video_files import IMAGE_EXTENSIONS, list_videos  # noqa: E402
from util.cli import run_entry_point  # noqa: E402
from util.errors import UserError  # noqa: E402


def face_alignment_detector(device="cpu"):
    """A detector ``image uint8 [H, W, 3] -> list of float [68, 2] (x, y)`` from the face-alignment package."""
    try:
        import face_alignment
    except ImportError as error:
        raise UserError(f"landmark detection needs the face-alignment package: pip install face-alignment "
                        f"({error})") from error
    kinds = face_alignment.LandmarksType
    model = face_alignment.FaceAlignment(getattr(kinds, "TWO_D", None) or kinds._2D, device=device, flip_input=False)

    def detect(image):
        return [np.asarray(points)[:, :2] for points in model.get_landmarks_from_image(image) or []]
    return detect


def largest_face(faces):
    """The [68, 2] landmarks with the largest bounding box, or None without faces."""
    faces = [np.asarray(face, dtype=np.float64) for face in faces]
    for face in faces:
        if face.shape != (NUM_LANDMARKS, 2):
            raise ValueError(f"detector: expected [{NUM_LANDMARKS}, 2] landmarks per face, got {face.shape}")
    if not faces:
        return None
    return max(faces, key=lambda face: np.prod(face.max(axis=0) - face.min(axis=0)))


def detect_video_landmarks(detect, frame_paths):
    """Landmarks of every frame: the largest face, gaps filled from the nearest earlier (else later) frame.

    Returns:
        list of [68, 2] arrays, one per frame, or None when no frame shows a face.
    """
    found = []
    for path in frame_paths:
        with Image.open(path) as image:
            found.append(largest_face(detect(np.asarray(image.convert("RGB")))))
    detected = [index for index, face in enumerate(found) if face is not None]
    if not detected:
        return None
    filled, last = [], found[detected[0]]
    for face in found:
        last = face if face is not None else last
        filled.append(last)
    return filled


def detect_split(dataroot, phase, detect, overwrite=False, progress=False):
    """Write the landmark files of ``<dataroot>/<phase>_data``; return the names of the videos without a face."""
    frames_root = os.path.join(dataroot, f"{phase}_data")
    landmarks_root = os.path.join(dataroot, f"{phase}_keypoints")
    videos = list_videos(frames_root, IMAGE_EXTENSIONS, "frames")
    faceless = []
    for name, frame_paths in tqdm(videos.items(), desc=f"{phase} videos", unit="video", disable=not progress):
        out_paths = [os.path.join(landmarks_root, name, os.path.splitext(os.path.basename(path))[0] + ".txt")
                     for path in frame_paths]
        if not overwrite and all(os.path.isfile(path) for path in out_paths):
            continue
        landmarks = detect_video_landmarks(detect, frame_paths)
        if landmarks is None:
            faceless.append(name)
            continue
        for path, points in zip(out_paths, landmarks):
            write_landmarks(path, points)
    return faceless


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataroot", required=True, help="face dataset folder, e.g. ./dataset/FaceForensics")
    parser.add_argument("--phase", default="train", help="split: reads <phase>_data, writes <phase>_keypoints")
    parser.add_argument("--device", default="cpu", help="detector device: cpu or cuda")
    parser.add_argument("--overwrite", action="store_true", help="detect again where landmark files exist")
    args = parser.parse_args(argv)
    faceless = detect_split(args.dataroot, args.phase, face_alignment_detector(args.device), args.overwrite,
                            progress=True)
    if faceless:
        print(f"no face found in {len(faceless)} video(s), no landmarks written; remove their frame folders from "
              f"{os.path.join(args.dataroot, args.phase + '_data')}: {', '.join(faceless)}")
    print(f"landmarks written to {os.path.join(args.dataroot, args.phase + '_keypoints')}")


if __name__ == "__main__":
    run_entry_point(main)
