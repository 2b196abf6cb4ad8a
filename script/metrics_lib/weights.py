"""Pretrained weights of the metric networks: from the torch hub cache, or an explicit file.

Each network's weights are found where torchvision / pytorch-fid look for them,
``$TORCH_HOME/hub/checkpoints/<file name of the URL>`` (downloaded there on first use when the
machine is online), unless the user names a file. The file's SHA-256 is the network's identity
in cache keys, so statistics computed with other weights are never reused.
"""
import hashlib
import os
from dataclasses import dataclass

import torch

from util.errors import BadInputError, MissingPathError, UnreadableFileError, UserError

# torchvision's ImageNet classifiers (Inception_V3_Weights.IMAGENET1K_V1, AlexNet_Weights.IMAGENET1K_V1).
TORCHVISION_INCEPTION_URL = "https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth"
TORCHVISION_ALEXNET_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
# The TF "2015-12-05" Inception ported by pytorch-fid (pytorch_fid.inception.FID_WEIGHTS_URL).
PYTORCH_FID_INCEPTION_URL = ("https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
                             "pt_inception-2015-12-05-6726825d.pth")


class MissingWeightsError(UserError, RuntimeError):
    """Weights neither in the hub cache nor downloadable; the message says where to put them."""


@dataclass(frozen=True)
class LoadedWeights:
    """A state_dict and where it came from."""
    state_dict: dict
    path: str
    sha256: str


def file_sha256(path):
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def hub_cache_path(url):
    """Where torch.hub keeps (or would keep) the file of ``url``."""
    return os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(url))


def load_weights(url, explicit_path=None, flag="--weights"):
    """Load a state_dict from ``explicit_path``, else from the hub cache (downloading if absent).

    Args:
        url: the official download URL; its file name is the cache file name.
        explicit_path: a local file that overrides the hub cache, or None.
        flag: the command-line flag of ``explicit_path``, for error messages.
    Returns:
        LoadedWeights.
    """
    if explicit_path is not None:
        if not os.path.isfile(explicit_path):
            raise MissingPathError(f"{flag}: no file at {explicit_path!r}")
        path = explicit_path
    else:
        path = hub_cache_path(url)
        if not os.path.isfile(path):
            try:
                torch.hub.load_state_dict_from_url(url, map_location="cpu", check_hash=True,
                                                   weights_only=True)
            except Exception as error:
                raise MissingWeightsError(
                    f"the weights {os.path.basename(url)} are not in the torch hub cache "
                    f"({path}) and downloading them from {url} failed ({error}); copy the file "
                    f"there (TORCH_HOME sets the cache root) or pass {flag} PATH") from error
    try:
        state_dict = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated or not a torch file: pickle, zip and torch errors alike
        raise UnreadableFileError(f"cannot read the weights file {path!r} ({error}); replace it with a complete "
                                  f"copy of {os.path.basename(url)}") from error
    if not isinstance(state_dict, dict):
        raise BadInputError(f"{path!r} holds a {type(state_dict).__name__}, expected a state_dict")
    return LoadedWeights(state_dict, os.path.abspath(path), file_sha256(path))
