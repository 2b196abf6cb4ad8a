"""GFLA's custom ops: flow-guided sampling with an exact pure-PyTorch twin and a CUDA kernel each.

One basename per op, its ``.py`` beside its ``.cpp``/``.cu``; ``custom_ops.py`` is the one
just-in-time loader and implementation switch, ``custom_ops.h`` the header the kernels share.

    from model.ops import BlockExtractor, LocalAttnReshape, Resample2d            # the original modules
    from model.ops import block_extractor, local_attention_apply, local_attn_reshape, resample2d

The names exported here are the functions and modules: ``model.ops.block_extractor`` is the
function, so reach a module's other names with ``from model.ops.block_extractor import EXTENSION``.
"""
from model.ops.block_extractor import BlockExtractor, block_extractor
from model.ops.local_attention_apply import local_attention_apply
from model.ops.local_attn_reshape import LocalAttnReshape, local_attn_reshape
from model.ops.resample2d import Resample2d, resample2d

__all__ = ["BlockExtractor", "LocalAttnReshape", "Resample2d", "block_extractor", "local_attention_apply",
           "local_attn_reshape", "resample2d"]
