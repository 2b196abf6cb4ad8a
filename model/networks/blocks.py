"""The live convolutional building blocks of GFLA's generators and discriminators.

Ported from GFLA ``model/networks/base_function.py`` (snapshot 3afa8fe): ``EncoderBlock``,
``ResBlock``, ``ResBlocks``, ``ResBlockDecoder``, ``ResBlockEncoder``, ``ResBlock3DEncoder``,
``Jump`` and ``Output``. Equivalent layer for layer, including the ``nn.Sequential`` indices
that name the ``state_dict`` keys of the released checkpoints (original: model/networks/base_function.py; the released checkpoints' key names).

Kept on purpose:
* every block is pre-activation (norm -> activation -> conv); without a norm layer the norm
  entries are simply absent, so the conv indices shift (``model.1``/``model.3`` in D);
* ``Jump`` and ``Output`` register their conv twice, as ``conv1`` and inside ``model``, so the
  one tensor appears under two keys (``conv1.*`` and ``model.N.*``) like in the checkpoints;
* ``ResBlockDecoder``'s shortcut acts on the raw input (no norm, no activation).

Not ported: the ``use_coord`` (CoordConv) option, False in every shipped configuration; see
``model/networks/README.md``.
"""
from torch import nn

from model.networks.norm_act import spectral_norm


def _checked_activation(nonlinearity):
    """``nonlinearity`` if it is a module; blocks have no default activation."""
    if not isinstance(nonlinearity, nn.Module):
        raise ValueError(f"nonlinearity: expected an activation module (see get_nonlinearity_layer), "
                         f"got {nonlinearity!r}")
    return nonlinearity


def _pre_activation(conv1, conv2, in_nc, hidden_nc, norm_layer, nonlinearity):
    """``[norm(in), act, conv1, norm(hidden), act, conv2]``, or ``[act, conv1, act, conv2]`` without norm."""
    nonlinearity = _checked_activation(nonlinearity)
    if norm_layer is None:
        return nn.Sequential(nonlinearity, conv1, nonlinearity, conv2)
    return nn.Sequential(norm_layer(in_nc), nonlinearity, conv1,
                         norm_layer(hidden_nc), nonlinearity, conv2)


class EncoderBlock(nn.Module):
    """Two convs that halve the resolution (4x4 stride 2, then 3x3); no residual.

    Args:
        input_nc, output_nc: channels in and out.
        norm_layer: factory ``f(channels)`` from ``get_norm_layer``, or None.
        nonlinearity: activation module (shared).
        use_spect: spectral-normalise the convs.
    Shapes: [B, input_nc, H, W] -> [B, output_nc, H/2, W/2].
    """

    def __init__(self, input_nc, output_nc, norm_layer, nonlinearity, use_spect=False):
        super().__init__()
        conv1 = spectral_norm(nn.Conv2d(input_nc, output_nc, kernel_size=4, stride=2, padding=1), use_spect)
        conv2 = spectral_norm(nn.Conv2d(output_nc, output_nc, kernel_size=3, stride=1, padding=1), use_spect)
        self.model = _pre_activation(conv1, conv2, input_nc, output_nc, norm_layer, nonlinearity)

    def forward(self, x):
        return self.model(x)


class ResBlock(nn.Module):
    """Residual block at constant resolution: two 3x3 convs plus an identity or 1x1 shortcut.

    Args:
        input_nc: channels in.
        output_nc: channels out (default ``input_nc``).
        hidden_nc: channels between the convs (default ``input_nc``).
        norm_layer, nonlinearity, use_spect: as ``EncoderBlock``.
        learnable_shortcut: use a 1x1 conv shortcut even when ``input_nc == output_nc``
            (it is always used when they differ).
    Shapes: [B, input_nc, H, W] -> [B, output_nc, H, W].
    """

    def __init__(self, input_nc, output_nc=None, hidden_nc=None, norm_layer=None, nonlinearity=None,
                 learnable_shortcut=False, use_spect=False):
        super().__init__()
        output_nc = input_nc if output_nc is None else output_nc
        hidden_nc = input_nc if hidden_nc is None else hidden_nc
        conv1 = spectral_norm(nn.Conv2d(input_nc, hidden_nc, kernel_size=3, stride=1, padding=1), use_spect)
        conv2 = spectral_norm(nn.Conv2d(hidden_nc, output_nc, kernel_size=3, stride=1, padding=1), use_spect)
        self.model = _pre_activation(conv1, conv2, input_nc, hidden_nc, norm_layer, nonlinearity)
        if learnable_shortcut or input_nc != output_nc:
            bypass = spectral_norm(nn.Conv2d(input_nc, output_nc, kernel_size=1, stride=1, padding=0), use_spect)
            self.shortcut = nn.Sequential(bypass)
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        return self.model(x) + self.shortcut(x)


class ResBlocks(nn.Module):
    """``num_blocks`` ResBlocks in a row: in -> hidden, (hidden -> hidden) * (n - 2), hidden -> out.

    With one block it is ``ResBlock(input_nc, output_nc, hidden_nc)``. Channel defaults and the
    remaining arguments as ``ResBlock``. Shapes: [B, input_nc, H, W] -> [B, output_nc, H, W].
    """

    def __init__(self, num_blocks, input_nc, output_nc=None, hidden_nc=None, norm_layer=None,
                 nonlinearity=None, learnable_shortcut=False, use_spect=False):
        super().__init__()
        output_nc = input_nc if output_nc is None else output_nc
        hidden_nc = input_nc if hidden_nc is None else hidden_nc
        if num_blocks < 1:
            raise ValueError(f"num_blocks: expected >= 1, got {num_blocks}")
        if num_blocks == 1:
            channels = [(input_nc, output_nc)]
        else:
            channels = ([(input_nc, hidden_nc)] + [(hidden_nc, hidden_nc)] * (num_blocks - 2)
                        + [(hidden_nc, output_nc)])
        self.model = nn.Sequential(*[
            ResBlock(c_in, c_out, hidden_nc, norm_layer, nonlinearity, learnable_shortcut, use_spect)
            for c_in, c_out in channels])

    def forward(self, x):
        return self.model(x)


class ResBlockDecoder(nn.Module):
    """Residual block that doubles the resolution (3x3 conv, then 3x3 transposed conv stride 2).

    The shortcut is a transposed conv on the raw input. Channel defaults and arguments as
    ``ResBlock``. Shapes: [B, input_nc, H, W] -> [B, output_nc, 2H, 2W].
    """

    def __init__(self, input_nc, output_nc, hidden_nc=None, norm_layer=None, nonlinearity=None,
                 use_spect=False):
        super().__init__()
        hidden_nc = input_nc if hidden_nc is None else hidden_nc
        up = dict(kernel_size=3, stride=2, padding=1, output_padding=1)
        conv1 = spectral_norm(nn.Conv2d(input_nc, hidden_nc, kernel_size=3, stride=1, padding=1), use_spect)
        conv2 = spectral_norm(nn.ConvTranspose2d(hidden_nc, output_nc, **up), use_spect)
        bypass = spectral_norm(nn.ConvTranspose2d(input_nc, output_nc, **up), use_spect)
        self.model = _pre_activation(conv1, conv2, input_nc, hidden_nc, norm_layer, nonlinearity)
        self.shortcut = nn.Sequential(bypass)

    def forward(self, x):
        return self.model(x) + self.shortcut(x)


class ResBlockEncoder(nn.Module):
    """Residual block that halves the resolution (discriminators).

    Body: 3x3 conv, then 4x4 conv stride 2; shortcut: 2x2 average pool, then 1x1 conv.
    Arguments as ``ResBlockDecoder``. Shapes: [B, input_nc, H, W] -> [B, output_nc, H/2, W/2].
    """

    def __init__(self, input_nc, output_nc, hidden_nc=None, norm_layer=None, nonlinearity=None,
                 use_spect=False):
        super().__init__()
        hidden_nc = input_nc if hidden_nc is None else hidden_nc
        conv1 = spectral_norm(nn.Conv2d(input_nc, hidden_nc, kernel_size=3, stride=1, padding=1), use_spect)
        conv2 = spectral_norm(nn.Conv2d(hidden_nc, output_nc, kernel_size=4, stride=2, padding=1), use_spect)
        bypass = spectral_norm(nn.Conv2d(input_nc, output_nc, kernel_size=1, stride=1, padding=0), use_spect)
        self.model = _pre_activation(conv1, conv2, input_nc, hidden_nc, norm_layer, nonlinearity)
        self.shortcut = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2), bypass)

    def forward(self, x):
        return self.model(x) + self.shortcut(x)


class ResBlock3DEncoder(nn.Module):
    """Spatio-temporal residual block of the temporal discriminator; no normalisation.

    Body: 3x3x3 conv (padding 1), then (3,4,4) conv stride (1,2,2) padding (0,1,1); shortcut:
    (3,2,2) average pool stride (1,2,2), then 1x1x1 conv. The original's norm branch put 2-D norm
    layers on 5-D tensors and could not run, so only the norm-free form exists here.

    Shapes: [B, input_nc, T, H, W] -> [B, output_nc, T-2, H/2, W/2].
    """

    def __init__(self, input_nc, output_nc, hidden_nc=None, nonlinearity=None, use_spect=False):
        super().__init__()
        hidden_nc = input_nc if hidden_nc is None else hidden_nc
        conv1 = spectral_norm(nn.Conv3d(input_nc, hidden_nc, kernel_size=3, stride=1, padding=1), use_spect)
        conv2 = spectral_norm(nn.Conv3d(hidden_nc, output_nc, kernel_size=(3, 4, 4), stride=(1, 2, 2),
                                        padding=(0, 1, 1)), use_spect)
        bypass = spectral_norm(nn.Conv3d(input_nc, output_nc, kernel_size=1, stride=1, padding=0), use_spect)
        self.model = _pre_activation(conv1, conv2, input_nc, hidden_nc, None, nonlinearity)
        self.shortcut = nn.Sequential(nn.AvgPool3d(kernel_size=(3, 2, 2), stride=(1, 2, 2)), bypass)

    def forward(self, x):
        return self.model(x) + self.shortcut(x)


class Jump(nn.Module):
    """Skip-connection conv: (norm), activation, reflection pad, k x k conv.

    The conv is registered first as ``conv1`` and again inside ``model`` (index 2 without norm,
    3 with), reproducing the duplicated checkpoint keys.

    Args:
        input_nc, output_nc: channels in and out.
        kernel_size: k (odd; padding k // 2 keeps the size).
        norm_layer, nonlinearity, use_spect: as ``EncoderBlock``.
    Shapes: [B, input_nc, H, W] -> [B, output_nc, H, W].
    """

    def __init__(self, input_nc, output_nc, kernel_size=3, norm_layer=None, nonlinearity=None,
                 use_spect=False):
        super().__init__()
        self.conv1 = spectral_norm(nn.Conv2d(input_nc, output_nc, kernel_size=kernel_size, padding=0,
                                             bias=True), use_spect)
        head = [] if norm_layer is None else [norm_layer(input_nc)]
        self.model = nn.Sequential(*head, _checked_activation(nonlinearity), nn.ReflectionPad2d(kernel_size // 2),
                                   self.conv1)

    def forward(self, x):
        return self.model(x)


class Output(Jump):
    """Image output layer: ``Jump`` followed by tanh, so values lie in [-1, 1]. Same arguments."""

    def __init__(self, input_nc, output_nc, kernel_size=3, norm_layer=None, nonlinearity=None,
                 use_spect=False):
        super().__init__(input_nc, output_nc, kernel_size, norm_layer, nonlinearity, use_spect)
        self.model.append(nn.Tanh())
