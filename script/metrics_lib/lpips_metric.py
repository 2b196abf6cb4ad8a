"""LPIPS as the papers report it: Zhang et al.'s linearly calibrated AlexNet, version 0.1.

The ``lpips`` package replaces the un-vendored PerceptualSimilarity checkout of the original
(original: script/metrics.py, LPIPS). Its calibration layers ship inside the package; its AlexNet trunk is
torchvision's ImageNet AlexNet, taken here from the torch hub cache (as torchvision would) or
from ``--alexnet_weights``.
"""
import warnings
from importlib import metadata

import lpips

from script.metrics_lib.weights import TORCHVISION_ALEXNET_URL, load_weights


def _trunk_state_dict(alexnet_state_dict, trunk):
    """Map torchvision's ``features.<i>.*`` keys onto lpips' ``slice<k>.<i>.*`` modules."""
    slice_of_layer = {}
    for slice_name, module in trunk.named_children():
        for index in module._modules:
            slice_of_layer[index] = slice_name
    mapped = {}
    for key, value in alexnet_state_dict.items():
        prefix, _, rest = key.partition(".")
        index, _, param = rest.partition(".")
        if prefix == "features" and index in slice_of_layer:
            mapped[f"{slice_of_layer[index]}.{index}.{param}"] = value
    return mapped


def build_lpips(alexnet_weights=None):
    """Build LPIPS (AlexNet, v0.1) in eval mode on the CPU.

    Args:
        alexnet_weights: torchvision AlexNet weights file overriding the hub cache, or None.
    Returns:
        (lpips.LPIPS, dict identifying the weights for the report).
    """
    weights = load_weights(TORCHVISION_ALEXNET_URL, alexnet_weights, "--alexnet_weights")
    with warnings.catch_warnings():
        # lpips builds its trunk with torchvision's deprecated ``pretrained=`` argument.
        warnings.simplefilter("ignore", UserWarning)
        model = lpips.LPIPS(net="alex", version="0.1", pretrained=True, pnet_rand=True, verbose=False)
    model.net.load_state_dict(_trunk_state_dict(weights.state_dict, model.net), strict=True)
    identity = {"network": f"lpips {metadata.version('lpips')} alex v0.1",
                "alexnet_weights_file": weights.path, "alexnet_weights_sha256": weights.sha256}
    return model.eval().requires_grad_(False), identity


def lpips_distances(model, generated, target, mask=None):
    """Per-image LPIPS between uint8 image batches.

    Args:
        model: from ``build_lpips``, on the images' device.
        generated, target: uint8 [B, 3, H, W].
        mask: bool [B, H, W] body masks, or None; both images (in [-1, 1]) are multiplied by it,
            as the original's Mask-LPIPS.
    Returns:
        float64 tensor [B] on the CPU.
    """
    images = [x.float() / 127.5 - 1 for x in (generated, target)]
    if mask is not None:
        images = [x * mask.unsqueeze(1).to(x.dtype) for x in images]
    return model(*images).flatten().double().cpu()
