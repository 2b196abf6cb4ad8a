"""Prepare a generator's output folder without ever mixing with, or deleting, files it did not write."""
import os
import shutil


def prepare_output_folder(root, outputs, overwrite, flag="--root"):
    """Create ``root``, refusing a non-empty one unless ``overwrite``, which removes only ``outputs``.

    Args:
        root: the output folder.
        outputs: names (files or folders) inside ``root`` that the generator writes.
        overwrite: replace those outputs of an earlier run; other files are left alone.
        flag: the command-line flag naming ``root``, for the error message.
    Raises:
        FileExistsError: ``root`` holds files and not ``overwrite``.
    """
    if os.path.isdir(root) and os.listdir(root):
        if not overwrite:
            raise FileExistsError(f"{flag} {root} is not empty; choose an empty folder or pass --overwrite")
        for output in outputs:
            path = os.path.join(root, output)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
    os.makedirs(root, exist_ok=True)
