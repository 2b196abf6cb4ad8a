"""Target decoder with flow-guided local attention: the image-producing half of every generator.

Ported from the decoder part of GFLA ``model/networks/generator.py`` (``PoseTargetNet``,
``FaceTargetNet``, ``ShapeNetTargetNet``; snapshot 3afa8fe), which repeat the same code.
Equivalent: same decoder stages (``decoder{i}`` = ResBlocks + ResBlockDecoder), attention
modules (``<prefix>{i}``, registered right after ``decoder{i}``), ``outconv`` and forward.

Kept quirks: decoder stage i is preceded by attention when layer ``layers - i`` is an attention
layer, using the source features ``S[i]`` at that resolution; with several attention sources
(face/dance: previous and reference frame) the feature becomes the **sum** of the per-source
blends ``out * (1 - m) + attn * m``, so it doubles where every mask is 0.
"""
from torch import nn

from model.networks.attention import ExtractorAttn
from model.networks.blocks import Output, ResBlockDecoder, ResBlocks


def kernel_size_for(extractor_kz, layer):
    """Attention kernel size of ``layer`` from a {'layer': k} dict (string keys, as the options give)."""
    if str(layer) not in extractor_kz:
        raise ValueError(f"extractor_kz: no kernel size for attention layer {layer}; got {dict(extractor_kz)}")
    return extractor_kz[str(layer)]


class TargetDecoder(nn.Module):
    """Base class: builds and runs the decoder; subclasses build the encoder first.

    ``ATTN_PREFIXES`` names the attention modules per attention layer, one per feature source.
    """

    ATTN_PREFIXES = ('attn',)

    def add_decoder(self, output_nc, ngf, img_f, layers, num_blocks, attn_layer, extractor_kz,
                    norm_layer, nonlinearity, use_spect):
        """Register ``decoder{i}``, the attention modules and ``outconv`` on ``self``.

        Stage i maps ``ngf * min(2**(layers-1-i), img_f//ngf)`` channels to the next stage's
        (``ngf`` after the last) and doubles the resolution.
        """
        if any(not 1 <= layer <= layers for layer in attn_layer):
            raise ValueError(f"attn_layer: expected layers in [1, {layers}], got {list(attn_layer)}")
        self.layers = layers
        self.attn_layer = tuple(attn_layer)
        channels = ngf * min(2 ** (layers - 1), img_f // ngf)
        for i in range(layers):
            out_channels = ngf * min(2 ** (layers - i - 2), img_f // ngf) if i != layers - 1 else ngf
            up = ResBlockDecoder(channels, out_channels, None, norm_layer, nonlinearity, use_spect)
            if num_blocks > 1:
                stage = nn.Sequential(ResBlocks(num_blocks - 1, channels, None, None, norm_layer,
                                                nonlinearity, False, use_spect), up)
            else:
                stage = nn.Sequential(up)
            setattr(self, f'decoder{i}', stage)
            if layers - i in self.attn_layer:
                kernel_size = kernel_size_for(extractor_kz, layers - i)
                for prefix in self.ATTN_PREFIXES:
                    setattr(self, f'{prefix}{i}', ExtractorAttn(channels, kernel_size, nonlinearity, softmax=True))
            channels = out_channels
        self.outconv = Output(ngf, output_nc, 3, None, nonlinearity, use_spect)

    def decode(self, out, sources, flow_fields, masks):
        """Run the decoder from the encoded target ``out``.

        Args:
            out: [B, C, H/2**layers, W/2**layers] encoded target.
            sources: one feature list per attention prefix, each deepest first (as
                ``PoseSourceNet`` returns), ``sources[n][i]`` at the input resolution of stage i.
            flow_fields, masks: per attention layer (coarse to fine) one flow [B, 2, h, w] and one
                mask [B, 1, h, w] per source, interleaved by source.
        Returns:
            [B, output_nc, H, W] image in [-1, 1].
        """
        n_sources = len(self.ATTN_PREFIXES)
        counter = 0
        for i in range(self.layers):
            if self.layers - i in self.attn_layer:
                blended = 0
                for n, prefix in enumerate(self.ATTN_PREFIXES):
                    flow, mask = flow_fields[counter * n_sources + n], masks[counter * n_sources + n]
                    attended = getattr(self, f'{prefix}{i}')(sources[n][i], out, flow)
                    blended = blended + out * (1 - mask) + attended * mask
                out = blended
                counter += 1
            out = getattr(self, f'decoder{i}')(out)
        return self.outconv(out)
