"""Training losses of GFLA (original: model/networks/external_function.py), one file each."""
from model.networks.losses.adversarial import AdversarialLoss, gradient_penalty
from model.networks.losses.affine_regularization import AffineRegularizationLoss, MultiAffineRegularizationLoss
from model.networks.losses.correctness import PerceptualCorrectness
from model.networks.losses.vgg import VGG19
from model.networks.losses.vgg_loss import VGGLoss

__all__ = ['AdversarialLoss', 'gradient_penalty', 'AffineRegularizationLoss', 'MultiAffineRegularizationLoss',
           'PerceptualCorrectness', 'VGG19', 'VGGLoss']
