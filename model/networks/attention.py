"""Flow-guided local attention (GFLA ``ExtractorAttn``, original: model/networks/base_function.py).

For each target position (i, j), a softmax over the k x k source neighbourhood around the
flow-displaced point weights those source features:

    Bs = block_extractor(source, flow, k)              [B, C, kH, kW]
    Bt = block_extractor(target, 0, k)                 [B, C, kH, kW]
    a  = fully_connect_layer(cat(Bt, Bs))              [B, k*k, H, W], softmax over k*k
    out[b, c, i, j] = 1/k^2 * sum_{u,v} a[b, u*k+v, i, j] * Bs[b, c, i*k+u, j*k+v]

The 1/k^2 factor is a kept quirk (the original averaged the weighted cell with avg_pool2d).

``forward`` computes exactly this without building either block tensor:
  - the first conv is split into its target and source halves, so cat(Bt, Bs) is never built;
  - target half: with zero flow the target blocks are the replicate-padded k x k
    neighbourhoods, so the conv (kernel k, stride k over Bt) is an ordinary k x k convolution
    of the replicate-padded target (pad k//2 before, k-1-k//2 after: asymmetric for even k,
    like the block offsets);
  - source half: every tap of block (i, j) shares the bilinear fractions of the block's
    top-left sample point (Y0, X0) = (i + F_y - k//2, j + F_x - k//2), so the conv of the block
    is the bilinear interpolation, at that point, of the conv of every integer-positioned
    window: G = conv(replicate_pad(source, k-1 on every side)), [B, 128, H+k-1, W+k-1], read at
    (Y0 + k-1, X0 + k-1) with each corner index clamped to G (a window starting more than k-1
    rows above the map reads what the one at -(k-1) reads, one below the last row what the
    last row's reads), i.e. ``grid_sample`` with border padding;
  - the weighted cell mean is ``local_attention_apply``, which samples the source itself
    (a CUDA kernel reading each (k+1) x (k+1) source window once per channel).
The straightforward composition above is the reference in ``tests/ops/attention_reference.py``,
which the tests compare ``forward`` with and ``script/benchmark_ops.py`` measures.
"""
import functools

import torch
import torch.nn.functional as F
from torch import nn

from model.ops import local_attention_apply

HIDDEN_NC = 128


class ExtractorAttn(nn.Module):
    """Local attention block; state_dict keys ``fully_connect_layer.{0,2}.{weight,bias}`` as released.

    Args:
        feature_nc: channels C of source and target features.
        kernel_size: neighbourhood size k.
        nonlinearity: activation module after the first conv.
        softmax: True (all GFLA models): softmax over the k*k weights; False or None: the
            ``nonlinearity`` module instead (the original tested ``is not None``).
    """

    def __init__(self, feature_nc, kernel_size, nonlinearity, softmax=True):
        super().__init__()
        self.feature_nc = feature_nc
        self.kernel_size = kernel_size
        last = nn.Softmax(dim=1) if softmax else nonlinearity
        self.fully_connect_layer = nn.Sequential(
            nn.Conv2d(2 * feature_nc, HIDDEN_NC, kernel_size=kernel_size, stride=kernel_size, padding=0),
            nonlinearity,
            nn.Conv2d(HIDDEN_NC, kernel_size * kernel_size, kernel_size=1, stride=1, padding=0),
            last,
        )

    def forward(self, source, target, flow_field):
        """Attend to ``source`` around ``flow_field``-displaced points, steered by ``target``.

        Args:
            source: [B, C, H, W] features to sample.
            target: [B, C, H, W] features of the target.
            flow_field: [B, 2, H, W] backward flow in pixels (channel 0 = x).
        Returns:
            [B, C, H, W].
        """
        return self.hook_attn_param(source, target, flow_field)[1]

    def hook_attn_param(self, source, target, flow_field):
        """Like ``forward``, also returning the attention weights (for visualisation).

        Returns:
            (weights [B, k*k, H, W], output [B, C, H, W]).
        """
        self._check_inputs(source, target, flow_field)
        k = self.kernel_size
        conv1, activation, conv2, last = self.fully_connect_layer
        target_weight, source_weight = conv1.weight.split(self.feature_nc, dim=1)
        before, after = k // 2, k - 1 - k // 2
        padded_target = F.pad(target, (before, after, before, after), mode="replicate")
        hidden = (_source_block_conv(source, source_weight, flow_field, k)
                  + F.conv2d(padded_target, target_weight, conv1.bias))
        weights = last(conv2(activation(hidden)))
        return weights, local_attention_apply(source, weights, flow_field, k)

    def _check_inputs(self, source, target, flow_field):
        b, c, h, w = source.shape
        if c != self.feature_nc or target.shape != source.shape:
            raise ValueError(f"ExtractorAttn: source and target must both have shape [B, {self.feature_nc}, "
                             f"H, W], got {tuple(source.shape)} and {tuple(target.shape)}")
        if flow_field.shape != (b, 2, h, w):
            raise ValueError(f"ExtractorAttn: flow_field must have shape {(b, 2, h, w)} (source's batch "
                             f"and size), got {tuple(flow_field.shape)}")


def _source_block_conv(source, weight, flow, k):
    """The convolution (kernel k, stride k) of the flow-displaced source blocks, without them.

    Args:
        source: [B, C, H, W].
        weight: [O, C, k, k].
        flow: [B, 2, H, W] in pixels (channel 0 = x).
    Returns:
        [B, O, H, W]: block (i, j)'s conv = bilinear sample of the window convs G at
        (i + F_y - k//2 + k-1, j + F_x - k//2 + k-1), corners clamped to G (module docstring).
    """
    window_convs = F.conv2d(F.pad(source, (k - 1,) * 4, mode="replicate"), weight)
    # half types: grid_sample needs a grid of the input's dtype, and a bfloat16 coordinate can
    # be a quarter pixel off; sample in float32
    compute_dtype = torch.float32 if source.dtype in (torch.float16, torch.bfloat16) else source.dtype
    _, _, h, w = flow.shape
    # compiled (--compile), the constants are computed inside the graph: dynamo does not trace caches
    constants = _grid_constants.__wrapped__ if torch.compiler.is_compiling() else _grid_constants
    offsets, scale = constants(h, w, k, flow.device, compute_dtype)
    # one op (each op's launch counts at the small model shapes); a NaN/inf flow samples at 0
    # here, and local_attention_apply makes that position's output NaN
    grid = torch.addcmul(offsets, flow.to(compute_dtype).permute(0, 2, 3, 1), scale).nan_to_num_(0.0, 0.0, 0.0)
    sampled = F.grid_sample(window_convs.to(compute_dtype), grid, mode="bilinear", padding_mode="border",
                            align_corners=True)
    return sampled.to(window_convs.dtype)


@functools.lru_cache(maxsize=64)
def _grid_constants(h, w, k, device, dtype):
    """(offsets [H, W, 2], scale [2]) such that flow (x, y) * scale + offsets is the normalised
    (align_corners=True: -1 / +1 at index 0 / size-1) position of block (i, j)'s top-left tap
    in the window convs G [.., H+k-1, W+k-1]: (j + F_x - k//2 + k-1, i + F_y - k//2 + k-1)."""
    with torch.inference_mode(False):  # cached: must stay usable by autograd after an inference call
        shift = k - 1 - k // 2
        # a size-1 axis has every point at index 0
        scale = torch.tensor([2.0 / max(w + k - 2, 1), 2.0 / max(h + k - 2, 1)], device=device, dtype=dtype)
        rows = torch.arange(h, device=device, dtype=dtype) + shift
        cols = torch.arange(w, device=device, dtype=dtype) + shift
        positions = torch.stack(torch.broadcast_tensors(cols[None, :], rows[:, None]), dim=-1)
        return positions * scale - 1, scale
