"""Normalisation and activation factories shared by all GFLA networks.

Ported from GFLA ``model/networks/base_function.py`` (``get_norm_layer``,
``get_nonlinearity_layer``, ``spectral_norm``; snapshot 3afa8fe). Equivalent: same layer
types and hyper-parameters (LeakyReLU slope 0.1, InstanceNorm with affine parameters and no
running statistics, BatchNorm momentum 0.1). As in the original, each (sub-)network creates
one activation instance and shares it between all of its blocks; this is harmless for the
stateless activations every shipped model uses (PReLU would share its one slope).
"""
import functools

from torch import nn

NORM_LAYERS = {
    'batch': functools.partial(nn.BatchNorm2d, momentum=0.1, affine=True),
    'instance': functools.partial(nn.InstanceNorm2d, affine=True),
    'none': None,
}

ACTIVATIONS = {
    'ReLU': nn.ReLU,
    'SELU': nn.SELU,
    'LeakyReLU': functools.partial(nn.LeakyReLU, 0.1),
    'PReLU': nn.PReLU,
}


def get_norm_layer(norm):
    """Factory ``f(num_features) -> nn.Module`` for ``norm`` ('batch', 'instance'), or None for 'none'."""
    if norm not in NORM_LAYERS:
        raise ValueError(f"norm: unknown normalisation {norm!r}; expected one of {sorted(NORM_LAYERS)}")
    return NORM_LAYERS[norm]


def get_nonlinearity_layer(activation):
    """A new activation module for ``activation`` ('ReLU', 'SELU', 'LeakyReLU' (slope 0.1), 'PReLU')."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: unknown activation {activation!r}; "
                         f"expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[activation]()


def spectral_norm(module, use_spect):
    """Wrap ``module`` in ``torch.nn.utils.spectral_norm`` when ``use_spect`` is set.

    The (old-style) hook API is used on purpose: it stores ``weight_orig``, ``weight_u`` and
    ``weight_v`` exactly as the released checkpoints do; the parametrization API would rename them.
    """
    return nn.utils.spectral_norm(module) if use_spect else module
