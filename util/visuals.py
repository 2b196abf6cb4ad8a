"""Drawers that turn one visual of a model (a tensor) into an RGB picture for the Visualizer.

Each model declares how each of its visuals is drawn (``visual_drawers``: name -> drawer), so
nothing is guessed from channel counts (the original guessed, original: model/base_model.py,
BaseModel.get_current_visuals). A drawer takes the visual ([C, H, W], or a batch of which sample
0 is drawn) and its name (for errors) and returns np.ndarray uint8 [H', W', 3]:

* ``draw_image``: a 3-channel image in [-1, 1];
* ``draw_mask``: a 1-channel mask in [0, 1], in grey (black = 0, white = 1);
* ``draw_pose``: 18 joint heatmaps, as a skeleton (util.pose_draw);
* ``draw_flow``: a 2-channel flow field, with the colour wheel (util.flow_vis);
* ``draw_structure``: any number of structure channels (e.g. skeleton channels) as their maximum,
  dark on white; ``structure_drawer(channels)`` draws chosen ones (e.g. ``[0]``, a face's edge map);
* ``draw_view_code``: a 21-channel one-hot view code (18 azimuths, 3 elevations) as a dial and text;
* ``keypoint_drawer(limbs)``: a keypoint sequence [34, T] (17 y then 17 x rows in [-1, 1]) as a
  few of its frames' skeletons side by side;
* ``frame_strip(drawer)``: a clip [T, C, H, W] (or a batch [B, T, C, H, W]) as its frames drawn
  side by side.
"""
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image, ImageDraw
from skimage.draw import circle_perimeter, line

from data.skeleton_maps import NUM_JOINTS as ANIMATION_JOINTS
from data.skeleton_maps import keypoint_pictures
from util.flow_vis import flow2color
from util.image_io import first_sample, mask_to_uint8, tensor_to_uint8
from util.pose_draw import draw_pose_from_map
from util.skeleton import NUM_JOINTS

AZIMUTHS, ELEVATIONS = 18, 3  # view codes: azimuth 0, 20, ..., 340 degrees; elevation 0, 10, 20
AZIMUTH_STEP, ELEVATION_STEP = 20, 10
KEYPOINT_PICTURE = (256, 256)  # height, width of a skeleton drawn from keypoints (the original's)
VIEW_PICTURE = (64, 80)  # height, width of a drawn view code
STRIP_GAP = 2  # white pixels between the frames of a strip


def draw_image(tensor, name="image"):
    """A 3-channel image in [-1, 1], as the original's ``tensor2im``."""
    first_sample(tensor, f"visual {name!r}", channels=3)
    return tensor_to_uint8(tensor)


def draw_mask(tensor, name="mask"):
    """A 1-channel mask in [0, 1] in grey."""
    first_sample(tensor, f"visual {name!r}", channels=1)
    return mask_to_uint8(tensor)


def draw_pose(tensor, name="pose"):
    """18 joint heatmaps as a skeleton."""
    return draw_pose_from_map(first_sample(tensor, f"visual {name!r}", channels=NUM_JOINTS))


def draw_flow(tensor, name="flow"):
    """A 2-channel flow field (channel 0 = x) with the colour wheel."""
    first_sample(tensor, f"visual {name!r}", channels=2)
    return flow2color(tensor)


def structure_drawer(channels=None):
    """A drawer of structure maps: channels ``channels`` (a list of indices; None: all), values in
    [0, 1] (clipped), drawn as ``floor((1 - their maximum) * 255)``: dark on white."""

    def draw(tensor, name="structure"):
        maps = first_sample(tensor, f"visual {name!r}")
        if channels is not None:
            if max(channels) >= len(maps):
                raise ValueError(f"visual {name!r} must have more than {max(channels)} channels, "
                                 f"got shape {maps.shape}")
            maps = maps[list(channels)]
        strongest = np.clip(maps.max(axis=0), 0.0, 1.0)
        grey = ((1.0 - strongest) * 255.0).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)

    return draw


draw_structure = structure_drawer()


def view_angles(code, name="view code"):
    """(azimuth, elevation) in degrees of a one-hot view code [21, h, w] (or a batch of them).

    Azimuth = 20 * the hot one of the first 18 channels, elevation = 10 * the hot one of the last 3
    (summed over the spatial positions), inverting the code of original: model/shapenet_model.py,
    obtain_shape_net_semantic: one_hot(azimuth // 20, 18) and one_hot(elevation // 10, 3).
    """
    channels = first_sample(code, f"visual {name!r}", channels=AZIMUTHS + ELEVATIONS).sum(axis=(1, 2))
    return (AZIMUTH_STEP * int(channels[:AZIMUTHS].argmax()),
            ELEVATION_STEP * int(channels[AZIMUTHS:].argmax()))


def draw_view_code(tensor, name="view code"):
    """A view code as a dial (a line from the centre towards the azimuth, 0 degrees to the right,
    counter-clockwise) above the text ``az <degrees> el <degrees>``; [64, 80, 3]."""
    azimuth, elevation = view_angles(tensor, name)
    height, width = VIEW_PICTURE
    picture = np.full((height, width, 3), 255, dtype=np.uint8)
    centre_row, centre_col, radius = 24, width // 2, 20
    rows, cols = circle_perimeter(centre_row, centre_col, radius, shape=picture.shape[:2])
    picture[rows, cols] = 160
    angle = np.deg2rad(azimuth)
    end_row = int(round(centre_row - radius * np.sin(angle)))
    end_col = int(round(centre_col + radius * np.cos(angle)))
    rows, cols = line(centre_row, centre_col, end_row, end_col)
    picture[rows, cols] = (220, 0, 0)
    image = Image.fromarray(picture)
    ImageDraw.Draw(image).text((4, height - 16), f"az {azimuth} el {elevation}", fill=(0, 0, 0))
    return np.asarray(image).copy()


def frame_strip(drawer):
    """A drawer of clips: each frame of [T, C, H, W] (or sample 0 of [B, T, C, H, W]) drawn by
    ``drawer``, side by side with ``STRIP_GAP`` white pixels between them."""

    def draw_frames(tensor, name="clip"):
        if not isinstance(tensor, torch.Tensor) or tensor.dim() not in (4, 5) or 0 in tensor.shape[:-3]:
            got = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            raise ValueError(f"visual {name!r} (a clip) must be [T, C, H, W] or [B, T, C, H, W], got {got}")
        clip = tensor[0] if tensor.dim() == 5 else tensor
        return side_by_side([drawer(frame, f"{name}[{index}]") for index, frame in enumerate(clip)])

    return draw_frames


def keypoint_drawer(limbs, frames=4):
    """A drawer of keypoint sequences [34, T] (or a batch [B, 34, T]): ``frames`` evenly spaced
    frames (first and last included), each as its skeleton (data.skeleton_maps.keypoint_pictures:
    grey limbs ``limbs``, joints in label colours, on black, 256 x 256), side by side."""

    def draw_keypoints(tensor, name="keypoints"):
        rows = 2 * ANIMATION_JOINTS
        if not isinstance(tensor, torch.Tensor) or tensor.dim() not in (2, 3) or tensor.shape[-2] != rows \
                or 0 in tensor.shape:
            got = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            raise ValueError(f"visual {name!r} (keypoints) must be [{rows}, T] or [B, {rows}, T], got {got}")
        sequence = (tensor[0] if tensor.dim() == 3 else tensor).detach().cpu()
        chosen = np.unique(np.linspace(0, sequence.shape[1] - 1, frames).round().astype(int))
        return side_by_side(keypoint_pictures(sequence[:, chosen], limbs, KEYPOINT_PICTURE))

    return draw_keypoints


def side_by_side(pictures):
    """uint8 pictures [H, W_i, 3] of one height joined left to right, ``STRIP_GAP`` white pixels apart."""
    gap = np.full((pictures[0].shape[0], STRIP_GAP, 3), 255, dtype=np.uint8)
    return np.concatenate([part for picture in pictures for part in (gap, picture)][1:], axis=1)


def visuals_to_images(visuals, drawers):
    """Draw a model's visuals.

    Args:
        visuals: mapping name -> torch.Tensor, or a list/tuple of them (e.g. one flow per
            attention layer: ``flow_fields`` expands to ``flow_fields0``, ``flow_fields1``, ...).
        drawers: mapping name -> drawer (the model's ``visual_drawers``).
    Returns:
        OrderedDict name -> np.ndarray uint8 [H, W, 3], in the visuals' order.
    """
    images = OrderedDict()
    for name, value in visuals.items():
        if name not in drawers:
            raise ValueError(f"visual {name!r} has no drawer; declare one in the model's visual_drawers "
                           f"(it has {sorted(drawers)})")
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                images[f"{name}{index}"] = drawers[name](item, f"{name}{index}")
        else:
            images[name] = drawers[name](value, name)
    return images
