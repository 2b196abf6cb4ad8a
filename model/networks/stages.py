"""Encoder stages shared by the source, target and flow networks.

GFLA names encoder stages flatly on their parent network (``block0``, ``encoder0``,
``encoder1``, ... — original: the released checkpoints' key names), so they are registered by these helpers rather than
wrapped in a sub-module, which would change the checkpoint keys.
Ported from the encoder loops of GFLA ``model/networks/generator.py`` (``PoseSourceNet``,
``PoseTargetNet``, ``PoseFlowNet``; snapshot 3afa8fe); same channel schedule.
"""
from model.networks.blocks import EncoderBlock


def add_encoder(module, input_nc, ngf, img_f, num_layers, norm_layer, nonlinearity, use_spect):
    """Register ``block0`` and ``encoder0`` .. ``encoder{num_layers-2}`` (EncoderBlocks) on ``module``.

    Stage i > 0 has ``ngf * min(2**i, img_f // ngf)`` output channels; ``block0`` has ``ngf``.
    Each stage halves the resolution.

    Returns:
        The channel count of the last stage.
    """
    channels = ngf
    module.block0 = EncoderBlock(input_nc, channels, norm_layer, nonlinearity, use_spect)
    for i in range(num_layers - 1):
        out_channels = ngf * min(2 ** (i + 1), img_f // ngf)
        setattr(module, f'encoder{i}', EncoderBlock(channels, out_channels, norm_layer, nonlinearity, use_spect))
        channels = out_channels
    return channels


def run_encoder(module, x, num_layers):
    """Outputs of ``block0``, ``encoder0``, ... of ``module`` for input ``x``, shallowest first."""
    features = [module.block0(x)]
    for i in range(num_layers - 1):
        features.append(getattr(module, f'encoder{i}')(features[-1]))
    return features
