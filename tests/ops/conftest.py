"""Op tests: every test starts from the same random state, and the implementation switch is
not inherited from the caller's environment."""
import pytest
import torch

from model.ops import custom_ops


@pytest.fixture(autouse=True)
def _seed_and_clean_impl_env(monkeypatch):
    torch.manual_seed(0)
    monkeypatch.delenv(custom_ops.IMPL_ENV_VAR, raising=False)
