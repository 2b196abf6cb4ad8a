"""Base class of every top-level GFLA network: weight initialisation and parameter count.

Ported from GFLA ``model/networks/base_network.py`` (``BaseNetwork.init_weights``, snapshot
3afa8fe). Equivalent for all init types (original: model/networks/base_network.py, BaseNetwork.init_weights): BatchNorm2d weight ~ N(1, gain),
conv / transposed-conv / linear weights by ``init_type``, all their biases zero, InstanceNorm
affine parameters untouched.

Kept quirk, made explicit: the original moved networks to the GPU before initialising them,
which detached spectral norm's ``weight`` from ``weight_orig`` so the init never reached
spectrally-normalised layers. Those layers therefore keep PyTorch's default init here too
(only their biases are zeroed); every shipped discriminator was trained that way.
"""
from torch import nn
from torch.nn import init

CONV_OR_LINEAR = (nn.modules.conv._ConvNd, nn.Linear)


# weight initialisers by name, each ``f(weight, gain)`` in place; 'none' means reset_parameters()
WEIGHT_INITS = {
    'normal': lambda w, gain: init.normal_(w, 0.0, gain),
    'xavier': lambda w, gain: init.xavier_normal_(w, gain=gain),
    'xavier_uniform': lambda w, gain: init.xavier_uniform_(w, gain=1.0),
    'kaiming': lambda w, gain: init.kaiming_normal_(w, a=0, mode='fan_in'),
    'orthogonal': lambda w, gain: init.orthogonal_(w, gain=gain),
}
INIT_TYPES = (*WEIGHT_INITS, 'none')


class BaseNetwork(nn.Module):
    """``nn.Module`` with GFLA's ``init_weights`` and a parameter count."""

    def num_parameters(self):
        """Number of distinct parameters (aliased tensors such as ``Jump.conv1`` counted once)."""
        return sum(p.numel() for p in self.parameters())

    def init_weights(self, init_type='normal', gain=0.02):
        """Initialise all conv, linear and BatchNorm2d layers of this network in place.

        Args:
            init_type: 'normal' N(0, gain), 'xavier' (normal, gain), 'xavier_uniform' (gain 1),
                'kaiming' (normal, fan_in), 'orthogonal' (gain), or 'none' (PyTorch's default
                ``reset_parameters``). Biases become 0 in every case.
            gain: scale used by 'normal', 'xavier', 'orthogonal' and the BatchNorm weights.
        """
        if init_type not in INIT_TYPES:
            raise ValueError(f"init_type: unknown initialisation {init_type!r}; expected one of {INIT_TYPES}")
        for module in self.modules():
            if isinstance(module, nn.BatchNorm2d):
                if module.weight is not None:
                    init.normal_(module.weight, 1.0, gain)
                    init.zeros_(module.bias)
            elif isinstance(module, CONV_OR_LINEAR):
                # spectral-norm layers keep PyTorch's default weight init (see module docstring)
                if not hasattr(module, 'weight_orig'):
                    if init_type == 'none':
                        module.reset_parameters()
                    else:
                        WEIGHT_INITS[init_type](module.weight.data, gain)
                if module.bias is not None:
                    init.zeros_(module.bias.data)
        return self
