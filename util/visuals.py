"""Turn a model's current visuals (raw tensors) into pictures for the Visualizer.

The rules follow the original's ``get_current_visuals`` (original: model/base_model.py, BaseModel.get_current_visuals), applied to the
first sample of the batch:

* a name containing ``flow``: a 2-channel flow field, drawn with the colour wheel (util.flow_vis);
* 18 channels: pose heatmaps, drawn as a skeleton (util.pose_draw);
* 1 channel: a mask in [0, 1], drawn in grey (black = 0, white = 1);
* 3 channels: an image in [-1, 1].

Anything else is an error: the original's label maps, 21-channel and 16-channel face visuals
belong to models this project does not port.
"""
from collections import OrderedDict

import torch

from util.flow_vis import flow2color
from util.image_io import first_sample, mask_to_uint8, tensor_to_uint8
from util.pose_draw import draw_pose_from_map
from util.skeleton import NUM_JOINTS


def visual_to_image(name, tensor):
    """Convert one visual; ``name`` picks the flow rule and appears in errors.

    Args:
        name: the visual's name, e.g. 'img_gen' or 'flow_fields0'.
        tensor: torch.Tensor [C, H, W] or [B, C, H, W]; only sample 0 is used.
    Returns:
        np.ndarray uint8 [H, W, 3].
    """
    array = first_sample(tensor, f"visual {name!r}")
    channels = array.shape[0]
    if "flow" in name:
        if channels != 2:
            raise ValueError(
                f"visual {name!r} is a flow field and must have 2 channels, got shape {tuple(tensor.shape)}")
        return flow2color(tensor)
    if channels == NUM_JOINTS:
        return draw_pose_from_map(array)
    if channels == 1:
        return mask_to_uint8(tensor)
    if channels == 3:
        return tensor_to_uint8(tensor)
    raise ValueError(
        f"visual {name!r} has {channels} channels (shape {tuple(tensor.shape)}); expected 3 (image), "
        f"1 (mask), {NUM_JOINTS} (pose heatmaps) or 2 with 'flow' in the name (flow field)")


def visuals_to_images(visuals):
    """Convert a model's visuals into named uint8 pictures.

    Args:
        visuals: mapping name -> torch.Tensor [C, H, W] / [B, C, H, W], or a list/tuple of them;
            a list ``flow_fields`` expands to ``flow_fields0``, ``flow_fields1``, ...
    Returns:
        OrderedDict name -> np.ndarray uint8 [H, W, 3], in the visuals' order.
    """
    images = OrderedDict()
    for name, value in visuals.items():
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                images[f"{name}{index}"] = visual_to_image(f"{name}{index}", item)
        elif isinstance(value, torch.Tensor):
            images[name] = visual_to_image(name, value)
        else:
            raise TypeError(
                f"visual {name!r} must be a torch.Tensor or a list of them, got {type(value).__name__}")
    return images
