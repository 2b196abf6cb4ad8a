"""GFLA's training losses as one bundle of named terms, each a criterion with its ``--lambda_*`` weight.

Every model trains its generator with some of these terms (original: model/pose_model.py,
Pose.backward_G; model/poseflownet_model.py; shapenet reuses them as they are, face and dance sum
them over the frames of a clip and take the flow terms twice, for the previous and the reference
frame):

    term            criterion                                               weight option
    rec             L1(fake, real)                                          --lambda_rec
    correctness     sampling correctness of the flows (VGG19 features)      --lambda_correct
    regularization  affine regularisation of the flows                      --lambda_regularization
    adversarial     GAN loss of the critic's scores of fake, as real        --lambda_g
    perceptual      VGG19 content and style of fake against real            --lambda_content, --lambda_style

Calling a term gives its weighted value, ``criterion(...) * weight`` as the original computed it
(the perceptual term gives the pair (content, style)). ``term.raw(...)`` is the unweighted value
and ``term.weigh(value)`` weights one, for models that sum a term over frames before weighting.
The discriminator's loss is ``LossBundle.discriminator``. One frozen VGG19 serves both the
correctness and the perceptual terms.
"""
import torch.nn.functional as F
from torch import nn

from model.networks.losses import (VGG19, AdversarialLoss, MultiAffineRegularizationLoss, PerceptualCorrectness,
                                   VGGLoss, gradient_penalty)

# term -> the option(s) holding its weight
WEIGHT_OPTIONS = {
    "rec": "lambda_rec",
    "correctness": "lambda_correct",
    "regularization": "lambda_regularization",
    "adversarial": "lambda_g",
    "perceptual": ("lambda_content", "lambda_style"),
}


class WeightedTerm:
    """A criterion and its weight (a float, or a tuple for a criterion returning a tuple)."""

    def __init__(self, criterion, weight):
        self.criterion = criterion
        self.weight = weight

    def raw(self, *args, **kwargs):
        """The unweighted criterion."""
        return self.criterion(*args, **kwargs)

    def weigh(self, value):
        """``value * weight`` (element-wise for tuples)."""
        if isinstance(self.weight, tuple):
            return tuple(item * weight for item, weight in zip(value, self.weight))
        return value * self.weight

    def __call__(self, *args, **kwargs):
        return self.weigh(self.raw(*args, **kwargs))


class LossBundle(nn.Module):
    """The terms ``terms`` (a subset of ``WEIGHT_OPTIONS``) as attributes, with their weights from ``opt``.

    Args:
        opt: options; the weights of ``terms``, ``attn_layer`` and ``kernel_size`` (flow
            terms), ``gan_mode`` (adversarial), ``vgg_weights`` (correctness, perceptual).
        terms: names of the terms the model uses.
    Criteria signatures (arguments of the terms):
        rec(fake, real); correctness(target, source, flows, mask=None) with ``target`` the
        ground truth and ``source`` the image the flows sample; regularization(flows);
        adversarial(critic, fake); perceptual(fake, real) -> (content, style).
    """

    def __init__(self, opt, terms):
        super().__init__()
        unknown = sorted(set(terms) - set(WEIGHT_OPTIONS))
        if unknown:
            raise ValueError(f"terms: unknown loss terms {unknown}; expected some of {list(WEIGHT_OPTIONS)}")
        self.attn_layer = opt.attn_layer
        vgg = VGG19(opt.vgg_weights) if {"correctness", "perceptual"} & set(terms) else None
        criteria = {}
        if "rec" in terms:
            criteria["rec"] = F.l1_loss
        if "correctness" in terms:
            self.correctness_loss = PerceptualCorrectness(vgg=vgg)
            criteria["correctness"] = self._correctness
        if "regularization" in terms:
            self.regularization_loss = MultiAffineRegularizationLoss(kz_dic=opt.kernel_size)
            criteria["regularization"] = self.regularization_loss
        if "adversarial" in terms:
            self.gan_loss = AdversarialLoss(opt.gan_mode)
            criteria["adversarial"] = self._adversarial
        if "perceptual" in terms:
            self.vgg_loss = VGGLoss(vgg=vgg)
            criteria["perceptual"] = self.vgg_loss
        for term, criterion in criteria.items():
            setattr(self, term, WeightedTerm(criterion, _weight(opt, WEIGHT_OPTIONS[term])))

    def _correctness(self, target, source, flows, mask=None):
        return self.correctness_loss(target, source, flows, self.attn_layer, mask)

    def _adversarial(self, critic, fake):
        return self.gan_loss(critic(fake), True)

    def discriminator(self, critic, real, fake):
        """The critic's loss on ``real`` against (detached) ``fake``, each half weighted 0.5.

        Returns:
            (loss to log, loss to minimise: the same plus the gradient penalty for 'wgan-gp').
        """
        fake = fake.detach()
        real_loss = self.gan_loss(critic(real), True, for_discriminator=True)
        fake_loss = self.gan_loss(critic(fake), False, for_discriminator=True)
        loss = 0.5 * (real_loss + fake_loss)
        if self.gan_loss.needs_gradient_penalty:
            return loss, loss + gradient_penalty(critic, real, fake)
        return loss, loss


def _weight(opt, option):
    """The float weight(s) held by ``option`` (a name or a tuple of names)."""
    if isinstance(option, tuple):
        return tuple(float(getattr(opt, name)) for name in option)
    return float(getattr(opt, option))
