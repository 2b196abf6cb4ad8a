"""Frozen ImageNet VGG19 feature extractor used by the perceptual losses.

Ported from GFLA ``model/networks/external_function.py`` (``VGG19``; snapshot 3afa8fe).
Equivalent for every output the losses use (relu1_1 .. relu5_2). Kept quirk: images in
[-1, 1] are fed as they are, without ImageNet mean/std normalisation. Not kept: the original
put layers 14-15 into its 'relu3_2' slice, so its 'relu3_2' and 'relu3_3' outputs were both
the true relu3_3; no loss reads them, and here every name is the true activation.

Weights come from torchvision (``VGG19_Weights.IMAGENET1K_V1``) through the usual torch.hub
cache under ``$TORCH_HOME/hub/checkpoints`` (downloaded once when missing), from an explicit
file, or are left random for a smoke run without the network (``--vgg_weights``).
"""
import os

import torch
from torch import nn
from torchvision.models import VGG19_Weights, vgg19

from model.checkpoint import load_file
from util.errors import UserError

# index in ``vgg19().features`` of the ReLU that ends each named block
VGG19_RELU_INDEX = {
    'relu1_1': 1, 'relu1_2': 3,
    'relu2_1': 6, 'relu2_2': 8,
    'relu3_1': 11, 'relu3_2': 13, 'relu3_3': 15, 'relu3_4': 17,
    'relu4_1': 20, 'relu4_2': 22, 'relu4_3': 24, 'relu4_4': 26,
    'relu5_1': 29, 'relu5_2': 31,
}


class VGG19(nn.Module):
    """Frozen VGG19 ``features`` up to relu5_2 (the deepest layer the losses use).

    Forward ``(x [B, 3, H, W] in [-1, 1], names)`` returns {name: activation} for the requested
    names of ``VGG19_RELU_INDEX``, running the network only as deep as needed.

    Args:
        weights: None (torchvision's ImageNet weights from the hub cache), a file holding a
            torchvision VGG19 state_dict, or 'random' (untrained: losses are not meaningful).
    """

    def __init__(self, weights=None):
        super().__init__()
        path = None if weights == 'random' else _weights_file(weights)
        net = vgg19(init_weights=False)
        if path is not None:
            net.load_state_dict(load_file(path, advice="replace the file, or pass --vgg_weights PATH"))
        features = net.features
        self.features = features[:max(VGG19_RELU_INDEX.values()) + 1]
        self.requires_grad_(False)
        self.eval()

    def forward(self, x, names):
        unknown = [name for name in names if name not in VGG19_RELU_INDEX]
        if unknown:
            raise ValueError(f"names: unknown VGG19 layers {unknown}; expected some of {list(VGG19_RELU_INDEX)}")
        wanted = {VGG19_RELU_INDEX[name]: name for name in names}
        outputs = {}
        for index, layer in enumerate(self.features[:max(wanted) + 1]):
            x = layer(x)
            if index in wanted:
                outputs[wanted[index]] = x
        return outputs


def _weights_file(weights):
    """The file of ``weights`` (see VGG19), downloading torchvision's into the hub cache when absent."""
    if weights is not None:
        if not os.path.isfile(weights):
            raise UserError(f"--vgg_weights: no file {weights!r}; pass a torchvision VGG19 state_dict file "
                            "or --vgg_weights=random")
        return weights
    url = VGG19_Weights.IMAGENET1K_V1.url
    folder = os.path.join(torch.hub.get_dir(), 'checkpoints')
    path = os.path.join(folder, os.path.basename(url))
    if not os.path.isfile(path):
        try:
            torch.hub.download_url_to_file(url, path, torch.hub.HASH_REGEX.search(os.path.basename(url)).group(1))
        except Exception as error:
            reason = (str(error).splitlines() or [""])[0]
            raise UserError(f"the VGG19 weights of the losses, {os.path.basename(url)}, are not in {folder} and "
                            f"downloading them from {url} failed ({type(error).__name__}: {reason}); copy the file "
                            "there ($TORCH_HOME sets the folder), pass --vgg_weights PATH, or --vgg_weights=random "
                            "for a smoke run whose losses are not meaningful") from error
    return path


def shared_vgg(vgg):
    """``vgg`` if given (to share one frozen instance between losses), else a new ``VGG19``."""
    return VGG19() if vgg is None else vgg
