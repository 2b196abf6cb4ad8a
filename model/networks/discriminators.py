"""Discriminators: ``ResDiscriminator`` (registry ``res``) and ``TemporalDiscriminator`` (``temporal``).

Ported from GFLA ``model/networks/discriminator.py`` (snapshot 3afa8fe). Equivalent: same
keys, shapes and forward (original: model/networks/discriminator.py). Kept: no norm layers by default, so the first op
is the activation on raw pixels; the final 1x1 conv is always spectrally normalised, whatever
``use_spect``; the score map has no sigmoid. ``PatchDiscriminator`` (unused) is not ported.
"""
from torch import nn

from model.networks.base_network import BaseNetwork
from model.networks.blocks import ResBlock3DEncoder, ResBlockEncoder
from model.networks.norm_act import get_nonlinearity_layer, get_norm_layer


class ResDiscriminator(BaseNetwork):
    """Residual patch discriminator.

    Args:
        input_nc: input channels (3; 6 for face ``D_V`` on two frame differences).
        ndf, img_f: base and maximum channels; stage i > 0 has ``ndf * min(2**i, img_f//ndf)``.
        layers: number of downsampling stages.
        norm, activation, use_spect: as ``FlowEstimator``.
    Shapes: [B, input_nc, H, W] -> [B, 1, H / 2**layers, W / 2**layers] scores.
    """

    def __init__(self, input_nc=3, ndf=64, img_f=1024, layers=6, norm='none', activation='LeakyReLU',
                 use_spect=True):
        super().__init__()
        self.layers = layers
        norm_layer = get_norm_layer(norm)
        self.nonlinearity = get_nonlinearity_layer(activation)
        self.block0 = ResBlockEncoder(input_nc, ndf, ndf, norm_layer, self.nonlinearity, use_spect)
        channels = ndf
        for i in range(layers - 1):
            out_channels = ndf * min(2 ** (i + 1), img_f // ndf)
            setattr(self, f'encoder{i}', ResBlockEncoder(channels, out_channels, channels, norm_layer,
                                                         self.nonlinearity, use_spect))
            channels = out_channels
        self.conv = nn.utils.spectral_norm(nn.Conv2d(channels, 1, 1))

    def forward(self, x):
        out = self.block0(x)
        for i in range(self.layers - 1):
            out = getattr(self, f'encoder{i}')(out)
        return self.conv(self.nonlinearity(out))


class TemporalDiscriminator(BaseNetwork):
    """Discriminator on short clips: two 3-D residual blocks, then 2-D ones on time-folded channels.

    Args:
        input_nc: channels per frame.
        input_length: frames L per clip (>= 5; the 3-D blocks shorten it by 4).
        ndf, img_f, layers, activation, use_spect: as ``ResDiscriminator`` (``layers`` >= 2).
        norm: only 'none' (the original's normalised 3-D block could not run).
    Shapes: [B, input_nc, L, H, W] -> [B, 1, H / 2**layers, W / 2**layers].
    """

    def __init__(self, input_nc=3, input_length=6, ndf=64, img_f=1024, layers=6, norm='none',
                 activation='LeakyReLU', use_spect=True):
        super().__init__()
        if norm != 'none':
            raise ValueError(f"norm: TemporalDiscriminator supports only 'none', got {norm!r}")
        if input_length < 5:
            raise ValueError(f"input_length: expected >= 5 frames, got {input_length}")
        self.layers = layers
        self.nonlinearity = get_nonlinearity_layer(activation)
        self.block0 = ResBlock3DEncoder(input_nc, ndf, ndf, self.nonlinearity, use_spect)
        self.block1 = ResBlock3DEncoder(ndf, 2 * ndf, ndf, self.nonlinearity, use_spect)
        # the two 3-D blocks leave input_length - 4 frames of 2 * ndf channels, folded into channels
        channels = ndf * 2 * (input_length - 4)
        for i in range(layers - 2):
            out_channels = ndf * min(2 ** (i + 2), img_f // ndf)
            setattr(self, f'encoder{i}', ResBlockEncoder(channels, out_channels, channels, None,
                                                         self.nonlinearity, use_spect))
            channels = out_channels
        self.conv = nn.utils.spectral_norm(nn.Conv2d(channels, 1, 1))

    def forward(self, x):
        out = self.block1(self.block0(x))
        b, _, _, h, w = out.shape
        out = out.reshape(b, -1, h, w)
        for i in range(self.layers - 2):
            out = getattr(self, f'encoder{i}')(out)
        return self.conv(self.nonlinearity(out))
