"""The networks of each model and their constructor arguments, as plain data.

Reproduces the ``define_g`` / ``define_d`` calls of GFLA's models (original: model/*_model.py; the
``define_call`` of every released checkpoint manifest). Differences: the architecture follows
``opt.model`` (the original's ``--netG`` / ``--netD`` never changed it in a working
configuration), and discriminators are built only for training unless asked for (the original
also built them for testing, where they are unused).
"""
from model.networks import define_d, define_g

# pose model: discriminator depth by dataset (original: model/pose_model.py, Pose; other datasets had no D)
POSE_D_LAYERS = {'fashion': 4, 'market': 3}
D_LAYERS = 4  # discriminators of every other model


def _generator(opt, name):
    """A full generator (pose, face, dance, shapenet) with the shipped configuration."""
    return define_g(opt, name, image_nc=opt.image_nc, structure_nc=opt.structure_nc, ngf=64, img_f=512,
                    layers=opt.layers, num_blocks=2, use_spect=opt.use_spect_g, attn_layer=opt.attn_layer,
                    norm='instance', activation='LeakyReLU', extractor_kz=opt.kernel_size)


def _flow_generator(opt, name):
    """A flow pre-training generator (poseflownet, shapenetflownet)."""
    return define_g(opt, name, structure_nc=opt.structure_nc, ngf=32, img_f=256, encoder_layer=5,
                    norm='instance', activation='LeakyReLU', attn_layer=opt.attn_layer,
                    use_spect=opt.use_spect_g)


def _res_discriminator(opt, layers, input_nc=3):
    return define_d(opt, 'res', input_nc=input_nc, ndf=32, img_f=128, layers=layers, use_spect=opt.use_spect_d)


def _pose(opt, with_d):
    nets = {'G': _generator(opt, 'pose')}
    if with_d:
        if opt.dataset_mode not in POSE_D_LAYERS:
            raise ValueError(f"--dataset_mode: the pose model has a discriminator for "
                             f"{sorted(POSE_D_LAYERS)}, got {opt.dataset_mode!r}")
        nets['D'] = _res_discriminator(opt, POSE_D_LAYERS[opt.dataset_mode])
    return nets


def _face(opt, with_d):
    nets = {'G': _generator(opt, 'face')}
    if with_d:
        nets['D'] = _res_discriminator(opt, D_LAYERS)
        # D_V sees frames_D_V - 1 consecutive frame differences stacked on channels
        nets['D_V'] = _res_discriminator(opt, D_LAYERS, input_nc=(opt.frames_D_V - 1) * opt.image_nc)
    return nets


def _dance(opt, with_d):
    nets = {'G': _generator(opt, 'dance')}
    if with_d:
        nets['D'] = _res_discriminator(opt, D_LAYERS)
        nets['D_V'] = define_d(opt, 'temporal', input_length=opt.frames_D_V, ndf=32, img_f=128,
                               layers=D_LAYERS, use_spect=opt.use_spect_d)
    return nets


def _shapenet(opt, with_d):
    nets = {'G': _generator(opt, 'shapenet')}
    if with_d:
        nets['D'] = _res_discriminator(opt, D_LAYERS)
    return nets


BUILDERS = {
    'pose': _pose,
    'pose_flow': lambda opt, with_d: {'G': _flow_generator(opt, 'poseflownet')},
    'face': _face,
    'dance': _dance,
    'shapenet': _shapenet,
    'shapenetflow': lambda opt, with_d: {'G': _flow_generator(opt, 'shapenetflownet')},
}


def build_networks(opt, discriminators=None):
    """Build, initialise and place the networks of the model ``opt.model``.

    Args:
        opt: parsed options (``model``, ``image_nc``, ``structure_nc``, ``attn_layer``,
            ``kernel_size``, ``use_spect_g``; for full models ``layers``; with discriminators
            ``use_spect_d``, ``dataset_mode`` (pose) and ``frames_D_V`` (face, dance);
            ``init_type``, ``device``).
        discriminators: also build D (and D_V); default ``opt.isTrain``. Flow pre-training
            models have no discriminator.
    Returns:
        {'G': generator[, 'D': discriminator[, 'D_V': temporal discriminator]]}.
    """
    if opt.model not in BUILDERS:
        raise ValueError(f"opt.model: no networks for model {opt.model!r}; valid models: {', '.join(BUILDERS)}")
    with_d = opt.isTrain if discriminators is None else discriminators
    return BUILDERS[opt.model](opt, with_d)
