"""Running a whole training step, or a network's forward pass, as one CUDA graph replay.

A GFLA training step launches thousands of small kernels (generator, discriminator, VGG losses,
two backward passes, two optimizer steps); on a fast GPU the CPU cannot launch them as quickly as
the GPU runs them. A CUDA graph records the step's kernels once and replays them with one launch.

``GraphedTrainingStep(model)`` is a drop-in for ``model.set_input(batch); model.optimize_parameters()``:
the first ``warmup`` steps run eagerly on a side stream (cuDNN chooses its algorithms, the
optimizers create their state), the next step is captured and replayed, and every later step
copies the batch into the captured input tensors (the model's ``input_*`` tensor attributes) and
replays. The replay is the same arithmetic as the eager step, so training and exact resume behave
as before:
  - the optimizers switch to their graph-safe fused implementation (``make_capturable``); their
    ``state_dict`` keeps the eager layout (the flags the optimizer was built with, CPU step counts),
    so checkpoints are interchangeable between the paths;
  - the learning rate is read from a device tensor filled from ``param_group['lr']`` before each
    replay, so the schedulers' per-iteration changes reach the captured optimizer step (a Python
    float would be baked into the graph);
  - the model's outputs and losses (``self.loss_*``, ``self.img_gen``, ...) are the graph's own
    tensors, overwritten by the next replay: read them before the next step, as train.py does.
A batch of another shape (never in training: the loader drops the last partial batch) runs eagerly.

``GraphedInference(module)`` replays ``module(*tensors)`` without autograd (``torch.inference_mode``
or ``torch.no_grad``), one graph per input signature, and returns copies of the outputs.
"""
import contextlib
import warnings

import torch
from torch import nn
from torch.utils._pytree import tree_map

from util.precision import autocast

INPUT_PREFIX = "input_"  # the model attributes a training step reads its batch from
_CAPTURABLE_WARNING = ".*capturable=True.*"  # Adam's notice that an eager step of a capturable optimizer is slower


def graph_inputs(model):
    """The model's batch: its tensor attributes named ``input_*`` (set by ``set_input``)."""
    return {name: value for name, value in vars(model).items()
            if name.startswith(INPUT_PREFIX) and isinstance(value, torch.Tensor)}


def signature(tensors):
    """What a captured graph is specific to: the shapes, dtypes and devices of its inputs."""
    return tuple((tuple(tensor.shape), tensor.dtype, tensor.device) for tensor in tensors)


class GraphedTrainingStep:
    """``step(batch)``: ``model.set_input(batch)`` and ``model.optimize_parameters()`` as a CUDA graph.

    Args:
        model: a model on one CUDA device whose ``optimize_parameters`` is graph-safe: no host
            synchronisation, no CPU tensors created and copied over, the same kernels every step
            (see ``BaseModel.cuda_graph_safe``); ``model.optimizers`` are Adam-like (``capturable``
            and ``fused`` flags).
        warmup: eager steps before the capture (at least 1: the optimizers' state must exist).
        autocast_dtype: run the step under ``torch.autocast`` with this dtype (None: no autocast).
    """

    def __init__(self, model, warmup=3, autocast_dtype=None):
        if warmup < 1:
            raise ValueError(f"warmup: at least 1 eager step must come before the capture, got {warmup}")
        self.model = model
        self.warmup = warmup
        self.autocast_dtype = autocast_dtype
        self.steps = 0
        self.graph = None
        self.failed = False
        self.static_inputs = {}
        self.stream = torch.cuda.Stream(model.device)
        self.lr_tensors = [[torch.tensor(float(group["lr"]), device=model.device) for group in optimizer.param_groups]
                           for optimizer in model.optimizers]
        for optimizer in model.optimizers:
            make_capturable(optimizer)

    @property
    def captured(self):
        return self.graph is not None

    def __call__(self, batch):
        self.model.set_input(batch)
        inputs = graph_inputs(self.model)
        if self.graph is None and self.steps >= self.warmup and not self.failed:
            self._try_capture(inputs)
        if self.graph is not None and self._matches(inputs):
            self._replay(inputs)
        else:
            self._eager()
        self.steps += 1

    def _matches(self, inputs):
        return inputs.keys() == self.static_inputs.keys() and all(
            signature([tensor]) == signature([self.static_inputs[name]]) for name, tensor in inputs.items())

    def _try_capture(self, inputs):
        """Capture; if the step turns out not to be graph-safe, warn once and stay eager."""
        try:
            self._capture(inputs)
        except RuntimeError as error:
            self.failed, self.graph = True, None
            warnings.warn(f"CUDA graph capture of {type(self.model).__name__}'s training step failed, training "
                          f"goes on eagerly (if --compile is on, try without it; --cuda_graphs=off silences this): "
                          f"{error}", RuntimeWarning, stacklevel=3)

    def _step_context(self):
        return autocast("cuda", self.autocast_dtype)

    def _eager(self):
        """One eager step on the side stream (the capture's warm-up must not run on the default stream)."""
        self.stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(self.stream), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_CAPTURABLE_WARNING)
            with self._step_context():
                self.model.optimize_parameters()
        torch.cuda.current_stream().wait_stream(self.stream)

    def _capture(self, inputs):
        """Record one step (nothing runs) with the current batch copied into the static inputs."""
        self.static_inputs = {name: tensor.clone() for name, tensor in inputs.items()}
        for name, tensor in self.static_inputs.items():
            setattr(self.model, name, tensor)
        for optimizer in self.model.optimizers:
            optimizer.zero_grad(set_to_none=True)  # the gradients become the graph's own tensors
        graph = torch.cuda.CUDAGraph()
        # on the warm-up's stream: the autograd nodes the warm-up left alive (e.g. through the
        # losses) keep that stream; thread_local: the loader's pin-memory thread may use CUDA meanwhile
        capture = torch.cuda.graph(graph, stream=self.stream, capture_error_mode="thread_local")
        with self._learning_rates_as_tensors(), capture, self._step_context():
            self.model.optimize_parameters()
        self.graph = graph

    def _replay(self, inputs):
        for name, tensor in inputs.items():
            self.static_inputs[name].copy_(tensor, non_blocking=True)
            setattr(self.model, name, self.static_inputs[name])
        for optimizer, tensors in zip(self.model.optimizers, self.lr_tensors):
            for group, tensor in zip(optimizer.param_groups, tensors):
                tensor.fill_(group["lr"])  # a kernel argument, no host synchronisation
        self.graph.replay()

    @contextlib.contextmanager
    def _learning_rates_as_tensors(self):
        """The optimizers read the learning rate from ``lr_tensors`` while the step is recorded."""
        groups = [(group, tensor) for optimizer, tensors in zip(self.model.optimizers, self.lr_tensors)
                  for group, tensor in zip(optimizer.param_groups, tensors)]
        rates = [group["lr"] for group, _ in groups]
        for group, tensor in groups:
            group["lr"] = tensor
        try:
            yield
        finally:
            for (group, _), rate in zip(groups, rates):
                group["lr"] = rate


# ------------------------------------------------------------------------------------------ optimizers
_FLAGS = ("capturable", "fused", "foreach")


def make_capturable(optimizer):
    """Switch an Adam-like optimizer in place to its fused, graph-capturable implementation.

    Its ``state_dict`` keeps the layout of the optimizer as built (its own flags, step counts on
    the CPU as the eager implementation keeps them), and ``load_state_dict`` switches it back to
    the graph-safe form, so checkpoints move freely between the eager and the graphed path.

    Raises:
        ValueError: the optimizer has no ``capturable`` flag.
    """
    if not all("capturable" in group for group in optimizer.param_groups):
        raise ValueError(f"{type(optimizer).__name__} cannot be captured in a CUDA graph (no 'capturable' flag)")
    built_with = [{flag: group[flag] for flag in _FLAGS if flag in group} for group in optimizer.param_groups]
    _to_graph_safe(optimizer)
    optimizer.register_state_dict_post_hook(lambda _, state_dict: _as_built(state_dict, built_with))
    optimizer.register_load_state_dict_post_hook(_to_graph_safe)


def _to_graph_safe(optimizer):
    for group in optimizer.param_groups:
        group["capturable"] = True
        if "fused" in group:
            group["fused"], group["foreach"] = True, None
        for parameter in group["params"]:
            state = optimizer.state.get(parameter, {})
            if torch.is_tensor(state.get("step")):
                state["step"] = state["step"].to(device=parameter.device, dtype=torch.float32)
            for key, value in state.items():  # the fused kernels pair tensors by memory order
                if torch.is_tensor(value) and value.shape == parameter.shape and value.stride() != parameter.stride():
                    state[key] = torch.empty_like(parameter, dtype=value.dtype).copy_(value)


def _as_built(state_dict, built_with):
    """``state_dict`` with the flags the optimizer was built with and, where those keep it there,
    the step counts on the CPU; the optimizer's own state is not touched."""
    eager_ids = set()
    for group, flags in zip(state_dict["param_groups"], built_with):
        group.update(flags)
        if not (flags.get("capturable") or flags.get("fused")):
            eager_ids.update(group["params"])
    state_dict["state"] = {
        index: {key: value.detach().to("cpu", torch.float32) if key == "step" and index in eager_ids
                and torch.is_tensor(value) else value for key, value in slots.items()}
        for index, slots in state_dict["state"].items()}
    return state_dict


# ------------------------------------------------------------------------------------------ inference
class GraphedInference(nn.Module):
    """``module(*tensors)`` without autograd, replayed as a CUDA graph per input signature.

    Calls with gradients enabled, with non-tensor arguments, or with more than ``max_graphs``
    different signatures run the module eagerly. The outputs are copies (the graph's own output
    tensors are overwritten by the next call). The module stays reachable as ``_orig_mod``, the
    attribute ``torch.compile`` uses, so ``model.checkpoint.unwrap`` finds it.

    Args:
        module: the network, on a CUDA device.
        warmup: eager calls (on a side stream) before a signature's capture.
        max_graphs: signatures captured at most (each keeps its own memory pool).
    """

    def __init__(self, module, warmup=2, max_graphs=2):
        super().__init__()
        self._orig_mod = module
        self.warmup = warmup
        self.max_graphs = max_graphs
        self.graphs = {}  # signature -> (graph, static inputs, static outputs)

    def forward(self, *inputs):
        graphable = not torch.is_grad_enabled() and all(torch.is_tensor(x) and x.is_cuda for x in inputs)
        key = signature(inputs) if graphable else None
        if key not in self.graphs:
            if not graphable or len(self.graphs) >= self.max_graphs:
                return self._orig_mod(*inputs)
            self.graphs[key] = self._capture(inputs)
        graph, static_inputs, static_outputs = self.graphs[key]
        for static, tensor in zip(static_inputs, inputs):
            static.copy_(tensor, non_blocking=True)
        graph.replay()
        return tree_map(lambda value: value.clone() if torch.is_tensor(value) else value, static_outputs)

    def _capture(self, inputs):
        static_inputs = [tensor.clone() for tensor in inputs]
        stream = torch.cuda.Stream(inputs[0].device)
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(self.warmup):
                self._orig_mod(*static_inputs)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, stream=stream, capture_error_mode="thread_local"):
            static_outputs = self._orig_mod(*static_inputs)
        return graph, static_inputs, static_outputs
