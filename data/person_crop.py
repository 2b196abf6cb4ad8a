"""A photographed person moved into a dataset's frame: the crop window, the image and the keypoints.

The datasets' frames (``--old_size``, the annotation frame): Market-1501's are a pedestrian
detector's boxes resized to 128x64 (h x w), the person filling the height with a few pixels to
spare; DeepFashion's are studio photos, 256x176 after cutting the 256x256 images' side bands, the
person centred from head to feet. A photo is framed alike: the person's detection box, widened on
every side by a margin (a fraction of the box height), grown in width or height to the frame's
aspect ratio about its centre, cut out (the photo's border pixels repeated where the window leaves
the photo) and resized to the frame. Coordinates are continuous, pixel i covering [i, i + 1).
"""
import argparse
import math

import numpy as np
from PIL import Image

import data

# Margin above the head and below the feet (and beside the box), as a fraction of the box height.
FRAME_MARGINS = {"fashion": 0.04, "market": 0.03}


def dataset_frame(dataset_mode):
    """The annotation frame (height, width) of a pair dataset: its ``--old_size`` default."""
    parser = argparse.ArgumentParser()
    data.get_option_setter(dataset_mode)(parser, False)
    return tuple(parser.get_default("old_size"))


def crop_window(box, frame_size, margin):
    """The window around a person that has the frame's aspect ratio.

    Args:
        box: (x0, y0, x1, y1), the person's box in image coordinates.
        frame_size: (height, width) of the frame.
        margin: space added on every side, as a fraction of the box height.
    Returns:
        (top, left, height, width) in image coordinates; may reach outside the image.
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    pad = margin * (y1 - y0)
    height, width = (y1 - y0) + 2 * pad, (x1 - x0) + 2 * pad
    aspect = frame_size[0] / frame_size[1]
    if height < width * aspect:
        height = width * aspect
    else:
        width = height / aspect
    return ((y0 + y1 - height) / 2, (x0 + x1 - width) / 2, height, width)


def whole_image_window(image):
    """The window of the whole PIL image: it is stretched to the frame, as the loaders stretch."""
    return (0.0, 0.0, float(image.height), float(image.width))


def crop_to_frame(image, window, frame_size):
    """Cut ``window`` out of a PIL RGB image and resize it to ``frame_size`` (h, w), bicubic, antialiased.

    Where the window leaves the image, the image's border pixels are repeated.
    """
    top, left, height, width = window
    pads = [max(0, math.ceil(-top)), max(0, math.ceil(top + height - image.height)),
            max(0, math.ceil(-left)), max(0, math.ceil(left + width - image.width))]
    if any(pads):
        padded = np.pad(np.asarray(image), ((pads[0], pads[1]), (pads[2], pads[3]), (0, 0)), mode="edge")
        image, top, left = Image.fromarray(padded), top + pads[0], left + pads[2]
    box = (left, top, min(left + width, image.width), min(top + height, image.height))
    return image.resize((frame_size[1], frame_size[0]), resample=Image.BICUBIC, box=box)


def points_to_frame(points, window, frame_size):
    """Move points from image coordinates into the frame's pixel grid.

    Args:
        points: float array [J, 2] of (y, x) image coordinates, NaN for missing.
        window: (top, left, height, width) cut out to make the frame.
        frame_size: (height, width) of the frame.
    Returns:
        int64 array [J, 2] of (row, col) in the frame, the annotation format: -1 for missing joints
        and for joints outside the frame.
    """
    top, left, height, width = window
    points = np.asarray(points, dtype=np.float64)
    scaled = (points - [top, left]) * [frame_size[0] / height, frame_size[1] / width]
    inside = np.isfinite(scaled).all(axis=1) & (scaled >= 0).all(axis=1) & (scaled < frame_size).all(axis=1)
    pixels = np.full(points.shape, -1, dtype=np.int64)
    pixels[inside] = np.floor(scaled[inside]).astype(np.int64)
    return pixels
