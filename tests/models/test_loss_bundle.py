"""LossBundle: each term is its criterion times its --lambda_* weight; raw/weigh split that for
models that sum a term over frames; the discriminator loss adds the WGAN-GP penalty when asked."""
import types

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from model.loss_bundle import LossBundle
from model.networks.losses import VGGLoss

OPT = types.SimpleNamespace(lambda_rec=5.0, lambda_correct=5.0, lambda_regularization=0.0025, lambda_g=2.0,
                            lambda_content=0.5, lambda_style=500.0, attn_layer=[2], kernel_size={"2": 3},
                            gan_mode="lsgan", vgg_weights=None)


def test_terms_are_weighted_criteria():
    losses = LossBundle(OPT, ["rec", "regularization", "adversarial"])
    fake, real = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8)
    assert torch.equal(losses.rec(fake, real), F.l1_loss(fake, real) * 5.0)
    assert torch.equal(losses.rec.raw(fake, real), F.l1_loss(fake, real))
    summed = losses.rec.raw(fake, real) + losses.rec.raw(real, fake)  # e.g. over two frames
    assert torch.equal(losses.rec.weigh(summed), summed * 5.0)
    flows = [torch.randn(2, 2, 6, 6)]
    assert torch.equal(losses.regularization(flows), losses.regularization_loss(flows) * 0.0025)
    critic = nn.Conv2d(3, 1, 3)
    assert torch.equal(losses.adversarial(critic, fake), ((critic(fake) - 1) ** 2).mean() * 2.0)
    assert not hasattr(losses, "correctness") and not hasattr(losses, "perceptual")


@pytest.mark.slow  # loads VGG19
def test_correctness_and_perceptual_terms_share_one_vgg_and_are_weighted(offline_vgg):
    losses = LossBundle(OPT, ["correctness", "perceptual"])
    assert losses.correctness_loss.vgg is losses.vgg_loss.vgg  # one VGG19 for both
    fake, real = torch.rand(1, 3, 32, 32) * 2 - 1, torch.rand(1, 3, 32, 32) * 2 - 1
    content, style = VGGLoss(vgg=losses.vgg_loss.vgg)(fake, real)
    weighted = losses.perceptual(fake, real)
    assert torch.equal(weighted[0], content * 0.5) and torch.equal(weighted[1], style * 500.0)
    flows = [torch.zeros(1, 2, 8, 8)]
    expected = losses.correctness_loss(real, fake, flows, [2]) * 5.0
    assert torch.equal(losses.correctness(real, fake, flows), expected)


@pytest.mark.parametrize("gan_mode", ["lsgan", "wgan-gp"])
def test_discriminator_loss_and_penalty(gan_mode):
    losses = LossBundle(types.SimpleNamespace(**{**vars(OPT), "gan_mode": gan_mode}), ["adversarial"])
    critic = nn.Conv2d(3, 1, 3)
    real, fake = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8, requires_grad=True)
    loss, total = losses.discriminator(critic, real, fake)
    expected = 0.5 * (losses.gan_loss(critic(real), True, True) + losses.gan_loss(critic(fake.detach()), False, True))
    assert torch.equal(loss, expected)
    assert (total is loss) == (gan_mode == "lsgan") and total.item() >= loss.item()
    total.backward()
    assert fake.grad is None  # fake is detached


def test_unknown_terms_are_rejected():
    with pytest.raises(ValueError, match=r"terms: unknown loss terms \['l2'\]; expected some of \['rec', "):
        LossBundle(OPT, ["rec", "l2"])
