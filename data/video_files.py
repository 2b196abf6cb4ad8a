"""Videos stored as folders of per-frame files: listing a dataset's folders, pairing them, reading frames.

A video is a folder holding one file per frame (frames, landmarks, skeletons...), frames ordered
by sorted file name (original: data/image_folder.py, make_grouped_dataset and check_path_valid).
Unlike the original, which paired the i-th folder of one tree with the i-th of another, folders
are paired by name, so that a missing or extra folder is reported instead of shifting the pairs.
"""
import os

from PIL import Image

from util.errors import UserError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff", ".webp")


def list_videos(root, extensions, what):
    """The videos under ``root``: every folder (at any depth, hidden ones skipped) holding files with ``extensions``.

    Args:
        root: folder to walk.
        extensions: accepted file name endings, lower case (e.g. ``(".txt",)``).
        what: what the files are, for messages (e.g. "landmark files").
    Returns:
        dict {video name: [file paths sorted by name]}, the name being the folder's path relative
        to ``root`` ('/'-separated), in sorted order.
    Raises:
        UserError: ``root`` is not a folder, or holds no such files.
    """
    if not os.path.isdir(root):
        raise UserError(f"{root}: folder of {what} not found (expected {root}/<video>/<frame> files)")
    videos = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        files = sorted(name for name in names if name.lower().endswith(extensions))
        if files:
            name = os.path.relpath(folder, root).replace(os.sep, "/")
            videos[name] = [os.path.join(folder, file) for file in files]
    if not videos:
        raise UserError(f"{root}: no {what} ({'/'.join(extensions)}) in any video folder "
                        f"(expected {root}/<video>/<frame> files)")
    return dict(sorted(videos.items()))


def pair_videos(first_root, first, second_root, second):
    """Check that two listings (``list_videos``) hold the same videos with equal frame counts.

    Returns:
        The video names, sorted.
    Raises:
        UserError: a video folder missing from one side, or different numbers of files; the
        message names the folders.
    """
    for names, other, root, other_root in ((first, second, first_root, second_root),
                                           (second, first, second_root, first_root)):
        missing = [name for name in names if name not in other]
        if missing:
            raise UserError(f"{os.path.join(root, missing[0])}: no matching folder {os.path.join(other_root, missing[0])}"
                            f" ({len(missing)} video(s) of {root} are missing there); every video needs both")
    for name in first:
        if len(first[name]) != len(second[name]):
            raise UserError(f"{os.path.join(first_root, name)}: {len(first[name])} files, but "
                            f"{os.path.join(second_root, name)} has {len(second[name])}; each frame needs one of each"
                            f"{_unmatched_file(first[name], second[name])}")
    return sorted(first)


def read_frame(path, mode="RGB"):
    """An image file as a PIL image of ``mode`` (a UserError naming the file if it cannot be read)."""
    try:
        with Image.open(path) as image:
            return image.convert(mode)
    except (OSError, SyntaxError, ValueError) as error:
        raise UserError(f"{path}: cannot read the frame ({error})") from error


def _unmatched_file(first, second):
    """' (<file> has none)' for the first file whose name (without extension) the other list lacks, else ''."""
    stems = [{os.path.splitext(os.path.basename(path))[0] for path in paths} for paths in (first, second)]
    for paths, other in ((first, stems[1]), (second, stems[0])):
        for path in paths:
            if os.path.splitext(os.path.basename(path))[0] not in other:
                return f" ({path} has none)"
    return ""
