"""``torch.compile`` for networks with hook-based spectral norm (the discriminators).

Compiled as a whole, such a network fails in its backward pass when it is called twice before one
backward (the real and the generated image): the compiled backward finds a vector it saved from
the first call modified in place by the second call's power iteration (an autograd "modified by an
inplace operation" error, seen with torch 2.11 and 2.14; eager spectral norm saves clones). Here
the power iterations stay eager, exactly as ``torch.nn.utils.spectral_norm`` runs them, in one
forward pre-hook on the network, and only its ``forward`` is compiled: it reads each layer's
normalised weight as an input. State_dict keys and the arithmetic of ``u``, ``v`` and the weight
are unchanged; only the convolutions and activations run compiled.
"""
import torch
from torch.nn.utils.spectral_norm import SpectralNorm


class EagerSpectralNorm:
    """A forward pre-hook running the spectral norm hooks of ``layers`` ([(layer, SpectralNorm)])."""

    def __init__(self, layers):
        self.layers = layers

    def __call__(self, module, inputs):
        for layer, spectral_norm in self.layers:
            spectral_norm(layer, inputs)


def spectral_norm_hooks(module):
    """[(layer, key, SpectralNorm hook)] for every layer of ``module`` with spectral norm."""
    return [(layer, key, hook) for layer in module.modules()
            for key, hook in layer._forward_pre_hooks.items() if isinstance(hook, SpectralNorm)]


def compile_with_eager_spectral_norm(module, backend="inductor"):
    """Compile ``module.forward`` in place (static shapes), its spectral norm hooks moved into one
    eager pre-hook on ``module`` that runs them in their original order before each call."""
    hooks = spectral_norm_hooks(module)
    for layer, key, _ in hooks:
        del layer._forward_pre_hooks[key]
    module.register_forward_pre_hook(EagerSpectralNorm([(layer, hook) for layer, _, hook in hooks]))
    module.forward = torch.compile(module.forward, backend=backend, dynamic=False)
    return module
