"""The fast path on a GPU, chosen by ``--cuda_graphs`` (auto | on | off), for train.py and test.py.

Training: every optimisation step (forward, both backward passes, both optimizer steps) is one
CUDA graph replay (``util.cuda_graphs.GraphedTrainingStep``), and the networks without instance
normalisation (discriminators, the VGG19 of the losses) run in channels_last, the layout cuDNN
computes in (NCHW tensors would be converted around every convolution); networks with instance
norm stay NCHW, which ``instance_norm`` needs. Testing: the generator's forward pass is one replay
(``GraphedInference``). Same arithmetic as the eager path, in float32 (or under bfloat16
autocast on both paths with ``--precision=bf16``, util/precision.py).

``auto`` (default) takes the fast path where it applies: a CUDA device, one process (not under
torchrun/DDP), and a model that declares its step graph-safe (``BaseModel.cuda_graph_safe``);
``on`` raises an OptionError where it does not apply; ``off`` runs everything eagerly. CPU runs
are unaffected.

``--compile`` (off by default; only on the fast path) also compiles the networks and the losses'
VGG19 with ``torch.compile`` (inductor) before the capture, so the graph replays fused kernels
(bias, activation and normalisation in one kernel instead of several). It costs a compilation at
the start of a run (on the H200 about 40 s for the generator's forward pass, one to two minutes
for a training step; shapes are static, and ``compiled_for_the_first_batch`` keeps test.py's
last, smaller batch from compiling again); the arithmetic is float32 as before, reordered (the
losses agree to float32 round-off, not bitwise).
Networks with spectral norm (the discriminators) compile with their power iterations kept eager
(util/compile_spectral_norm.py says why).
"""
import torch
from torch import nn

from model.networks.losses.vgg import VGG19
from options.errors import OptionError
from util import distributed as dist
from util.compile_spectral_norm import compile_with_eager_spectral_norm, spectral_norm_hooks
from util.cuda_graphs import GraphedInference, GraphedTrainingStep
from util.precision import autocast, autocast_dtype

CUDA_GRAPHS_CHOICES = ("auto", "on", "off")
CHANNELS_LAST_BLOCKERS = (nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)  # they convert to NCHW


def use_cuda_graphs(model, opt):
    """Whether ``model`` runs on the fast path under ``opt.cuda_graphs``.

    Raises:
        OptionError: ``--cuda_graphs=on`` where the fast path does not apply (naming why).
    """
    choice = getattr(opt, "cuda_graphs", "off")
    if choice not in CUDA_GRAPHS_CHOICES:
        raise OptionError(f"--cuda_graphs: expected one of {', '.join(CUDA_GRAPHS_CHOICES)}, got {choice!r}")
    if choice == "off":
        return False
    reason = _why_not(model)
    if reason and choice == "on":
        raise OptionError(f"--cuda_graphs=on: {reason}; use --cuda_graphs=auto or off")
    return reason is None


def use_compile(model, opt):
    """Whether ``--compile`` applies to ``model``: it does on the fast path (``use_cuda_graphs``).

    Raises:
        OptionError: ``--compile`` off the fast path (naming why).
    """
    if not getattr(opt, "compile", False):
        return False
    reason = "--cuda_graphs=off" if getattr(opt, "cuda_graphs", "off") == "off" else _why_not(model)
    if reason:
        raise OptionError(f"--compile: only on the fast path, which does not apply here ({reason}); "
                          "drop --compile")
    return True


def _why_not(model):
    if model.device.type != "cuda":
        return f"the model runs on {model.device}, CUDA graphs need a CUDA device"
    if dist.is_initialized():
        return "not under torchrun (DistributedDataParallel steps are not captured)"
    if not type(model).cuda_graph_safe:
        return f"{type(model).__name__} does not declare its step graph-safe (cuda_graph_safe)"
    return None


def training_step(model, opt, channels_last=True):
    """The callable train.py runs per batch: ``step(batch)`` = set_input + optimize_parameters,
    graphed (and channels_last where it pays) when ``use_cuda_graphs``, else eager; under autocast
    when ``opt.precision`` is bf16.

    Args:
        channels_last: the graphed step's layout (the benchmark compares both; True is what
            train.py uses).
    """
    dtype = autocast_dtype(opt)
    graphed, compiled = use_cuda_graphs(model, opt), use_compile(model, opt)  # the latter raises off the fast path
    if not graphed:
        def eager_step(batch):
            model.set_input(batch)
            with autocast(model.device.type, dtype):
                model.optimize_parameters()
        return eager_step
    if channels_last:
        to_channels_last(model)
    if compiled:
        compile_modules(training_networks(model))
    return GraphedTrainingStep(model, autocast_dtype=dtype)


def graph_inference(model, opt):
    """Wrap each of the model's networks in ``GraphedInference`` when ``use_cuda_graphs`` (for
    test.py, after the checkpoint is loaded)."""
    graphed, compiled = use_cuda_graphs(model, opt), use_compile(model, opt)  # the latter raises off the fast path
    if not graphed:
        return
    networks = [getattr(model, "net_" + name) for name in model.model_names]
    if compiled:
        compile_modules(networks)
    for name, network in zip(model.model_names, networks):
        setattr(model, "net_" + name, GraphedInference(network))


def compiled_for_the_first_batch(index):
    """The compiler stance for test.py's batch ``index``: the first batch compiles (``--compile``);
    a later one of another shape (the last, smaller batch) runs eagerly rather than compiling again,
    which would take as long as the first compilation for a few images. No effect without
    ``--compile``."""
    return torch.compiler.set_stance("default" if index == 0 else "eager_on_recompile")


def to_channels_last(model):
    """Put the model's networks and loss modules without instance norm into channels_last
    (parameters keep their identity, so the optimizers are unaffected)."""
    modules = list(model.networks().values()) + ([model.losses] if isinstance(getattr(model, "losses", None),
                                                                             nn.Module) else [])
    for module in modules:
        if not any(isinstance(layer, CHANNELS_LAST_BLOCKERS) for layer in module.modules()):
            module.to(memory_format=torch.channels_last)


def training_networks(model):
    """What ``--compile`` compiles for training: the model's networks and those of its losses."""
    return list(model.networks().values()) + loss_networks(model)


def loss_networks(model):
    """The networks inside the model's loss modules: the frozen VGG19 the perceptual losses share."""
    losses = getattr(model, "losses", None)
    return [module for module in losses.modules() if isinstance(module, VGG19)] if isinstance(losses, nn.Module) else []


def compile_modules(modules, backend="inductor"):
    """``torch.compile`` each of ``modules`` in place (static shapes; state_dict keys, parameters
    and so the optimizers stay as they are): ``nn.Module.compile``, or for a network with spectral
    norm ``compile_with_eager_spectral_norm``; and say which. Returns ``modules``."""
    names = []
    for module in modules:
        if spectral_norm_hooks(module):
            compile_with_eager_spectral_norm(module, backend)
            names.append(f"{type(module).__name__} (its spectral norm eager)")
        else:
            module.compile(backend=backend, dynamic=False)
            names.append(type(module).__name__)
    dist.print0(f"--compile: compiling {', '.join(names) or 'nothing'}; the first steps take a minute or two")
    return modules
