"""The CUDA paths of the custom ops are ``torch.library`` ops (``torch.ops.gfla.*``), checked with
``torch.library.opcheck`` (schema, fake kernel, autograd registration, AOT tracing): on the CPU,
where a registered op computes the twin and the twin's gradient, and on CUDA, where it runs the
extension, its backward op included."""
import pytest
import torch

from model.ops.block_extractor import OP as BLOCK_EXTRACTOR
from model.ops.block_extractor import block_extractor_reference
from model.ops.local_attention_apply import OP as LOCAL_ATTENTION_APPLY
from model.ops.local_attention_apply import local_attention_apply_reference
from model.ops.resample2d import OP as RESAMPLE2D
from model.ops.resample2d import resample2d_reference

FAST_CHECKS = ("test_schema", "test_autograd_registration", "test_faketensor")


def cases(device, dtype=torch.float64):
    """name -> (op, the twin, tensor arguments, scalar arguments), small random inputs."""
    def tensor(*shape, scale=1.0):
        return (torch.randn(*shape, dtype=dtype) * scale).to(device).requires_grad_()

    source, flow = tensor(2, 3, 5, 6), tensor(2, 2, 5, 6, scale=2.0)
    weights = torch.randn(2, 9, 5, 6, dtype=dtype).softmax(1).to(device).requires_grad_()
    return {
        "block_extractor": (BLOCK_EXTRACTOR, block_extractor_reference, (source, flow), (3,)),
        "resample2d": (RESAMPLE2D, resample2d_reference, (source, flow), (4, 1, 2.0)),
        "local_attention_apply": (LOCAL_ATTENTION_APPLY, local_attention_apply_reference, (source, weights, flow),
                                  (3,)),
    }


NAMES = list(cases("cpu"))


def test_ops_are_registered_under_the_gfla_namespace():
    for name in NAMES:
        assert hasattr(torch.ops.gfla, name) and hasattr(torch.ops.gfla, name + "_backward")


@pytest.mark.parametrize("name", NAMES)
def test_opcheck_on_the_cpu(name):
    op, _, tensors, scalars = cases("cpu")[name]
    torch.library.opcheck(op, (*tensors, *scalars), test_utils=FAST_CHECKS)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_opcheck_aot_dispatch_on_the_cpu(name):
    op, _, tensors, scalars = cases("cpu")[name]
    torch.library.opcheck(op, (*tensors, *scalars), test_utils=("test_aot_dispatch_dynamic",))


@pytest.mark.parametrize("name", NAMES)
def test_registered_op_on_the_cpu_is_the_twin_with_its_gradients(name):
    op, reference, tensors, scalars = cases("cpu")[name]
    out = op(*tensors, *scalars)
    expected = reference(*tensors, *scalars)
    assert torch.equal(out, expected)
    grad_out = torch.randn_like(out)
    got = torch.autograd.grad(out, tensors, grad_out)
    wanted = torch.autograd.grad(expected, tensors, grad_out)
    for index, (a, b) in enumerate(zip(got, wanted)):
        assert torch.equal(a, b), f"{name}: gradient of input {index}"


def test_only_the_needed_gradients_are_computed_on_the_cpu():
    op, _, (source, flow), scalars = cases("cpu")["block_extractor"]
    out = op(source, flow.detach(), *scalars)
    grad, = torch.autograd.grad(out.sum(), [source])
    assert grad.shape == source.shape


@pytest.mark.slow
def test_registered_op_compiles_without_graph_breaks():
    op, reference, tensors, scalars = cases("cpu", torch.float32)["block_extractor"]
    compiled = torch.compile(lambda s, f: op(s, f, *scalars).square().sum(), backend="aot_eager", fullgraph=True)
    value = compiled(*tensors)
    value.backward()
    expected = reference(*[t.detach().requires_grad_() for t in tensors], *scalars).square().sum()
    torch.testing.assert_close(value, expected)


@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", NAMES)
def test_opcheck_on_cuda(name, dtype):
    op, _, tensors, scalars = cases("cuda", dtype)[name]
    torch.library.opcheck(op, (*tensors, *scalars))
    backward = getattr(torch.ops.gfla, name + "_backward")
    out = op(*tensors, *scalars)
    detached = [tensor.detach() for tensor in tensors]
    for needs in ([True] * len(tensors), [False] + [True] * (len(tensors) - 1)):
        torch.library.opcheck(backward, (torch.randn_like(out), *detached, *scalars, *needs))
