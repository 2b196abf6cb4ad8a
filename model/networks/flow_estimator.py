"""Global flow-field estimator: an encoder-decoder predicting flows and masks at attention layers.

Ported from GFLA ``model/networks/generator.py`` (``PoseFlowNet``, ``FaceFlowNet`` and
``ShapeNetFlowNet``, snapshot 3afa8fe), whose constructors and decoders are identical but for
the input channels, the number of flows per layer and ShapeNet's bottleneck code. Equivalent:
same layers, registration order and keys (``block0``, ``encoder{i}``, ``cat``, ``decoder{i}``,
``jump{i}``, ``output{i}``, ``mask{i}.0``), same forward. Kept: flows are raw conv outputs in
pixels of their feature map (no activation); several flows per layer (face) are split from one
head and interleaved per layer. Added (the original has no mixed precision): under autocast the
flow and mask heads run in float32, so a flow keeps sub-pixel precision (a bfloat16 flow of 40
pixels is only known to a quarter pixel); without autocast nothing changes.
"""
import torch
from torch import nn

from model.networks.blocks import Jump, ResBlockDecoder, ResBlocks
from model.networks.norm_act import get_nonlinearity_layer, get_norm_layer
from model.networks.stages import add_encoder, run_encoder


class FlowEstimator(nn.Module):
    """Flow fields and occlusion masks at the attention layers, coarse to fine.

    A flow at "layer" j has the resolution H / 2**j of the input. Decoder stage i outputs layer
    ``encoder_layer - i - 1``; stages continue down to the finest attention layer.

    Args:
        input_nc: channels of the concatenated input.
        ngf, img_f: base and maximum channel counts.
        encoder_layer: number of encoder stages (the bottleneck is at H / 2**encoder_layer).
        attn_layer: layers that get a flow, each in [1, encoder_layer - 1].
        norm, activation: names for ``get_norm_layer`` / ``get_nonlinearity_layer``.
        use_spect: spectral-normalise the encoder, decoder and jump convs.
        flows_per_layer: flows (and masks) predicted per attention layer.
        code_nc: channels of a global code [B, code_nc, 1, 1] tiled onto the bottleneck and
            mixed in by ``cat`` (ShapeNet's pose difference); 0 for none.
    """

    def __init__(self, input_nc, ngf, img_f, encoder_layer, attn_layer, norm, activation, use_spect,
                 flows_per_layer=1, code_nc=0):
        super().__init__()
        attn_layer = tuple(attn_layer)
        if not attn_layer or any(not 1 <= layer < encoder_layer for layer in attn_layer):
            raise ValueError(f"attn_layer: expected layers in [1, {encoder_layer - 1}], got {list(attn_layer)}")
        self.encoder_layer = encoder_layer
        self.attn_layer = attn_layer
        self.decoder_layer = encoder_layer - min(attn_layer)
        self.code_nc = code_nc
        norm_layer = get_norm_layer(norm)
        nonlinearity = get_nonlinearity_layer(activation)

        channels = add_encoder(self, input_nc, ngf, img_f, encoder_layer, norm_layer, nonlinearity, use_spect)
        if code_nc:
            self.cat = ResBlocks(1, channels + code_nc, channels, None, norm_layer, nonlinearity, False, use_spect)
        for i in range(self.decoder_layer):
            out_channels = ngf * min(2 ** (encoder_layer - i - 2), img_f // ngf)
            setattr(self, f'decoder{i}', ResBlockDecoder(channels, out_channels, out_channels, norm_layer,
                                                         nonlinearity, use_spect))
            setattr(self, f'jump{i}', Jump(out_channels, out_channels, 3, None, nonlinearity, use_spect))
            if encoder_layer - i - 1 in attn_layer:
                setattr(self, f'output{i}', nn.Conv2d(out_channels, 2 * flows_per_layer, 3, 1, 1, bias=True))
                setattr(self, f'mask{i}', nn.Sequential(
                    nn.Conv2d(out_channels, flows_per_layer, 3, 1, 1, bias=True), nn.Sigmoid()))
            channels = out_channels

    def forward(self, inputs, code=None):
        """Predict flows and masks.

        Args:
            inputs: [B, input_nc, H, W].
            code: [B, code_nc, 1, 1] when built with ``code_nc``, else None.
        Returns:
            (flows, masks): lists ordered coarse to fine (per layer, the ``flows_per_layer``
            entries in head order); flow i is [B, 2, h_i, w_i], mask i [B, 1, h_i, w_i] in (0, 1).
        """
        if self.code_nc and code is None:
            raise ValueError(f"code: expected a [B, {self.code_nc}, 1, 1] tensor, got None")
        if not self.code_nc and code is not None:
            raise ValueError(f"code: this estimator has code_nc=0 and takes no code, got {tuple(code.shape)}")
        features = run_encoder(self, inputs, self.encoder_layer)
        out = features[-1]
        if code is not None:
            out = self.cat(torch.cat([out, code.expand(-1, -1, *out.shape[2:])], dim=1))
        flows, masks = [], []
        for i in range(self.decoder_layer):
            skip = features[self.encoder_layer - i - 2]
            out = getattr(self, f'decoder{i}')(out) + getattr(self, f'jump{i}')(skip)
            if self.encoder_layer - i - 1 in self.attn_layer:
                flows.extend(full_precision(getattr(self, f'output{i}'), out).split(2, dim=1))
                masks.extend(full_precision(getattr(self, f'mask{i}'), out).split(1, dim=1))
        return flows, masks


def full_precision(head, features):
    """``head(features)``, in float32 when autocast is on (else exactly ``head(features)``)."""
    device_type = features.device.type
    if not torch.is_autocast_enabled(device_type):
        return head(features)
    with torch.autocast(device_type, enabled=False):
        return head(features.float())
