"""Loading network checkpoints: the released GFLA files and our own, strictly and with clear errors.

Replaces the fallback chain of GFLA ``model/base_model.py::load_networks`` (snapshot 3afa8fe),
which silently loaded whatever matched. Here:

* ``load_state_dict_strict`` accepts exactly the network's keys and shapes. Two layouts of the
  released files are converted explicitly first: keys prefixed ``module.`` (saved from a
  ``DataParallel`` net) and torch-1.0 spectral norm (``weight_orig``, ``weight_u`` and a
  ``weight`` buffer instead of ``weight_v``; original: torch 1.0 spectral_norm).
* ``load_matching_subset`` is the two-stage hand-over (flow pre-training -> full model): every
  key of the file must exist in the network with the same shape; the rest keeps its init.

Files are read with ``torch.load(map_location='cpu', weights_only=True)``.
"""
import os
from collections import OrderedDict
from collections.abc import Mapping

import torch
from torch import nn
from torch.nn.utils.spectral_norm import SpectralNorm

MODULE_PREFIX = 'module.'
MAX_LISTED = 10  # keys listed per kind of mismatch in an error message


class CheckpointMismatchError(ValueError):
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
        source = f"file {path!r}"
        if not os.path.isfile(path):
            raise FileNotFoundError(f"checkpoint: no such file {path!r}")
        try:
            state_dict = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as error:
            raise ValueError(f"checkpoint: cannot read {source} as a PyTorch state_dict: {error}") from error
    else:
        state_dict, source = state_dict_or_path, 'the given state_dict'
    if not isinstance(state_dict, Mapping):
        raise ValueError(f"checkpoint: {source} holds a {type(state_dict).__name__}, "
                         "expected a state_dict (mapping of parameter names to tensors)")
    for key, value in state_dict.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise ValueError(f"checkpoint: {source} is not a state_dict: entry {key!r} holds a "
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


def _unwrap(net):
    """The network inside a (Distributed)DataParallel wrapper, or ``net`` itself."""
    wrappers = (nn.DataParallel, nn.parallel.DistributedDataParallel)
    return net.module if isinstance(net, wrappers) else net


def _prepared(net, state_dict_or_path):
    """(network, state dict in the network's layout, source description)."""
    target = _unwrap(net)
    state_dict, source = read_state_dict(state_dict_or_path)
    state_dict = convert_torch10_spectral_norm(strip_module_prefix(state_dict), target)
    return target, state_dict, source


def _listing(title, items):
    """One error-message line: a count, a title and at most MAX_LISTED items."""
    shown = ', '.join(items[:MAX_LISTED])
    more = f', ... and {len(items) - MAX_LISTED} more' if len(items) > MAX_LISTED else ''
    return f"\n  {len(items)} {title}: {shown}{more}"


def _check(target, state_dict, source, allow_missing):
    """Raise CheckpointMismatchError listing missing / unexpected keys and shape mismatches."""
    expected = target.state_dict()
    missing = [] if allow_missing else [key for key in expected if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    shapes = [f"{key} (file {tuple(value.shape)}, network {tuple(expected[key].shape)})"
              for key, value in state_dict.items()
              if key in expected and value.shape != expected[key].shape]
    if missing or unexpected or shapes:
        message = f"checkpoint: {source} does not fit {type(target).__name__}:"
        if missing:
            message += _listing('keys of the network missing from the file', missing)
        if unexpected:
            message += _listing('keys in the file that the network does not have', unexpected)
        if shapes:
            message += _listing('shape mismatches', shapes)
        raise CheckpointMismatchError(message)


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
        FileNotFoundError / ValueError for an absent or unreadable file.
    """
    target, state_dict, source = _prepared(net, state_dict_or_path)
    _check(target, state_dict, source, allow_missing=False)
    target.load_state_dict(state_dict, strict=True)
    return net


def load_matching_subset(net, state_dict_or_path):
    """Load a checkpoint that covers part of ``net`` (e.g. the pre-trained ``flow_net.*`` keys).

    Every key of the file must exist in ``net`` with the same shape; the network's other
    entries keep their current (initial) values.

    Args: as ``load_state_dict_strict``.
    Returns:
        Names of the top-level sub-modules with at least one entry not in the file, in network
        order (e.g. ``['source', 'target']`` for the pose flow hand-over).
    """
    target, state_dict, source = _prepared(net, state_dict_or_path)
    _check(target, state_dict, source, allow_missing=True)
    missing = target.load_state_dict(state_dict, strict=False).missing_keys
    return list(dict.fromkeys(key.split('.')[0] for key in missing))
