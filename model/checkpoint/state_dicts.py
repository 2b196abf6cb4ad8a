"""Network state dicts: the released GFLA files and our own, loaded strictly with clear errors.

Replaces the fallback chain of the original's ``load_networks`` (original: model/base_model.py,
BaseModel.load_networks), which silently loaded whatever matched. Here:

* ``load_state_dict_strict`` accepts exactly the network's keys and shapes. Two layouts of the
  released files are converted explicitly first: keys prefixed ``module.`` (saved from a
  ``DataParallel`` net) and torch-1.0 spectral norm (``weight_orig``, ``weight_u`` and a
  ``weight`` buffer instead of ``weight_v``; original: torch 1.0 spectral_norm).
* ``load_handover`` is the two-stage hand-over (flow pre-training -> full model): the file must
  hold whole top-level sub-modules of the network (``flow_net``), key for key and shape for
  shape; the network's other sub-modules keep their initialisation.

Every error is one line naming the file and what does not fit.
"""
import os
from collections import OrderedDict
from collections.abc import Mapping

import torch
from torch import nn
from torch.nn.utils.spectral_norm import SpectralNorm

from model.checkpoint.files import CheckpointError, load_file

MODULE_PREFIX = 'module.'
MAX_LISTED = 10  # keys listed per kind of mismatch in an error message


class CheckpointMismatchError(CheckpointError):
    """A checkpoint's keys or shapes do not fit the network."""


def read_state_dict(state_dict_or_path):
    """The state dict and a description of where it came from (for error messages).

    Args:
        state_dict_or_path: a mapping name -> tensor, or a path to a file holding one.
    Returns:
        (state_dict, source): the mapping and e.g. ``"file 'x.pth'"``.
    """
    if isinstance(state_dict_or_path, (str, os.PathLike)):
        path = os.fspath(state_dict_or_path)
        state_dict, source = load_file(path), f"file {path!r}"
    else:
        state_dict, source = state_dict_or_path, 'the given state_dict'
    if not isinstance(state_dict, Mapping):
        raise CheckpointError(f"checkpoint: {source} holds a {type(state_dict).__name__}, "
                              "expected a state_dict (mapping of parameter names to tensors)")
    for key, value in state_dict.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise CheckpointError(f"checkpoint: {source} is not a state_dict: entry {key!r} holds a "
                                  f"{type(value).__name__}, expected a tensor under a string key")
    return state_dict, source


def _with_metadata(state_dict, metadata):
    """``state_dict`` as an OrderedDict carrying ``metadata`` (module versions) when there is any."""
    result = OrderedDict(state_dict)
    if metadata is not None:
        result._metadata = metadata
    return result


def strip_module_prefix(state_dict):
    """Remove the ``module.`` prefix that ``DataParallel`` adds, when every key has it.

    Returns a new OrderedDict (the module-version metadata is renamed alike); unchanged
    otherwise.
    """
    if not state_dict or not all(key.startswith(MODULE_PREFIX) for key in state_dict):
        return state_dict
    metadata = getattr(state_dict, '_metadata', None)
    if metadata is not None:
        metadata = type(metadata)(
            ('' if name == 'module' else name[len(MODULE_PREFIX):], value)
            for name, value in metadata.items() if name == 'module' or name.startswith(MODULE_PREFIX))
    stripped = ((key[len(MODULE_PREFIX):], value) for key, value in state_dict.items())
    return _with_metadata(stripped, metadata)


def spectral_norm_layers(net):
    """{key prefix: SpectralNorm hook} for every layer of ``net`` wrapped by ``nn.utils.spectral_norm``."""
    layers = {}
    for name, module in net.named_modules():
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm):
                layers[f'{name}.{hook.name}' if name else hook.name] = hook
    return layers


def _solve_v(weight_orig, weight, u, dim):
    """Power-iteration vector ``v`` such that ``u . (W v)`` is the sigma a torch-1.0 file implies.

    torch 1.0 stored the normalised weight ``W / sigma`` instead of ``v``; sigma is recovered as
    the mean ratio, v as the least-norm solution of ``W v = u`` rescaled to give that sigma.
    """
    matrix = weight_orig.movedim(dim, 0).reshape(weight_orig.shape[dim], -1).double()
    sigma = (weight_orig.double() / weight.double()).mean()
    v = torch.linalg.pinv(matrix) @ u.double()
    v = v * (sigma / torch.dot(u.double(), matrix @ v))
    return v.to(weight_orig.dtype)


def convert_torch10_spectral_norm(state_dict, net):
    """Convert torch-1.0 spectral-norm entries of ``state_dict`` to the current layout.

    For every spectral-norm layer ``p`` of ``net`` whose entries are ``p_orig``, ``p_u`` and ``p``
    (no ``p_v``), ``p`` is replaced by the equivalent ``p_v``: the loaded layer then computes the
    same normalised weight. Other entries are copied unchanged. Pure: returns a new OrderedDict.
    """
    converted = OrderedDict(state_dict)
    for prefix, hook in spectral_norm_layers(net).items():
        old_layout = (prefix in converted and prefix + '_v' not in converted
                      and prefix + '_orig' in converted and prefix + '_u' in converted)
        if old_layout:
            weight = converted.pop(prefix)
            converted[prefix + '_v'] = _solve_v(converted[prefix + '_orig'], weight,
                                                converted[prefix + '_u'], hook.dim)
    return _with_metadata(converted, getattr(state_dict, '_metadata', None))


def unwrap(net):
    """The bare module inside DataParallel / DistributedDataParallel / torch.compile wrappers."""
    while True:
        if isinstance(net, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
            net = net.module
        elif isinstance(getattr(net, "_orig_mod", None), nn.Module):  # torch.compile's OptimizedModule
            net = net._orig_mod
        else:
            return net


def _prepared(net, state_dict_or_path):
    """(network, state dict in the network's layout, source description)."""
    target = unwrap(net)
    state_dict, source = read_state_dict(state_dict_or_path)
    state_dict = convert_torch10_spectral_norm(strip_module_prefix(state_dict), target)
    return target, state_dict, source


def top_level_names(keys):
    """The distinct first components of ``keys`` (top-level sub-module names), in order."""
    return list(dict.fromkeys(key.split('.')[0] for key in keys))


def _listing(title, items, keys):
    """One part of an error message: a count, a title, at most MAX_LISTED items, the sub-modules."""
    shown = ', '.join(items[:MAX_LISTED])
    more = f', ... and {len(items) - MAX_LISTED} more' if len(items) > MAX_LISTED else ''
    return f"{len(items)} {title}: {shown}{more} (in {', '.join(top_level_names(keys))})"


def _check(target, state_dict, source, required):
    """Raise CheckpointMismatchError listing the ``required`` keys missing from ``state_dict``,
    the keys the network lacks and the shape mismatches, all on one line."""
    expected = target.state_dict()
    missing = [key for key in required if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    mismatched = [key for key, value in state_dict.items() if key in expected and value.shape != expected[key].shape]
    parts = []
    if missing:
        parts.append(_listing('keys of the network missing from the file', missing, missing))
    if unexpected:
        parts.append(_listing('keys in the file that the network does not have', unexpected, unexpected))
    if mismatched:
        shapes = [f"{key} (file {tuple(state_dict[key].shape)}, network {tuple(expected[key].shape)})"
                  for key in mismatched]
        parts.append(_listing('shape mismatches', shapes, mismatched))
    if parts:
        raise CheckpointMismatchError(f"checkpoint: {source} does not fit {type(target).__name__}: "
                                      + "; ".join(parts))


def load_state_dict_strict(net, state_dict_or_path):
    """Load a checkpoint that must match ``net`` key for key and shape for shape.

    Args:
        net: the network (a DataParallel / DDP wrapper is unwrapped).
        state_dict_or_path: a state dict or a ``.pth`` file; ``module.`` prefixes and torch-1.0
            spectral-norm entries are converted first.
    Returns:
        ``net``.
    Raises:
        CheckpointMismatchError naming missing / unexpected keys and shape mismatches;
        MissingCheckpointError / CheckpointError for an absent or unreadable file.
    """
    target, state_dict, source = _prepared(net, state_dict_or_path)
    _check(target, state_dict, source, required=list(target.state_dict()))
    target.load_state_dict(state_dict, strict=True)
    return net


def load_handover(net, state_dict_or_path):
    """Load a checkpoint holding whole top-level sub-modules of ``net`` (stage one's ``flow_net``).

    Each sub-module the file touches must be complete, key for key and shape for shape, and
    the file must hold nothing else; the network's other sub-modules keep their values.

    Args: as ``load_state_dict_strict``.
    Returns:
        (loaded, fresh): names of the sub-modules loaded and of those left as they were, in
        network order (e.g. ``(['flow_net'], ['source', 'target'])`` for the pose hand-over).
    Raises:
        CheckpointMismatchError as ``load_state_dict_strict``, listing the keys a partly
        covered sub-module misses.
    """
    target, state_dict, source = _prepared(net, state_dict_or_path)
    covered = set(top_level_names(state_dict))
    expected = target.state_dict()
    _check(target, state_dict, source, required=[key for key in expected if key.split('.')[0] in covered])
    target.load_state_dict(state_dict, strict=False)
    names = top_level_names(expected)
    return [name for name in names if name in covered], [name for name in names if name not in covered]
