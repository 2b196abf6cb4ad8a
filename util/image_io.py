"""Tensor-to-uint8 conversions for visuals and atomic image writing.

The conversions follow the original's ``tensor2im`` (original: util/util.py): the first sample of a
batch, ``(x + 1) / 2 * 255`` truncated towards zero, channels last.
"""
import io
import os

import numpy as np
import torch
from PIL import Image

from util.atomic import atomic_path


def first_sample(tensor, name="tensor", channels=None):
    """Return the first sample of ``tensor`` as a float64 NumPy array [C, H, W].

    Args:
        tensor: torch.Tensor [C, H, W] or [B, C, H, W] (B >= 1).
        name: what the tensor is, for error messages.
        channels: the required C, or None for any.
    Returns:
        np.ndarray float64 [C, H, W], detached and on the CPU.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor [C, H, W] or [B, C, H, W], got {type(tensor).__name__}")
    if tensor.dim() == 4:
        if tensor.shape[0] == 0:
            raise ValueError(f"{name} has an empty batch: shape {tuple(tensor.shape)}")
        tensor = tensor[0]
    if tensor.dim() != 3:
        raise ValueError(f"{name} must be [C, H, W] or [B, C, H, W], got shape {tuple(tensor.shape)}")
    if channels is not None and tensor.shape[0] != channels:
        raise ValueError(f"{name} must have {channels} channels, got shape {tuple(tensor.shape)}")
    return tensor.detach().cpu().double().numpy()


def tensor_to_uint8(tensor):
    """Convert an image in [-1, 1] to uint8, as the original's ``tensor2im``.

    Values outside [-1, 1] are clipped first (the original's uint8 cast wrapped them around).

    Args:
        tensor: torch.Tensor [C, H, W] or [B, C, H, W] in [-1, 1]; only sample 0 is used.
    Returns:
        np.ndarray uint8 [H, W, C], ``floor((x + 1) / 2 * 255)``.
    """
    image = first_sample(tensor, "image")
    image = np.clip((image + 1.0) / 2.0 * 255.0, 0.0, 255.0)
    return np.ascontiguousarray(image.transpose(1, 2, 0)).astype(np.uint8)


def mask_to_uint8(tensor):
    """Convert a one-channel mask in [0, 1] to a grey uint8 image.

    Unlike the original, which passed masks through ``tensor2im`` and so showed them in
    [127, 255], 0 is black and 1 is white, using the whole grey range.

    Args:
        tensor: torch.Tensor [1, H, W] or [B, 1, H, W] in [0, 1] (clipped); only sample 0 is used.
    Returns:
        np.ndarray uint8 [H, W, 3], ``floor(x * 255)`` in every channel.
    """
    mask = first_sample(tensor, "mask", channels=1)[0]
    grey = np.clip(mask * 255.0, 0.0, 255.0).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def save_image(array, path):
    """Write a uint8 image atomically; the format follows the extension (.png, .jpg, ...).

    JPEG uses Pillow's default quality 75, as the original's imageio.

    Args:
        array: np.ndarray uint8 [H, W], [H, W, 1] or [H, W, 3].
        path: target file; its folder is created if needed.
    """
    if not isinstance(array, np.ndarray) or array.dtype != np.uint8:
        got = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise TypeError(f"save_image: array must be a uint8 np.ndarray, got {got}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)):
        raise ValueError(f"save_image: array must be [H, W], [H, W, 1] or [H, W, 3], got shape {array.shape}")
    extension = os.path.splitext(path)[1].lower()
    image_format = Image.registered_extensions().get(extension)
    if image_format is None:
        raise ValueError(f"save_image: cannot tell the image format from the extension of {path!r}")
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=image_format)
    with atomic_path(path) as temp_path:
        with open(temp_path, "wb") as handle:
            handle.write(buffer.getvalue())
