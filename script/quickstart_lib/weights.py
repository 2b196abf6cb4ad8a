"""The pretrained weights a quick start uses, each from the torch hub cache when it is there.

A missing file is downloaded into the cache (as torchvision would) unless the run is offline; when
it cannot be had, the quick start goes on without it and says so: the losses use a random VGG19
(``--vgg_weights=random``: the run still shows the whole pipeline, but what it learns means
little), LPIPS and FID are left out.
"""
import os
from dataclasses import dataclass
from typing import Optional

import torch
from torchvision.models import VGG19_Weights

from script.metrics_lib.weights import TORCHVISION_ALEXNET_URL, TORCHVISION_INCEPTION_URL, hub_cache_path

VGG19_URL = VGG19_Weights.IMAGENET1K_V1.url


@dataclass(frozen=True)
class Weights:
    """Where a network's weights are: ``path`` (None: not available) and, if not, ``note`` says why."""
    what: str
    path: Optional[str]
    note: Optional[str] = None


def find_weights(what, url, offline):
    """The cached file of ``url``, downloading it first unless ``offline``.

    Args:
        what: the network, for the note (e.g. 'VGG19 (losses)').
        url: torchvision's download URL; the file name is the cache's.
        offline: never try the network.
    Returns:
        Weights; ``path`` is None when the file is neither cached nor downloadable.
    """
    path = hub_cache_path(url)
    if os.path.isfile(path):
        return Weights(what, path)
    if offline:
        return Weights(what, None, f"{os.path.basename(path)} is not in {os.path.dirname(path)} (--offline)")
    try:
        hash_prefix = torch.hub.HASH_REGEX.search(os.path.basename(url)).group(1)
        torch.hub.download_url_to_file(url, path, hash_prefix)
    except Exception as error:  # no network, a proxy, a full disk: all mean "not available"
        reason = (str(error).splitlines() or [""])[0]
        return Weights(what, None, f"{os.path.basename(path)} is not in {os.path.dirname(path)} and downloading "
                                   f"it from {url} failed ({type(error).__name__}: {reason})")
    return Weights(what, path)


def vgg19_weights(offline):
    """The VGG19 of the perceptual and correctness losses."""
    return find_weights("VGG19 (training losses)", VGG19_URL, offline)


def alexnet_weights(offline):
    """The AlexNet trunk of LPIPS."""
    return find_weights("AlexNet (LPIPS)", TORCHVISION_ALEXNET_URL, offline)


def inception_weights(offline):
    """The Inception-v3 of FID (GFLA's protocol)."""
    return find_weights("Inception-v3 (FID)", TORCHVISION_INCEPTION_URL, offline)
