"""GAN objectives: ``AdversarialLoss(gan_mode)`` and the WGAN-GP ``gradient_penalty``.

Ported from GFLA ``model/networks/external_function.py`` (``AdversarialLoss``; snapshot
3afa8fe). Equivalent for 'lsgan' (MSE against 1 / 0 on every patch score) and 'hinge'. Fixed:
'wgan-gp' crashed in the original (no criterion, and the penalty function did not exist); here
it is the Wasserstein critic loss, and the model adds ``gradient_penalty`` to the D loss.
'nsgan' (BCE on raw scores, unreachable from the command line) is not ported.
"""
import torch
import torch.nn.functional as F
from torch import nn

GAN_MODES = ('lsgan', 'hinge', 'wgan-gp')


class AdversarialLoss(nn.Module):
    """GAN loss on discriminator scores.

    Args:
        gan_mode: 'lsgan', 'hinge' or 'wgan-gp'.
        target_real_label, target_fake_label: lsgan regression targets.
    """

    def __init__(self, gan_mode, target_real_label=1.0, target_fake_label=0.0):
        super().__init__()
        if gan_mode not in GAN_MODES:
            raise ValueError(f"gan_mode: unknown GAN objective {gan_mode!r}; expected one of {GAN_MODES}")
        self.gan_mode = gan_mode
        self.register_buffer('real_label', torch.tensor(target_real_label), persistent=False)
        self.register_buffer('fake_label', torch.tensor(target_fake_label), persistent=False)

    @property
    def needs_gradient_penalty(self):
        """True for 'wgan-gp': the D loss must add ``gradient_penalty``."""
        return self.gan_mode == 'wgan-gp'

    def forward(self, prediction, target_is_real, for_discriminator=False):
        """Scalar loss of discriminator scores.

        Args:
            prediction: scores of any shape, e.g. [B, 1, h, w].
            target_is_real: the scores should say "real" (D on real images; G on fakes).
            for_discriminator: the loss trains D (matters for 'hinge' only).
        Returns:
            lsgan: ``mean((prediction - label)**2)``; hinge, D: ``mean(relu(1 - prediction))``
            for real, ``mean(relu(1 + prediction))`` for fake, G: ``-mean(prediction)``;
            wgan-gp: ``-mean(prediction)`` for real, ``mean(prediction)`` for fake.
        """
        if self.gan_mode == 'lsgan':
            label = self.real_label if target_is_real else self.fake_label
            return F.mse_loss(prediction, label.to(prediction).expand_as(prediction))
        if self.gan_mode == 'hinge':
            if not for_discriminator:
                return -prediction.mean()
            return F.relu(1 - prediction).mean() if target_is_real else F.relu(1 + prediction).mean()
        return -prediction.mean() if target_is_real else prediction.mean()


def gradient_penalty(net_d, real, fake, weight=10.0):
    """WGAN-GP penalty ``weight * mean((||grad_x D(x)||_2 - 1)**2)`` at random interpolates.

    Args:
        net_d: discriminator.
        real, fake: [B, ...] batches of the same shape (``fake`` is detached here).
        weight: penalty weight (lambda, 10 in the WGAN-GP paper).
    Returns:
        Scalar, differentiable with respect to the parameters of ``net_d``.
    """
    alpha = torch.rand(real.size(0), *([1] * (real.dim() - 1)), device=real.device, dtype=real.dtype)
    interpolates = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
    scores = net_d(interpolates)
    gradients, = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
    return weight * ((gradients.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
