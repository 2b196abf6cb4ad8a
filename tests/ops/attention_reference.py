"""ExtractorAttn computed the original's way, step by step (original: model/networks/base_function.py,
ExtractorAttn.forward): the reference the efficient ``ExtractorAttn.forward`` is tested against."""
import torch
import torch.nn.functional as F

from model.ops import block_extractor, local_attn_reshape


def extractor_attn_composition(module, source, target, flow_field):
    """Extract source and target blocks, conv logits, softmax, pixel_shuffle, weighted avg_pool.

    Args:
        module: an ``ExtractorAttn`` (its ``fully_connect_layer`` and ``kernel_size`` are used).
        source, target, flow_field: as ``ExtractorAttn.forward``.
    Returns:
        [B, C, H, W], equal to ``module(source, target, flow_field)``; slower and larger.
    """
    k = module.kernel_size
    source_blocks = block_extractor(source, flow_field, k)
    target_blocks = block_extractor(target, torch.zeros_like(flow_field), k)
    # target first, then source: the original concatenation order
    weights = module.fully_connect_layer(torch.cat([target_blocks, source_blocks], dim=1))
    cells = local_attn_reshape(weights, k)
    return F.avg_pool2d(cells * source_blocks, k, k)
