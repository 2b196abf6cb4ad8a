"""The pose models' training steps equal the original's step written out with the bare criteria
(original: model/pose_model.py, Pose.optimize_parameters; model/poseflownet_model.py,
PoseFlowNet.optimize_parameters): every logged loss, every gradient and every updated weight,
bitwise."""
import copy

import pytest
import torch
import torch.nn.functional as F

from model import find_model_class
from model.base_model import unwrap
from model.networks.losses import VGG19, AdversarialLoss, MultiAffineRegularizationLoss, PerceptualCorrectness, VGGLoss
from options.train_options import TrainOptions

pytestmark = pytest.mark.slow

# init_type=normal only for speed (the orthogonal init is a QR per layer)
MARKET = ["--attn_layer=2", "--kernel_size=2=3", "--dataset_mode=market", "--gpu_ids=-1", "--init_type=normal"]


def batch():
    generator = torch.Generator().manual_seed(3)
    return {"P1": torch.rand(1, 3, 64, 32, generator=generator) * 2 - 1,
            "P2": torch.rand(1, 3, 64, 32, generator=generator) * 2 - 1,
            "BP1": torch.rand(1, 18, 64, 32, generator=generator),
            "BP2": torch.rand(1, 18, 64, 32, generator=generator),
            "P1_path": ["a.jpg"], "P2_path": ["b.jpg"]}


def set_requires_grad(net, flag):
    for parameter in net.parameters():
        parameter.requires_grad = flag


def original_pose_step(model, opt):
    """Pose: a D step, then a G step on the same forward pass (losses computed in the original's order)."""
    vgg = VGG19()
    correctness, regularization = PerceptualCorrectness(vgg), MultiAffineRegularizationLoss(opt.kernel_size)
    gan, vgg_loss = AdversarialLoss(opt.gan_mode), VGGLoss(vgg=vgg)
    net_g, net_d = unwrap(model.net_G), unwrap(model.net_D)
    optimizer_g, optimizer_d = model.optimizers
    p1, bp1, p2, bp2 = model.input_P1, model.input_BP1, model.input_P2, model.input_BP2
    img_gen, flows, _ = net_g(p1, bp1, bp2)
    set_requires_grad(net_d, True)
    optimizer_d.zero_grad(set_to_none=True)
    losses = {"dis_img_gen": 0.5 * (gan(net_d(p2), True, True) + gan(net_d(img_gen.detach()), False, True))}
    losses["dis_img_gen"].backward()
    optimizer_d.step()
    set_requires_grad(net_d, False)
    optimizer_g.zero_grad(set_to_none=True)
    losses["app_gen"] = F.l1_loss(img_gen, p2) * opt.lambda_rec
    losses["correctness_gen"] = correctness(p2, p1, flows, opt.attn_layer) * opt.lambda_correct
    losses["regularization"] = regularization(flows) * opt.lambda_regularization
    losses["ad_gen"] = gan(net_d(img_gen), True, False) * opt.lambda_g
    content, style = vgg_loss(img_gen, p2)
    losses["style_gen"], losses["content_gen"] = style * opt.lambda_style, content * opt.lambda_content
    total = 0
    for name in ["app_gen", "correctness_gen", "content_gen", "style_gen", "regularization", "ad_gen"]:
        total += losses[name]
    total.backward()
    optimizer_g.step()
    return losses


def original_pose_flow_step(model, opt):
    """PoseFlowNet: correctness and regularisation of the flows alone."""
    correctness, regularization = PerceptualCorrectness(), MultiAffineRegularizationLoss(opt.kernel_size)
    flows, _ = model.net_G(model.input_P1, model.input_BP1, model.input_BP2)
    losses = {"correctness": correctness(model.input_P2, model.input_P1, flows, opt.attn_layer) * opt.lambda_correct,
              "regularization": regularization(flows) * opt.lambda_regularization}
    model.optimizers[0].zero_grad(set_to_none=True)
    (losses["correctness"] + losses["regularization"]).backward()
    model.optimizers[0].step()
    return losses


@pytest.mark.parametrize("model_name, original_step", [("pose", original_pose_step),
                                                       ("pose_flow", original_pose_flow_step)])
def test_training_step_equals_the_original_bitwise(model_name, original_step, tmp_path, offline_vgg):
    opt = TrainOptions().parse([f"--model={model_name}", *MARKET, f"--checkpoints_dir={tmp_path}"], save=False)
    ours = find_model_class(model_name)(opt)
    original = copy.deepcopy(ours)  # the same weights and optimizers
    for model in (ours, original):
        model.set_input(batch())
    ours.optimize_parameters()
    expected = original_step(original, opt)
    assert sorted(ours.loss_names) == sorted(expected)
    for name in ours.loss_names:
        assert torch.equal(getattr(ours, "loss_" + name), expected[name]), name
    assert_same_gradients_and_weights(ours, original)


def assert_same_gradients_and_weights(ours, original):
    """Every network of the two models holds the same gradients and weights, bitwise."""
    for net_name in ours.model_names:
        ours_net, original_net = unwrap(getattr(ours, "net_" + net_name)), unwrap(getattr(original, "net_" + net_name))
        for (key, value), expected_value in zip(ours_net.named_parameters(), original_net.parameters()):
            assert (value.grad is None) == (expected_value.grad is None), f"{net_name}.{key} gradient"
            if value.grad is not None:
                assert torch.equal(value.grad, expected_value.grad), f"{net_name}.{key} gradient"
            assert torch.equal(value, expected_value), f"{net_name}.{key} after the step"
