"""Random-weight stand-ins for downloaded weights, for offline tests and benchmarks: files of the
right architecture written where torchvision's normal loading path looks for them."""
import os

import torch

VGG19_FILE = "vgg19-dcbb9e9d.pth"  # the name torchvision's VGG19_Weights.IMAGENET1K_V1 caches under


def write_random_vgg19(torch_home):
    """Write a random-weight VGG19 state_dict to ``<torch_home>/hub/checkpoints``; returns its path."""
    import torchvision
    folder = os.path.join(torch_home, "hub", "checkpoints")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, VGG19_FILE)
    torch.save(torchvision.models.vgg19().state_dict(), path)
    return path
