"""Affine regularisation of flow fields: ``MultiAffineRegularizationLoss`` (original: model/networks/external_function.py, MultiAffineRegularizationLoss).

Ported from GFLA ``model/networks/external_function.py`` (``AffineRegularizationLoss``,
``MultiAffineRegularizationLoss``; snapshot 3afa8fe). Equivalent: for every fully-inside k x k
window of each coordinate channel, the squared residual of the least-squares affine fit
(``p^T (I - P) p``, P the projection onto affine functions of the in-window row and column),
averaged over windows and batch, summed over x and y. Computed directly with ``unfold`` instead
of the original's conv + BlockExtractor detour. The original added the pixel grid to the flow
first; the grid is affine inside every window, so its residual is zero and it is left out.
Kept quirk: flows are paired with kernel sizes through the dict keys sorted in reverse (as
strings): with {'2': 5, '3': 3}, flow 0 (layer 3) uses k = 3 and flow 1 (layer 2) k = 5.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def affine_residual_matrix(kernel_size):
    """I - P for the k*k window positions in row-major order, float64 [k*k, k*k]."""
    rows, cols = np.meshgrid(np.arange(kernel_size), np.arange(kernel_size), indexing='ij')
    design = np.stack([rows.ravel(), cols.ravel(), np.ones(kernel_size ** 2)], axis=1)
    projection = design @ np.linalg.inv(design.T @ design) @ design.T
    return torch.from_numpy(np.eye(kernel_size ** 2) - projection)


class AffineRegularizationLoss(nn.Module):
    """Mean squared residual of local affine fits to a flow, summed over its two channels.

    Args:
        kernel_size: window size k.
    Forward ``flow [B, 2, H, W]`` (H, W >= k) returns a scalar.
    """

    def __init__(self, kernel_size):
        super().__init__()
        self.kernel_size = kernel_size
        self.register_buffer('residual', affine_residual_matrix(kernel_size), persistent=False)

    def forward(self, flow):
        b, channels = flow.shape[:2]
        k2 = self.kernel_size ** 2
        windows = F.unfold(flow, self.kernel_size).reshape(b, channels, k2, -1)   # [B, 2, k*k, L]
        residuals = torch.einsum('ij,bcjl->bcil', self.residual.to(flow), windows)
        return residuals.pow(2).sum(dim=2).mean(dim=(0, 2)).sum()


class MultiAffineRegularizationLoss(nn.Module):
    """Sum of ``AffineRegularizationLoss`` over a list of flows.

    Args:
        kz_dic: {'layer': kernel size} (``opt.kernel_size``); flow i uses the kernel of the i-th
            key in reverse sorted order.
    Forward ``flow_fields`` (list of [B, 2, h, w], coarse to fine) returns a scalar.
    """

    def __init__(self, kz_dic):
        super().__init__()
        self.layers = [str(layer) for layer in sorted(kz_dic, reverse=True)]
        self.losses = nn.ModuleDict({str(layer): AffineRegularizationLoss(kz_dic[layer]) for layer in kz_dic})

    def forward(self, flow_fields):
        if len(flow_fields) > len(self.layers):
            raise ValueError(f"flow_fields: got {len(flow_fields)} flows, but kernel sizes for only "
                             f"{len(self.layers)} layers ({self.layers})")
        return sum(self.losses[layer](flow) for layer, flow in zip(self.layers, flow_fields))
