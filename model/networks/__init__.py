"""Building GFLA's networks: one helper that initialises and places any network, and the shipped
configurations of the three kinds every model uses (full generator, flow generator, residual
discriminator). Each model class says which networks it builds in its ``build_networks``.

Replaces GFLA's ``define_g`` / ``define_d`` (original: model/networks/__init__.py), which looked
classes up by name (``--netG``, ``--netD``): here a model names its classes directly. Networks
are built, initialised with ``opt.init_type`` and moved to ``opt.device``; the original moved to
the GPU first, which is why spectral-norm layers keep their default init (see ``base_network``).
"""
import torch

from model.networks.discriminators import ResDiscriminator
from util.distributed import print0


def build_network(network_class, opt, **kwargs):
    """``network_class(**kwargs)``, initialised with ``opt.init_type`` and moved to ``opt.device``.

    Args:
        network_class: a ``BaseNetwork`` subclass.
        opt: options; uses ``init_type`` and ``device`` (default CPU).
        **kwargs: its constructor arguments.
    """
    net = network_class(**kwargs)
    net.init_weights(opt.init_type)
    print0(f"Network [{type(net).__name__}] was created. "
           f"Total number of parameters: {net.num_parameters() / 1e6:.4f} million.")
    return net.to(getattr(opt, 'device', torch.device('cpu')))


def full_generator(network_class, opt):
    """A full generator (pose, face, dance, shapenet) in the shipped configuration (original:
    model/pose_model.py, Pose.__init__, and the other full models): ngf 64, img_f 512, two
    ResBlocks per stage, instance norm, LeakyReLU; depth, attention and channels from ``opt``."""
    return build_network(network_class, opt, image_nc=opt.image_nc, structure_nc=opt.structure_nc, ngf=64,
                         img_f=512, layers=opt.layers, num_blocks=2, use_spect=opt.use_spect_g,
                         attn_layer=opt.attn_layer, norm='instance', activation='LeakyReLU',
                         extractor_kz=opt.kernel_size)


def flow_generator(network_class, opt):
    """A flow pre-training generator (poseflownet, shapenetflownet) as shipped (original:
    model/poseflownet_model.py, PoseFlowNet.__init__): ngf 32, img_f 256, 5 encoder stages."""
    return build_network(network_class, opt, structure_nc=opt.structure_nc, ngf=32, img_f=256, encoder_layer=5,
                         norm='instance', activation='LeakyReLU', attn_layer=opt.attn_layer,
                         use_spect=opt.use_spect_g)


def res_discriminator(opt, layers=4, input_nc=3):
    """A ``ResDiscriminator`` as shipped: ndf 32, img_f 128, spectral norm by ``--use_spect_d``.

    Args:
        layers: downsampling stages (4, the pose model's Market D: 3).
        input_nc: input channels (3 images; the face D_V sees stacked frame differences).
    """
    return build_network(ResDiscriminator, opt, input_nc=input_nc, ndf=32, img_f=128, layers=layers,
                         use_spect=opt.use_spect_d)
