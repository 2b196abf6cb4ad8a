"""The two Inception-v3 feature extractors behind FID's two protocols.

``gfla``: what GFLA, DPTN, PIDM and CFLD report. torchvision's ImageNet classifier
(``Inception_V3_Weights.IMAGENET1K_V1``), run block by block as the 2018 pytorch-fid did
(GFLA ``script/inception.py``, original: script/metrics.py and script/inception.py, FID), so torchvision's own ``transform_input`` is
never applied. Input [0, 1] is resized bilinearly to 299x299 (``align_corners=False``, the
default of torch >= 0.4.1 that the original ran with) and then mapped per channel by
``x * std / 0.5 + (mean - 0.5) / 0.5``: torchvision's conversion *from* ImageNet-normalised input,
applied to [0, 1] input. That is a quirk of the 2018 code, kept because it defines the numbers.

``standard``: the usual FID, pytorch-fid's port of the TF "2015-12-05" Inception
(``pt_inception-2015-12-05-6726825d.pth``) with pytorch-fid's own input handling (bilinear
resize to 299, ``2x - 1``).

Both return the 2048-d output of the final average pool for images in [0, 1].
"""
from importlib import metadata
from unittest import mock

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from script.metrics_lib.weights import (PYTORCH_FID_INCEPTION_URL, TORCHVISION_INCEPTION_URL,
                                        load_weights)

PROTOCOLS = ("gfla", "standard")
FEATURE_DIMS = 2048
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


class GflaInception(nn.Module):
    """torchvision ImageNet Inception-v3 pool features with the 2018 pytorch-fid input handling."""

    def __init__(self, state_dict):
        super().__init__()
        net = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
        net.load_state_dict(state_dict)
        self.features = nn.Sequential(
            net.Conv2d_1a_3x3, net.Conv2d_2a_3x3, net.Conv2d_2b_3x3, nn.MaxPool2d(3, stride=2),
            net.Conv2d_3b_1x1, net.Conv2d_4a_3x3, nn.MaxPool2d(3, stride=2),
            net.Mixed_5b, net.Mixed_5c, net.Mixed_5d,
            net.Mixed_6a, net.Mixed_6b, net.Mixed_6c, net.Mixed_6d, net.Mixed_6e,
            net.Mixed_7a, net.Mixed_7b, net.Mixed_7c, nn.AdaptiveAvgPool2d(1))
        std = torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1)
        mean = torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1)
        self.register_buffer("scale", std / 0.5)
        self.register_buffer("shift", (mean - 0.5) / 0.5)

    def forward(self, images):
        """Args: images [B, 3, H, W] in [0, 1]. Returns: features [B, 2048]."""
        x = F.interpolate(images, size=(299, 299), mode="bilinear", align_corners=False)
        return self.features(x * self.scale + self.shift).flatten(1)


class StandardInception(nn.Module):
    """pytorch-fid's FID Inception (TF 2015-12-05 weights), final pool features."""

    def __init__(self, state_dict):
        super().__init__()
        import pytorch_fid.inception  # only this protocol needs the package
        # pytorch-fid fetches its weights itself, from the hub cache only; hand it the state_dict
        # we resolved (hub cache or --inception_weights) so both sources take one path.
        with mock.patch.object(pytorch_fid.inception, "load_state_dict_from_url",
                               lambda *args, **kwargs: state_dict):
            self.net = pytorch_fid.inception.InceptionV3(
                [pytorch_fid.inception.InceptionV3.BLOCK_INDEX_BY_DIM[FEATURE_DIMS]],
                resize_input=True, normalize_input=True, use_fid_inception=True)

    def forward(self, images):
        """Args: images [B, 3, H, W] in [0, 1]. Returns: features [B, 2048]."""
        return self.net(images)[0].flatten(1)


def _installed_version(package):
    """The installed version of ``package`` (without importing it), or 'not installed'."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


_NETWORKS = {
    "gfla": (GflaInception, TORCHVISION_INCEPTION_URL,
             "torchvision ImageNet Inception-v3; bilinear 299 (align_corners=False); "
             "x*std/0.5+(mean-0.5)/0.5"),
    "standard": (StandardInception, PYTORCH_FID_INCEPTION_URL,
                 f"pytorch-fid {_installed_version('pytorch-fid')} FID Inception; "
                 "bilinear 299 (align_corners=False); 2x-1"),
}


def build_inception(protocol, weights_path=None):
    """Build the FID feature extractor of ``protocol``, in eval mode on the CPU.

    Args:
        protocol: ``'gfla'`` or ``'standard'``.
        weights_path: a weights file overriding the hub cache (``--inception_weights``), or None.
    Returns:
        (nn.Module mapping [B, 3, H, W] in [0, 1] to [B, 2048], dict identifying the network
        and its input handling, for statistics cache keys and the report).
    """
    if protocol not in _NETWORKS:
        raise ValueError(f"--protocol must be one of {PROTOCOLS}, got {protocol!r}")
    network_class, url, input_handling = _NETWORKS[protocol]
    weights = load_weights(url, weights_path, "--inception_weights")
    network = network_class(weights.state_dict).eval().requires_grad_(False)
    identity = {"protocol": protocol, "weights_file": weights.path, "weights_sha256": weights.sha256,
                "input_handling": input_handling, "dims": FEATURE_DIMS}
    return network, identity
