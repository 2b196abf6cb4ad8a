"""Random-weight stand-ins for downloaded weights, for offline tests and benchmarks: files of the
right architecture written where torchvision's normal loading path looks for them. The weights
come from ``seed`` (the global random state is left as it was), so two invocations of a benchmark
train against the same stand-in networks and can be compared step for step."""
import os

import torch

VGG19_FILE = "vgg19-dcbb9e9d.pth"  # the name torchvision's VGG19_Weights.IMAGENET1K_V1 caches under
ALEXNET_FILE = "alexnet-owt-7be5be79.pth"  # AlexNet_Weights.IMAGENET1K_V1 (LPIPS' trunk)


def _write_random(torch_home, file_name, make_state_dict, seed):
    """Save ``make_state_dict()``, built from ``seed``, as ``<torch_home>/hub/checkpoints/<file_name>``;
    returns its path."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        state_dict = make_state_dict()
    folder = os.path.join(torch_home, "hub", "checkpoints")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, file_name)
    torch.save(state_dict, path)
    return path


def write_random_vgg19(torch_home, seed=0):
    """Write a random-weight VGG19 state_dict to ``<torch_home>/hub/checkpoints``; returns its path."""
    import torchvision
    return _write_random(torch_home, VGG19_FILE, lambda: torchvision.models.vgg19().state_dict(), seed)


def write_random_alexnet(torch_home, seed=0):
    """Write a random-weight AlexNet state_dict to ``<torch_home>/hub/checkpoints``; returns its path."""
    import torchvision
    return _write_random(torch_home, ALEXNET_FILE, lambda: torchvision.models.alexnet().state_dict(), seed)


def random_keypoint_rcnn_state_dict(blind=False):
    """A random-weight Keypoint R-CNN state_dict in the layout of torchvision's COCO file.

    Args:
        blind: make the person class so unlikely that the detector finds nobody (for tests of
            the no-person path; random weights otherwise find arbitrary people).
    """
    from util.keypoint_detector import build_keypoint_rcnn
    state_dict = build_keypoint_rcnn().state_dict()
    if blind:
        state_dict["roi_heads.box_predictor.cls_score.weight"].zero_()
        state_dict["roi_heads.box_predictor.cls_score.bias"].copy_(torch.tensor([0.0, -100.0]))
    return state_dict


def write_random_keypoint_rcnn(torch_home, seed=0):
    """Write a random-weight Keypoint R-CNN to ``<torch_home>/hub/checkpoints`` under torchvision's
    file name for its COCO weights; returns its path."""
    from util.keypoint_detector import WEIGHTS_FILE
    return _write_random(torch_home, WEIGHTS_FILE, random_keypoint_rcnn_state_dict, seed)
