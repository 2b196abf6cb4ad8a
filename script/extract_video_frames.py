"""Extract the frames of every video in a folder as numbered PNG files, one folder per video.

    python -m script.extract_video_frames --videos ./FaceForensics/train_videos \\
        --frames ./dataset/FaceForensics/train_data [--size 256]

writes ``<frames>/<video name>/00000.png, 00001.png, ...`` (the face dataset's ``<phase>_data``
layout). Decoding goes through imageio-ffmpeg (util.video_io). A video's folder appears only when
all its frames are written, and videos that have one are skipped, so an interrupted run can be
restarted; ``--overwrite`` re-extracts them.

For the dance dataset, ``--skeletons <folder>/<video name>/*.json`` keeps as many frames of each
video as it has skeleton files and makes them 256x256 (the frames the released skeletons were
made on), as the original's command (its ``--frame_root --video_path --anno_path`` work too).
(original: script/extract_video_frames.py, which read with scikit-video and always resized to 256x256.)
"""
import argparse
import os
import shutil
import sys

from PIL import Image
from tqdm import tqdm

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from util.cli import run_entry_point  # noqa: E402
from util.errors import UserError  # noqa: E402
from util.video_io import VIDEO_EXTENSIONS, read_video  # noqa: E402


def extract_frames(video_path, frame_dir, size=None, limit=None):
    """Write the frames of ``video_path`` to ``frame_dir/00000.png, ...``; return how many.

    Args:
        size: side of square output frames (bicubic resize), or None to keep the video's size.
        limit: write only the first ``limit`` frames (the video must have them), or None for all.
    """
    os.makedirs(frame_dir, exist_ok=True)
    count = 0
    for count, frame in enumerate(read_video(video_path), start=1):
        if limit is not None and count > limit:
            return limit
        image = Image.fromarray(frame)
        if size is not None:
            image = image.resize((size, size), Image.BICUBIC)
        image.save(os.path.join(frame_dir, f"{count - 1:05d}.png"))
    if count == 0:
        raise UserError(f"{video_path}: the video has no frames")
    if limit is not None and count < limit:
        raise UserError(f"{video_path}: {count} frames, fewer than its {limit} skeleton files")
    return count


def skeleton_count(skeleton_root, video):
    """The number of ``.json`` skeleton files of ``video`` under ``skeleton_root`` (a UserError if it has none)."""
    folder = os.path.join(skeleton_root, video)
    count = len([name for name in os.listdir(folder) if name.endswith(".json")]) if os.path.isdir(folder) else 0
    if count == 0:
        raise UserError(f"{folder}: no skeleton files (.json) for the video {video}; every video needs its skeletons")
    return count


def extract_folder(video_dir, frames_root, size=None, overwrite=False, progress=False, skeleton_root=None):
    """Extract every video of ``video_dir`` (sorted) to ``frames_root/<video name>``.

    With ``skeleton_root``, only a video's first frames, as many as its skeleton files.

    Returns:
        dict {video name: number of frames written} of the videos extracted (skipped ones left out).
    Raises:
        UserError: ``video_dir`` missing or without videos, or a video that cannot be decoded.
    """
    if not os.path.isdir(video_dir):
        raise UserError(f"--videos: folder not found: {video_dir}")
    videos = sorted(name for name in os.listdir(video_dir) if name.lower().endswith(VIDEO_EXTENSIONS))
    if not videos:
        raise UserError(f"--videos: no video files ({'/'.join(VIDEO_EXTENSIONS)}) in {video_dir}")
    written = {}
    for name in tqdm(videos, desc="videos", unit="video", disable=not progress):
        stem = os.path.splitext(name)[0]
        frame_dir, partial_dir = os.path.join(frames_root, stem), os.path.join(frames_root, f".{stem}.partial")
        if os.path.isdir(frame_dir):
            if not overwrite:
                continue
            shutil.rmtree(frame_dir)
        shutil.rmtree(partial_dir, ignore_errors=True)  # left by an interrupted run
        limit = None if skeleton_root is None else skeleton_count(skeleton_root, stem)
        written[name] = extract_frames(os.path.join(video_dir, name), partial_dir, size, limit)
        os.replace(partial_dir, frame_dir)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", "--video_path", required=True, help="folder of video files")
    parser.add_argument("--frames", "--frame_root", required=True,
                        help="output folder, e.g. ./dataset/FaceForensics/train_data")
    parser.add_argument("--skeletons", "--anno_path", default=None,
                        help="dance data: <folder>/<video>/*.json; keep as many frames as skeleton files")
    parser.add_argument("--size", type=int, default=None,
                        help="resize frames to size x size (bicubic); default: keep, 256 with --skeletons")
    parser.add_argument("--overwrite", action="store_true", help="re-extract videos that already have frames")
    args = parser.parse_args(argv)
    if args.size is not None and args.size < 1:
        parser.error(f"--size: expected a positive number of pixels, got {args.size}")
    if args.size is None and args.skeletons is not None:
        args.size = 256
    written = extract_folder(args.videos, args.frames, args.size, args.overwrite, progress=True,
                             skeleton_root=args.skeletons)
    print(f"extracted {sum(written.values())} frames of {len(written)} videos to {args.frames}")


if __name__ == "__main__":
    run_entry_point(main)
