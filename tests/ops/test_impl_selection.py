"""The implementation switch (impl= argument, GFLA_OPS_IMPL, auto fallback) and the JIT
loader's build settings, without a GPU: building is replaced by fakes."""
import types
import warnings

import pytest
import torch
from torch.utils import cpp_extension

from model.ops import custom_ops
from model.ops.block_extractor import block_extractor
from model.ops.resample2d import resample2d

CUDA_TENSOR = types.SimpleNamespace(is_cuda=True, device=torch.device("cuda", 0))  # device is all it reads


class FailingExtension(custom_ops.CudaExtension):
    """An extension whose build fails like a compiler error, counting build attempts."""

    def __init__(self):
        super().__init__("gfla_fake", [])
        self.attempts = 0

    def _build(self):
        self.attempts += 1
        raise RuntimeError("Error building extension 'gfla_fake': nvcc fatal: Unsupported gpu architecture")


def block_inputs():
    return torch.randn(2, 3, 4, 5), torch.randn(2, 2, 4, 5)


@pytest.mark.parametrize("env", [None, "torch", "auto"])
def test_cpu_tensors_use_the_twin(monkeypatch, env):
    if env is not None:
        monkeypatch.setenv(custom_ops.IMPL_ENV_VAR, env)
    source, flow = block_inputs()
    expected = block_extractor(source, flow, 3, impl="torch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning for CPU tensors
        assert torch.equal(block_extractor(source, flow, 3), expected)


def test_forced_cuda_on_cpu_tensors_raises(monkeypatch):
    source, flow = block_inputs()
    with pytest.raises(ValueError, match="block_extractor: impl='cuda' asks for the CUDA implementation, but the "
                                         "input is on device 'cpu'"):
        block_extractor(source, flow, 3, impl="cuda")
    monkeypatch.setenv(custom_ops.IMPL_ENV_VAR, "cuda")
    with pytest.raises(ValueError, match="resample2d: GFLA_OPS_IMPL='cuda' asks for the CUDA implementation"):
        resample2d(torch.randn(1, 2, 3, 3), torch.randn(1, 2, 3, 3))


def test_argument_overrides_environment(monkeypatch):
    monkeypatch.setenv(custom_ops.IMPL_ENV_VAR, "cuda")
    source, flow = block_inputs()
    assert block_extractor(source, flow, 3, impl="torch").shape == (2, 3, 12, 15)


def test_unknown_implementation_names_raise(monkeypatch):
    source, flow = block_inputs()
    with pytest.raises(ValueError, match="impl='ref' is not a known implementation; expected one of torch, cuda, auto"):
        block_extractor(source, flow, 3, impl="ref")
    monkeypatch.setenv(custom_ops.IMPL_ENV_VAR, "CUDA")
    with pytest.raises(ValueError, match="GFLA_OPS_IMPL='CUDA' is not a known implementation"):
        block_extractor(source, flow, 3)


def test_auto_falls_back_with_one_warning_carrying_the_build_error():
    extension = FailingExtension()
    with pytest.warns(RuntimeWarning, match="(?s)nvcc fatal: Unsupported gpu architecture.*Falling back"):
        assert custom_ops.select_extension("op", extension, None, CUDA_TENSOR) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second call is silent ...
        assert custom_ops.select_extension("op", extension, "auto", CUDA_TENSOR) is None
    assert extension.attempts == 1  # ... and does not rebuild


def test_forced_cuda_raises_the_build_error():
    extension = FailingExtension()
    with pytest.raises(RuntimeError, match="'gfla_fake' could not be built or loaded: .*Unsupported gpu"):
        custom_ops.select_extension("op", extension, "cuda", CUDA_TENSOR)


def test_torch_never_builds():
    extension = FailingExtension()
    assert custom_ops.select_extension("op", extension, "torch", CUDA_TENSOR) is None
    assert extension.attempts == 0


def fake_load(record):
    def load(**kwargs):
        record.update(kwargs, arch_list=custom_ops.os.environ.get("TORCH_CUDA_ARCH_LIST"))
        return "module"
    return load


def test_build_uses_extensions_dir_arch_list_and_default_standard(monkeypatch, tmp_path):
    record = {}
    monkeypatch.setattr(cpp_extension, "load", fake_load(record))
    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    monkeypatch.setenv("TORCH_CUDA_ARCH_LIST", "8.0;9.0")
    from model.ops.block_extractor import EXTENSION
    extension = custom_ops.CudaExtension("gfla_test", EXTENSION.sources)
    assert extension.load() == "module"
    assert record["name"] == "gfla_test"
    assert record["build_directory"].startswith(str(tmp_path / "gfla_test_"))
    assert record["arch_list"] == "8.0;9.0"
    flags = record["extra_cflags"] + record["extra_cuda_cflags"]
    assert not [flag for flag in flags if "std=" in flag or "gencode" in flag or "arch" in flag]
    assert record["extra_include_paths"] == [str(custom_ops._HEADER.parent)]


def test_build_directory_depends_on_architecture(monkeypatch):
    from model.ops.resample2d import EXTENSION
    assert EXTENSION._digest("9.0") != EXTENSION._digest("8.6")
    assert EXTENSION._digest("9.0") == EXTENSION._digest("9.0")


@pytest.mark.parametrize("capability, expected", [((8, 6), "8.6"), ((12, 0), "9.0+PTX")])
def test_without_arch_list_builds_for_the_gpu_in_use(monkeypatch, tmp_path, capability, expected):
    record = {}
    monkeypatch.setattr(cpp_extension, "load", fake_load(record))
    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    monkeypatch.delenv("TORCH_CUDA_ARCH_LIST", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_arch_list", lambda: ["sm_80", "sm_86", "sm_90"])
    custom_ops.CudaExtension("gfla_test", []).load()
    assert record["arch_list"] == expected
    assert "TORCH_CUDA_ARCH_LIST" not in custom_ops.os.environ  # restored after the build


def test_without_gpu_or_arch_list_the_error_says_what_to_set(monkeypatch):
    monkeypatch.delenv("TORCH_CUDA_ARCH_LIST", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="set TORCH_CUDA_ARCH_LIST"):
        custom_ops.CudaExtension("gfla_test", []).load()
