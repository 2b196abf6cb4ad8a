"""Network registry: ``define_g`` / ``define_d`` build a generator / discriminator by name.

Replaces GFLA's ``model/networks/__init__.py`` (``define_g``, ``define_d``, ``create_network``;
snapshot 3afa8fe), which matched class names and called ``exit(0)`` on a miss: here a plain
dict, and an unknown name raises ``ValueError`` listing the valid ones. Networks are built,
initialised with ``opt.init_type`` and moved to ``opt.device``; the original moved to the GPU
first, which is why spectral-norm layers keep their default init (see ``base_network``).
"""
import torch

from model.networks.dance_generator import DanceGenerator
from model.networks.discriminators import ResDiscriminator, TemporalDiscriminator
from model.networks.face_generator import FaceGenerator
from model.networks.pose_generator import PoseFlowNetGenerator, PoseGenerator
from model.networks.shapenet_generator import ShapeNetFlowNetGenerator, ShapeNetGenerator
from util.distributed import print0

GENERATORS = {
    'pose': PoseGenerator,
    'poseflownet': PoseFlowNetGenerator,
    'face': FaceGenerator,
    'dance': DanceGenerator,
    'shapenet': ShapeNetGenerator,
    'shapenetflownet': ShapeNetFlowNetGenerator,
}
DISCRIMINATORS = {
    'res': ResDiscriminator,
    'temporal': TemporalDiscriminator,
}


def _create(registry, kind, opt, name, kwargs):
    """Build ``registry[name](**kwargs)``, initialise it, report its size and move it to the device."""
    if name not in registry:
        raise ValueError(f"unknown {kind} name {name!r}; valid names: {', '.join(registry)}")
    net = registry[name](**kwargs)
    net.init_weights(opt.init_type)
    print0(f"Network [{type(net).__name__}] was created. "
           f"Total number of parameters: {net.num_parameters() / 1e6:.4f} million.")
    return net.to(getattr(opt, 'device', torch.device('cpu')))


def define_g(opt, name=None, **kwargs):
    """Build the generator ``name`` (default ``opt.netG``) with ``kwargs``.

    Args:
        opt: options; uses ``init_type`` and ``device`` (default CPU).
        name: one of ``GENERATORS``.
        **kwargs: constructor arguments of that generator.
    Returns:
        The initialised network on ``opt.device``.
    """
    return _create(GENERATORS, 'generator', opt, opt.netG if name is None else name, kwargs)


def define_d(opt, name=None, **kwargs):
    """Build the discriminator ``name`` (default ``opt.netD``); otherwise as ``define_g``."""
    return _create(DISCRIMINATORS, 'discriminator', opt, opt.netD if name is None else name, kwargs)
