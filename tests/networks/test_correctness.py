"""Sampling correctness loss against a direct loop transcription of the original's PerceptualCorrectness (model/networks/external_function.py) and Resample2d kernel."""
import math

import pytest
import torch
from torch import nn

from model.networks.losses.correctness import CORRECTNESS_LAYERS, PerceptualCorrectness, correctness_loss

EPS = 1e-8


def gaussian_sample(feature, y, x, sigma=2.0):
    """Resample2d(4, 1, sigma) at one point: 4x4 taps around floor, clamped indices, unclamped distances."""
    _, height, width = feature.shape
    x0, y0 = math.floor(x), math.floor(y)
    total, norm = torch.zeros(feature.shape[0], dtype=torch.float64), 0.0
    for dy in (-1, 0, 1, 2):
        for dx in (-1, 0, 1, 2):
            weight = math.exp(-((x0 + dx - x) ** 2 + (y0 + dy - y) ** 2) / (2 * sigma ** 2))
            row, col = min(max(y0 + dy, 0), height - 1), min(max(x0 + dx, 0), width - 1)
            total += weight * feature[:, row, col]
            norm += weight
    return total / norm


def loop_reference(target, source, flow, mask=None):
    target, source, flow = target.double(), source.double(), flow.double()
    b, _, h, w = target.shape
    numerator, denominator = 0.0, 0.0
    for n in range(b):
        for i in range(h):
            for j in range(w):
                t = target[n, :, i, j]
                t_unit = t / (t.norm() + EPS)
                best = max(float((source[n, :, p, q] / (source[n, :, p, q].norm() + EPS)) @ t_unit)
                           for p in range(h) for q in range(w))
                sample = gaussian_sample(source[n], i + float(flow[n, 1, i, j]), j + float(flow[n, 0, i, j]))
                cosine = float(sample @ t / (sample.norm() * t.norm()))
                value = math.exp(-cosine / (best + EPS)) - math.exp(-1)
                weight = 1.0 if mask is None else float(mask[n, 0, i, j])
                numerator += weight * value
                denominator += weight
    return numerator / (denominator + (0 if mask is None else EPS))


def random_case(seed, b=2, c=4, h=5, w=6):
    generator = torch.Generator().manual_seed(seed)
    target = torch.randn(b, c, h, w, generator=generator)
    source = torch.randn(b, c, h, w, generator=generator)
    flow = torch.randn(b, 2, h, w, generator=generator) * 3       # reaches past the borders
    return target, source, flow, generator


def test_matches_the_loop_transcription():
    target, source, flow, _ = random_case(0)
    expected = loop_reference(target, source, flow)
    assert correctness_loss(target, source, flow).item() == pytest.approx(expected, rel=1e-5)


def test_masked_variant_with_a_mask_at_twice_the_resolution():
    target, source, flow, generator = random_case(1)
    mask = (torch.rand(2, 1, 10, 12, generator=generator) > 0.4).float()
    expected = loop_reference(target, source, flow, mask[:, :, ::2, ::2])    # nearest downsampling
    assert correctness_loss(target, source, flow, mask).item() == pytest.approx(expected, rel=1e-5)


class StubVGG(nn.Module):
    """Deterministic 'features' at each VGG layer's resolution; records the layers asked for."""

    SCALE = {'relu2_1': 2, 'relu3_1': 4, 'relu4_1': 8}

    def __init__(self):
        super().__init__()
        self.requested = []

    def forward(self, x, names):
        self.requested.append(list(names))
        return {name: nn.functional.avg_pool2d(x, self.SCALE[name]) * self.SCALE[name] for name in names}


@pytest.mark.parametrize('used_layers', [[2, 3], [3, 2]])
def test_flows_are_paired_with_layers_in_reverse_sorted_order(used_layers):
    generator = torch.Generator().manual_seed(2)
    target, source = torch.randn(1, 3, 32, 32, generator=generator), torch.randn(1, 3, 32, 32, generator=generator)
    coarse, fine = torch.randn(1, 2, 4, 4, generator=generator), torch.randn(1, 2, 8, 8, generator=generator)
    stub = StubVGG()
    loss = PerceptualCorrectness(vgg=stub)(target, source, [coarse, fine], used_layers)
    features_t, features_s = stub(target, ['relu4_1', 'relu3_1']), stub(source, ['relu4_1', 'relu3_1'])
    expected = (correctness_loss(features_t['relu4_1'], features_s['relu4_1'], coarse)
                + correctness_loss(features_t['relu3_1'], features_s['relu3_1'], fine))
    assert stub.requested[0] == ['relu4_1', 'relu3_1']
    torch.testing.assert_close(loss, expected)


def test_layer_checks():
    assert CORRECTNESS_LAYERS == {1: 'relu2_1', 2: 'relu3_1', 3: 'relu4_1'}
    loss = PerceptualCorrectness(vgg=StubVGG())
    images = torch.zeros(1, 3, 16, 16)
    with pytest.raises(ValueError, match=r'used_layers: no correctness layer for \[4\]'):
        loss(images, images, [torch.zeros(1, 2, 1, 1)], [4])
    with pytest.raises(ValueError, match=r'flow_list: got 2 flows for attention layers \[2\]'):
        loss(images, images, [torch.zeros(1, 2, 4, 4)] * 2, [2])


def test_gradients_reach_the_flow_only():
    target, source, flow, _ = random_case(3)
    flow.requires_grad_(True)
    correctness_loss(target, source, flow).backward()
    assert torch.isfinite(flow.grad).all() and flow.grad.abs().sum() > 0
