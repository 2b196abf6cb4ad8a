"""Affine regularisation against least-squares fits computed window by window with numpy."""
import numpy as np
import pytest
import torch

from model.networks.losses import AffineRegularizationLoss, MultiAffineRegularizationLoss


def lstsq_reference(flow, kernel_size):
    """The closed form of the original MultiAffineRegularizationLoss: absolute coordinates (flow + pixel grid), every inside window,
    squared residual of the best affine fit in (row, col), mean over windows and batch, x + y."""
    flow = flow.detach().double().numpy()
    b, _, h, w = flow.shape
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing='ij')
    grid = np.stack([cols, rows])                                      # channel 0 = x, 1 = y
    coordinates = flow + grid[None]
    r, c = np.meshgrid(np.arange(kernel_size), np.arange(kernel_size), indexing='ij')
    design = np.stack([r.ravel(), c.ravel(), np.ones(kernel_size ** 2)], axis=1)
    total = 0.0
    for channel in range(2):
        residuals = []
        for n in range(b):
            for i in range(h - kernel_size + 1):
                for j in range(w - kernel_size + 1):
                    p = coordinates[n, channel, i:i + kernel_size, j:j + kernel_size].ravel()
                    solution = np.linalg.lstsq(design, p, rcond=None)[0]
                    residuals.append(np.sum((p - design @ solution) ** 2))
        total += np.mean(residuals)
    return total


@pytest.mark.parametrize('kernel_size', [3, 5])
@pytest.mark.parametrize('dtype', [torch.float64, torch.float32])
def test_matches_least_squares_residuals(kernel_size, dtype):
    flow = torch.randn(2, 2, 7, 9, generator=torch.Generator().manual_seed(kernel_size), dtype=dtype) * 3
    loss = AffineRegularizationLoss(kernel_size)(flow)
    assert loss.dtype == dtype
    tolerance = 1e-10 if dtype == torch.float64 else 1e-5
    assert loss.item() == pytest.approx(lstsq_reference(flow, kernel_size), rel=tolerance)


def test_affine_flow_costs_nothing_and_gradients_are_exact():
    rows, cols = torch.meshgrid(torch.arange(8, dtype=torch.float64), torch.arange(6, dtype=torch.float64),
                                indexing='ij')
    affine = torch.stack([0.3 * rows - 1.2 * cols + 4, -0.5 * rows + 0.1 * cols - 2])[None]
    assert AffineRegularizationLoss(3)(affine).item() == pytest.approx(0, abs=1e-20)
    flow = torch.randn(1, 2, 4, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(AffineRegularizationLoss(3), (flow,))


def test_multi_loss_pairs_flows_with_reverse_sorted_keys():
    """Kept quirk: with {'2': 5, '3': 3}, flow 0 (layer 3) uses k = 3 and flow 1 (layer 2) k = 5."""
    generator = torch.Generator().manual_seed(0)
    coarse, fine = torch.randn(2, 2, 8, 8, generator=generator), torch.randn(2, 2, 16, 16, generator=generator)
    loss = MultiAffineRegularizationLoss({'2': 5, '3': 3})([coarse, fine])
    expected = lstsq_reference(coarse, 3) + lstsq_reference(fine, 5)
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    market = MultiAffineRegularizationLoss({'2': 3})
    assert market([fine]).item() == pytest.approx(lstsq_reference(fine, 3), rel=1e-5)
    with pytest.raises(ValueError, match=r"flow_fields: got 2 flows, but kernel sizes for only 1 layers \(\['2'\]\)"):
        market([coarse, fine])
