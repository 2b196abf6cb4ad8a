"""GAN objectives against their formulas, and the WGAN-GP gradient penalty."""
import pytest
import torch
from torch import nn

from model.networks.losses import AdversarialLoss, gradient_penalty

SCORES = torch.tensor([[[[-1.5, -0.2], [0.3, 2.0]]], [[[0.9, -3.0], [1.0, 0.0]]]])


def test_lsgan_is_the_mean_squared_error_to_one_or_zero():
    loss = AdversarialLoss('lsgan')
    assert loss(SCORES, True).item() == pytest.approx(((SCORES - 1) ** 2).mean().item())
    assert loss(SCORES, False, True).item() == pytest.approx((SCORES ** 2).mean().item())
    assert not loss.needs_gradient_penalty


def test_hinge():
    loss = AdversarialLoss('hinge')
    assert loss(SCORES, True, True).item() == pytest.approx(torch.clamp(1 - SCORES, min=0).mean().item())
    assert loss(SCORES, False, True).item() == pytest.approx(torch.clamp(1 + SCORES, min=0).mean().item())
    assert loss(SCORES, True, False).item() == pytest.approx(-SCORES.mean().item())


def test_wgan_critic_loss():
    loss = AdversarialLoss('wgan-gp')
    assert loss(SCORES, True, True).item() == pytest.approx(-SCORES.mean().item())
    assert loss(SCORES, False, True).item() == pytest.approx(SCORES.mean().item())
    assert loss(SCORES, True).item() == pytest.approx(-SCORES.mean().item())
    assert loss.needs_gradient_penalty


def test_unknown_gan_mode_is_rejected():
    with pytest.raises(ValueError, match=r"gan_mode: unknown GAN objective 'nsgan'; expected one of"):
        AdversarialLoss('nsgan')


class LinearCritic(nn.Module):
    """D(x) = <w, x> per sample: its input gradient is w everywhere."""

    def __init__(self, weight):
        super().__init__()
        self.weight = nn.Parameter(weight)

    def forward(self, x):
        return (x * self.weight).flatten(1).sum(1)


def test_gradient_penalty_of_a_linear_critic():
    weight = torch.randn(3, 4, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    critic = LinearCritic(weight.clone())
    real, fake = torch.randn(2, 3, 4, 5, dtype=torch.float64), torch.randn(2, 3, 4, 5, dtype=torch.float64)
    penalty = gradient_penalty(critic, real, fake, weight=10.0)
    norm = weight.norm()
    assert penalty.item() == pytest.approx(10 * (norm - 1).item() ** 2)
    penalty.backward()        # differentiable w.r.t. the critic: d/dw 10 (|w| - 1)^2
    torch.testing.assert_close(critic.weight.grad, 20 * (norm - 1) * weight / norm)


def test_gradient_penalty_of_a_quadratic_critic_uses_interpolates():
    """D(x) = |x|^2 / 2 has gradient x: the penalty reads the interpolate alpha real + (1 - alpha) fake."""
    real, fake = torch.randn(3, 2, 4, 4), torch.randn(3, 2, 4, 4)
    torch.manual_seed(5)
    penalty = gradient_penalty(lambda x: 0.5 * (x ** 2).flatten(1).sum(1), real, fake, weight=1.0)
    torch.manual_seed(5)
    alpha = torch.rand(3, 1, 1, 1)
    expected = (((alpha * real + (1 - alpha) * fake).flatten(1).norm(dim=1) - 1) ** 2).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)
