"""One just-in-time loader for the custom ops' CUDA extensions, and the per-call switch between
an extension and the exact pure-PyTorch path ("twin").

Building: on first use a ``CudaExtension`` compiles its ``.cpp``/``.cu`` sources with ninja
through ``torch.utils.cpp_extension.load`` (compiler-default C++ standard, no hard-coded
gencode: ``TORCH_CUDA_ARCH_LIST`` when set, else the GPU in use). The build lives in
``$TORCH_EXTENSIONS_DIR`` (default: PyTorch's cache folder) under a directory named by a hash
of the sources, the shared header, the architectures and the PyTorch/CUDA versions, so a change
of any of them builds afresh and an unchanged one loads in about a second.
``python -m script.build_ops`` builds all extensions ahead of time.

Choosing: the ``impl=`` argument of an op, else the ``GFLA_OPS_IMPL`` environment variable,
else ``auto``:
  - ``torch``: always the twin;
  - ``cuda``: the extension; a build failure raises, and CPU tensors raise;
  - ``auto``: the extension for CUDA tensors when it builds, else the twin after one warning
    that carries the build error. CPU tensors always take the twin.

Registration: each op's extension path is a ``torch.library`` op, ``torch.ops.gfla.<op>`` with a
fake (meta) kernel and a registered autograd formula whose backward is ``torch.ops.gfla.<op>_backward``
(``register_op``), so ``torch.compile`` and CUDA graph capture see one opaque op with known output
shapes instead of a Python ``autograd.Function``. The registered op also runs on the CPU, where it
computes the twin (and the twin's gradient): ``torch.library.opcheck`` tests it there.

Non-finite inputs: on both paths a NaN or infinite flow gives NaN outputs (and gradients), never
an index error and never a finite sample, at no cost in synchronisation, so a training step can
detect it in its loss. With ``GFLA_CHECK_FINITE=1`` every op instead checks its inputs and raises
``NonFiniteError`` naming the op and the input (one host sync per input: for debugging only).
"""
import contextlib
import hashlib
import numbers
import os
import sys
import warnings
from pathlib import Path

import torch

LIBRARY = "gfla"  # namespace of the registered ops: torch.ops.gfla.<op>
IMPL_ENV_VAR = "GFLA_OPS_IMPL"
IMPLS = ("torch", "cuda", "auto")
VERBOSE_ENV_VAR = "GFLA_OPS_VERBOSE"  # 1: print the compiler commands and output while building
CHECK_FINITE_ENV_VAR = "GFLA_CHECK_FINITE"  # 1: every op raises NonFiniteError on NaN/inf inputs

_HEADER = Path(__file__).with_name("custom_ops.h")
_EXTRA_FLAGS = ["-O3"]
_WARNING_TAIL_CHARS = 4000  # a failed nvcc run can print pages; its end says what went wrong


class CudaExtension:
    """A lazily built, cached CUDA extension.

    Args:
        name: Python module name of the extension (a valid identifier).
        sources: its ``.cpp`` and ``.cu`` files; ``custom_ops.h`` is on the include path.
    """

    def __init__(self, name, sources):
        self.name = name
        self.sources = [Path(source) for source in sources]
        self._module = None
        self._error = None
        self._warned = False

    def load(self):
        """The built extension module; builds it on first call. Raises RuntimeError (with the
        build error) when it cannot be built; a failure is remembered, not retried."""
        if self._module is None and self._error is None:
            try:
                self._module = self._build()
            except Exception as error:  # any build failure (nvcc, ninja, linker, import) is reported
                self._error = error
        if self._error is not None:
            raise RuntimeError(f"the CUDA extension '{self.name}' could not be built or loaded: "
                               f"{self._error}") from self._error
        return self._module

    def warn_fallback(self, error):
        """Warn once that auto mode uses the PyTorch path, saying why."""
        if self._warned:
            return
        self._warned = True
        text = str(error)
        if len(text) > _WARNING_TAIL_CHARS:
            text = "... " + text[-_WARNING_TAIL_CHARS:]
        warnings.warn(f"{text}\nFalling back to the exact pure-PyTorch implementation of "
                      f"'{self.name}' (slower, more memory). Set {IMPL_ENV_VAR}=torch to silence "
                      f"this, or {IMPL_ENV_VAR}=cuda to make it an error.", RuntimeWarning,
                      stacklevel=4)

    def _build(self):
        from torch.utils import cpp_extension  # imported lazily: it probes for compilers

        arch_list = os.environ.get("TORCH_CUDA_ARCH_LIST") or _current_gpu_arch()
        build_dir = _build_root() / f"{self.name}_{self._digest(arch_list)}"
        build_dir.mkdir(parents=True, exist_ok=True)
        verbose = os.environ.get(VERBOSE_ENV_VAR, "0") not in ("", "0")
        if not (build_dir / f"{self.name}.so").exists():
            print(f"GFLA: compiling CUDA extension '{self.name}' for arch {arch_list} into {build_dir} "
                  "(once; about a minute)", file=sys.stderr, flush=True)
        with _environment("TORCH_CUDA_ARCH_LIST", arch_list):
            return cpp_extension.load(
                name=self.name, sources=[str(source) for source in self.sources],
                extra_include_paths=[str(_HEADER.parent)], extra_cflags=_EXTRA_FLAGS,
                extra_cuda_cflags=_EXTRA_FLAGS, build_directory=str(build_dir), verbose=verbose)

    def _digest(self, arch_list):
        digest = hashlib.sha256()
        for path in [*self.sources, _HEADER]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        digest.update(f"{arch_list}|{torch.__version__}|{torch.version.cuda}|{_EXTRA_FLAGS}|"
                      f"{sys.version_info[:2]}".encode())
        return digest.hexdigest()[:16]


def select_extension(op_name, extension, impl, tensor):
    """The loaded extension to run ``op_name`` on ``tensor`` with, or None for the twin.

    Args:
        op_name: op name for messages.
        extension: the op's CudaExtension, or None when the op's CUDA path is plain PyTorch.
        impl: 'torch', 'cuda', 'auto' or None (then ``$GFLA_OPS_IMPL``, default 'auto').
        tensor: the op's main input; its device decides.
    Returns:
        The extension module, or None.
    Raises:
        ValueError: unknown impl, or impl 'cuda' for a tensor that is not on a CUDA device.
        RuntimeError: impl 'cuda' and the extension cannot be built.
    """
    requested, origin = _requested_impl(impl)
    if requested == "torch":
        return None
    if not tensor.is_cuda:
        if requested == "cuda":
            raise ValueError(f"{op_name}: {origin} asks for the CUDA implementation, but the input is "
                             f"on device '{tensor.device}'; move it to a CUDA device or use 'torch' "
                             "or 'auto' (the pure-PyTorch path runs on any device)")
        return None
    if extension is None:
        return None
    if requested == "cuda":
        return extension.load()
    try:
        return extension.load()
    except RuntimeError as error:
        extension.warn_fallback(error)
        return None


def _requested_impl(impl):
    """(implementation, where it came from) after validation."""
    if impl is not None:
        value, origin = impl, f"impl={impl!r}"
    else:
        value = os.environ.get(IMPL_ENV_VAR, "auto")
        origin = f"{IMPL_ENV_VAR}={value!r}"
    if value not in IMPLS:
        raise ValueError(f"{origin} is not a known implementation; expected one of {', '.join(IMPLS)}")
    return value, origin


def _current_gpu_arch():
    """'major.minor' of the GPU in use, capped at the newest architecture this PyTorch was
    built for (with PTX then, so the driver can compile it for the newer GPU)."""
    if not torch.cuda.is_available():
        raise RuntimeError("no CUDA device to build for: set TORCH_CUDA_ARCH_LIST (e.g. '9.0') "
                           "to build without one")
    capability = torch.cuda.get_device_capability(torch.cuda.current_device())
    built = [(int(arch[3:-1]), int(arch[-1])) for arch in torch.cuda.get_arch_list()
             if arch.startswith("sm_") and arch[3:].isdigit()]
    if built and capability > max(built):
        major, minor = max(built)
        return f"{major}.{minor}+PTX"
    return f"{capability[0]}.{capability[1]}"


def _build_root():
    from torch.utils import cpp_extension

    return Path(os.environ.get("TORCH_EXTENSIONS_DIR") or cpp_extension.get_default_build_root())


@contextlib.contextmanager
def _environment(name, value):
    """Set an environment variable for the duration of the block."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


def describe(value):
    """How an argument appears in error messages: a tensor's dtype and shape, else its repr."""
    if isinstance(value, torch.Tensor):
        return f"{value.dtype} tensor of shape {tuple(value.shape)}"
    return repr(value)


def is_integer(value):
    """True for Python/NumPy integers, False for bools (``True`` is no kernel size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_source_and_flow(op_name, source_name, source, flow):
    """Raise ValueError naming the bad argument unless ``source`` is a 4-D floating tensor and
    ``flow`` a floating [B, 2, H, W] tensor of its batch, on its device."""
    if not isinstance(source, torch.Tensor) or source.dim() != 4 or not source.is_floating_point():
        raise ValueError(f"{op_name}: {source_name} must be a 4-D floating tensor [B, C, H, W], got "
                         f"{describe(source)}")
    if (not isinstance(flow, torch.Tensor) or flow.dim() != 4 or not flow.is_floating_point()
            or flow.shape[:2] != (source.shape[0], 2)):
        raise ValueError(f"{op_name}: flow must be a floating tensor [B, 2, H, W] with B = {source.shape[0]} "
                         f"(the batch of {source_name}), got {describe(flow)}")
    if flow.device != source.device:
        raise ValueError(f"{op_name}: flow and {source_name} must be on one device, got {flow.device} "
                         f"and {source.device}")


def check_kernel_size(op_name, kernel_size):
    """Raise ValueError unless ``kernel_size`` is an integer >= 1; returns it as an int."""
    if not is_integer(kernel_size) or kernel_size < 1:
        raise ValueError(f"{op_name}: kernel_size must be an int >= 1, got {kernel_size!r}")
    return int(kernel_size)


class NonFiniteError(FloatingPointError):
    """An op's input holds NaN or infinite values (raised only with ``GFLA_CHECK_FINITE=1``)."""


def check_finite(op_name, **tensors):
    """With ``$GFLA_CHECK_FINITE`` set (not '' or '0'), raise NonFiniteError for the first of
    ``tensors`` (name=tensor) holding NaN or inf; otherwise do nothing (no device sync)."""
    if os.environ.get(CHECK_FINITE_ENV_VAR, "0") in ("", "0"):
        return
    for name, tensor in tensors.items():
        finite = torch.isfinite(tensor)
        if bool(finite.all()):
            continue
        first = tuple(int(i) for i in torch.nonzero(~finite)[0])
        nan = int(torch.isnan(tensor).sum())
        raise NonFiniteError(
            f"{op_name}: {name} holds non-finite values ({nan} NaN, {int((~finite).sum()) - nan} inf of "
            f"{tensor.numel()}; the first at index {first}); the values feeding it diverged "
            f"(checked because {CHECK_FINITE_ENV_VAR}={os.environ[CHECK_FINITE_ENV_VAR]})")


def nan_where_non_finite(values, flow, kernel_size=1):
    """``values`` [B, C, k*H, k*W] plus 0 where ``flow`` [B, 2, H, W] is finite, NaN where it is not.

    For samplers that clamp coordinates (``grid_sample`` with border padding) and would turn a
    non-finite flow into a finite sample. ``flow`` is detached: the gradients stay those of
    ``values``; the result has ``values``' dtype and is bitwise ``values`` where the flow is finite
    (up to the sign of zeros).
    """
    b, c, height, width = values.shape
    h, w, k = height // kernel_size, width // kernel_size, kernel_size
    flow = flow.detach()
    zero_or_nan = ((flow[:, 0] + flow[:, 1]) * 0).to(values.dtype)  # inf * 0 and NaN * 0 are NaN
    cells = values.view(b, c, h, k, w, k) + zero_or_nan.view(b, 1, h, 1, w, 1)
    return cells.view(b, c, height, width)


def register_op(name, params, reference, output_like, extension):
    """Register ``gfla::<name>`` and its backward ``gfla::<name>_backward`` with ``torch.library``.

    Args:
        name: the op's name.
        params: the schema of its arguments, tensors first, e.g. ``"Tensor source, Tensor flow,
            int kernel_size"``; the op returns one tensor.
        reference: the twin, called with the op's arguments: the op's CPU kernel, and (through
            autograd) its gradient on the CPU.
        output_like: ``f(*arguments)`` -> an empty tensor shaped like the output (the fake kernel).
        extension: the CudaExtension computing it on CUDA tensors: ``forward(*arguments)`` and
            ``backward(grad_out, *arguments, *need_grad_per_tensor)`` -> the tensors' gradients,
            None where not needed.
    Returns:
        The op, callable as ``op(*arguments)`` (also reachable as ``torch.ops.gfla.<name>``).
        Its gradient is first-order: the backward op itself has no gradient.
    """
    tensor_names = [param.split()[1] for param in params.split(",") if param.split()[0] == "Tensor"]
    count = len(tensor_names)

    def forward(*arguments):
        if arguments[0].is_cuda:
            return extension.load().forward(*arguments)
        return reference(*arguments).contiguous()

    op = torch.library.custom_op(f"{LIBRARY}::{name}", forward, mutates_args=(), schema=f"({params}) -> Tensor")
    op.register_fake(output_like)

    def backward_cuda(grad_out, *arguments):
        grads = extension.load().backward(grad_out, *arguments)
        # a schema cannot return None: an unneeded gradient is an empty tensor
        return [grad if grad is not None else tensor.new_empty(0) for grad, tensor in zip(grads, arguments)]

    def backward_fake(grad_out, *arguments):
        return [torch.empty_like(tensor, memory_format=torch.contiguous_format) if need else tensor.new_empty(0)
                for tensor, need in zip(arguments[:count], arguments[-count:])]

    needs = ", ".join(f"bool need_{tensor}" for tensor in tensor_names)
    backward_op = torch.library.custom_op(
        f"{LIBRARY}::{name}_backward", backward_cuda, mutates_args=(), device_types="cuda",
        schema=f"(Tensor grad_out, {params}, {needs}) -> Tensor[]")
    backward_op.register_fake(backward_fake)

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs[:count])
        ctx.scalars = inputs[count:]

    def backward(ctx, grad_out):
        tensors, needs = ctx.saved_tensors, ctx.needs_input_grad[:count]
        if grad_out.is_cuda:
            grads = backward_op(grad_out, *tensors, *ctx.scalars, *needs)
            grads = [grad if need else None for grad, need in zip(grads, needs)]
        else:
            grads = _reference_gradients(reference, tensors, ctx.scalars, grad_out, needs)
        return (*grads, *[None] * len(ctx.scalars))

    op.register_autograd(backward, setup_context=setup_context)
    return op


def _reference_gradients(reference, tensors, scalars, grad_out, needs):
    """The gradients of ``reference(*tensors, *scalars)`` for the tensors with ``needs`` (None
    for the others), by autograd through the twin."""
    with torch.enable_grad():
        inputs = [tensor.detach().requires_grad_(need) for tensor, need in zip(tensors, needs)]
        output = reference(*inputs, *scalars)
        grads = iter(torch.autograd.grad(output, [tensor for tensor in inputs if tensor.requires_grad], grad_out))
    return [next(grads) if need else None for need in needs]
