"""Tensor comparison for the op tests: failures say how far apart, where, and the two values."""
import torch


def assert_close(actual, expected, rel, name="tensor"):
    """Assert max |actual - expected| <= rel * max(1, max |expected|) (NaN must match NaN).

    The error is measured against the largest magnitude of ``expected`` rather than per element,
    so gradients that cancel to almost zero somewhere do not make the bound meaningless; below
    magnitude 1 the bound is absolute, so tensors that are zero up to rounding (e.g. the flow
    gradient on a one-pixel map) compare as equal.

    Args:
        actual, expected: tensors of one shape (any dtypes and devices; compared in float64 on CPU).
        rel: allowed error relative to max |expected|.
        name: what is compared, for the message.
    """
    assert actual is not None, f"{name}: got None, expected a tensor of shape {tuple(expected.shape)}"
    assert actual.shape == expected.shape, (
        f"{name}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}")
    a = actual.detach().to("cpu", torch.float64)
    e = expected.detach().to("cpu", torch.float64)
    nan_mismatch = torch.isnan(a) != torch.isnan(e)
    assert not nan_mismatch.any(), (
        f"{name}: NaN at {_where(nan_mismatch.double(), a.shape)} in one tensor only "
        f"({nan_mismatch.sum().item()} elements)")
    diff = torch.nan_to_num((a - e).abs(), nan=0.0)
    if diff.numel() == 0:
        return
    scale = max(1.0, torch.nan_to_num(e.abs(), nan=0.0).max().item())
    worst = diff.max().item()
    if worst <= rel * scale:
        return
    index = _where(diff, a.shape)
    raise AssertionError(
        f"{name}: max |difference| {worst:.3e} at index {index} (actual {a[index].item():.10g}, "
        f"expected {e[index].item():.10g}); that is {worst / scale:.3e} of "
        f"max(1, max |expected|) = {scale:.3e}, allowed {rel:.1e}")


def _where(values, shape):
    """Multi-index of the largest element."""
    flat = int(values.reshape(-1).argmax())
    index = []
    for size in reversed(shape):
        index.append(flat % size)
        flat //= size
    return tuple(reversed(index))
