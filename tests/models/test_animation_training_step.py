"""The face model's recurrent training step equals the original's step written out with the bare
criteria (original: model/face_model.py, Face.set_input, update, backward_D_basic, backward_D,
backward_G), in float64: one clip of two chunks, every logged loss, every gradient and every
updated weight, bitwise. The original drew its random frames from NumPy; both steps here draw
them from torch's generator, seeded alike, in the original's order."""
import copy

import pytest
import torch
import torch.nn.functional as F

from model import find_model_class
from model.base_model import unwrap
from model.networks.losses import VGG19, AdversarialLoss, MultiAffineRegularizationLoss, PerceptualCorrectness, VGGLoss
from options.train_options import TrainOptions
from tests.models.test_training_step import assert_same_gradients_and_weights, set_requires_grad

pytestmark = pytest.mark.slow

FRAMES, CHUNK, HEIGHT, WIDTH = 6, 3, 64, 32  # two chunks of 3 frames; D_V sees 3 frames (2 differences)
FACE = ["--model=face", "--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=face", "--gpu_ids=-1",
        "--init_type=normal", f"--n_frames_total={FRAMES}", f"--max_frames_per_gpu={CHUNK}", "--frames_D_V=3",
        f"--load_size={HEIGHT},{WIDTH}"]


def clip_batch():
    generator = torch.Generator().manual_seed(3)
    return {"P": (torch.rand(1, 3 * FRAMES, HEIGHT, WIDTH, generator=generator) * 2 - 1).double(),
            "BP": torch.rand(1, 16 * FRAMES, HEIGHT, WIDTH, generator=generator).double(),
            "P_path": [[f"video/{t:05d}.png"] for t in range(FRAMES)], "BP_path": ["video/00005.txt"],
            "change_seq": torch.tensor([False]), "frame_idx": torch.tensor([0])}


def randint(high):
    return int(torch.randint(high, ()).item())  # the original: np.random.randint(high)


# ------------------------------------------------------------------ what Face and Dance share verbatim
def original_criteria(opt):
    """The bare criteria both originals' steps use, in float64: (correctness, regularization, gan,
    vgg_loss), one VGG19 shared by correctness and the VGG loss. Builds a VGG19, which draws from
    torch's generator: call it before seeding the step."""
    vgg = VGG19().double()
    return (PerceptualCorrectness(vgg).double(), MultiAffineRegularizationLoss(opt.kernel_size),
            AdversarialLoss(opt.gan_mode).double(), VGGLoss(vgg=vgg))


def backward_d_basic(gan, net, real, fake):
    """backward_D_basic of both originals: the LSGAN discriminator loss, backpropagated."""
    loss = (gan(net(real), True, True) + gan(net(fake.detach()), False, True)) * 0.5
    loss.backward()
    return loss


def image_losses(vgg_loss, img_gen, p_step, opt):
    """backward_G's per-frame L1, content and style losses of a chunk, weighted (both originals)."""
    app, style, content = 0, 0, 0
    for t in range(len(img_gen)):
        app += F.l1_loss(img_gen[t], p_step[:, t])
        content_t, style_t = vgg_loss(img_gen[t], p_step[:, t])
        style += style_t
        content += content_t
    return {"style_gen": style * opt.lambda_style, "content_gen": content * opt.lambda_content,
            "app_gen": app * opt.lambda_rec}


def backward_generator(losses, loss_names):
    """backward_G's end in both originals: every loss but the discriminators', summed, backpropagated."""
    total = 0
    for name in loss_names:
        if name not in ("dis_img_gen_v", "dis_img_gen"):
            total += losses[name]
    total.backward()


def original_face_step(model, opt, batch, seed):
    """Face.set_input + Face.update on one clip, random frames drawn after ``torch.manual_seed(seed)``;
    returns the last chunk's losses."""
    correctness, regularization, gan, vgg_loss = original_criteria(opt)
    net_g, net_d, net_d_v = unwrap(model.net_G), unwrap(model.net_D), unwrap(model.net_D_V)
    optimizer_g, optimizer_d = model.optimizers
    image_nc, structure_nc, frames_d_v = opt.image_nc, opt.structure_nc, opt.frames_D_V

    images, structures = batch["P"], batch["BP"]
    _, channels, height, width = images.size()
    n_frames_total = channels // image_nc
    n_frames_load = min(opt.max_frames_per_gpu, n_frames_total)
    p_reference, bp_reference = images[:, :image_nc], structures[:, :structure_nc]
    p_previous = bp_previous = None
    torch.manual_seed(seed)  # after building the criteria: VGG19's construction draws from the generator
    for i in range(0, n_frames_total, n_frames_load):
        p_step = images[:, i * image_nc:(i + n_frames_load) * image_nc].view(-1, n_frames_load, image_nc, height, width)
        bp_step = structures[:, i * structure_nc:(i + n_frames_load) * structure_nc].view(
            -1, n_frames_load, structure_nc, height, width)
        img_gen, flow_fields, _, p_previous_recoder = net_g(bp_step, p_reference, bp_reference, p_previous, bp_previous)

        # ---------------------------------------------------------------- D step
        optimizer_d.zero_grad()
        losses = {}
        set_requires_grad(net_d, True)
        j = randint(len(img_gen))
        losses["dis_img_gen"] = backward_d_basic(gan, net_d, p_step[:, j], img_gen[j])
        set_requires_grad(net_d_v, True)
        j = randint(len(img_gen) - frames_d_v + 1)
        fake = torch.cat([img_gen[j + f] - img_gen[j + f + 1] for f in range(frames_d_v - 1)], dim=1)
        real = torch.cat([p_step[:, j + f] - p_step[:, j + f + 1] for f in range(frames_d_v - 1)], dim=1)
        losses["dis_img_gen_v"] = backward_d_basic(gan, net_d_v, real, fake)
        optimizer_d.step()

        # ---------------------------------------------------------------- G step
        optimizer_g.zero_grad()
        losses.update(image_losses(vgg_loss, img_gen, p_step, opt))
        correctness_p = correctness_r = regularization_p = regularization_r = 0
        for t in range(len(flow_fields)):
            flow_p = [flow_fields[t][k] for k in range(0, len(flow_fields[t]), 2)]
            flow_r = [flow_fields[t][k + 1] for k in range(0, len(flow_fields[t]), 2)]
            correctness_r += correctness(p_step[:, t], p_reference, flow_r, opt.attn_layer)
            correctness_p += correctness(p_step[:, t], p_previous_recoder[t].detach(), flow_p, opt.attn_layer)
            regularization_p += regularization(flow_p)
            regularization_r += regularization(flow_r)
        losses["correctness_p"], losses["correctness_r"] = (correctness_p * opt.lambda_correct,
                                                            correctness_r * opt.lambda_correct)
        losses["regularization_p"] = regularization_p * opt.lambda_regularization
        losses["regularization_r"] = regularization_r * opt.lambda_regularization
        set_requires_grad(net_d, False)
        losses["ad_gen"] = gan(net_d(img_gen[randint(len(img_gen))]), True, False) * opt.lambda_g
        set_requires_grad(net_d_v, False)
        j = randint(len(img_gen) - frames_d_v + 1)
        fake = torch.cat([img_gen[j + f] - img_gen[j + f + 1] for f in range(frames_d_v - 1)], dim=1)
        losses["ad_gen_v"] = gan(net_d_v(fake), True, False) * opt.lambda_g
        backward_generator(losses, model.loss_names)
        optimizer_g.step()

        p_previous, bp_previous = img_gen[-1].detach(), bp_step[:, -1].detach()
    return losses


def test_face_training_step_equals_the_original_bitwise(tmp_path, offline_vgg):
    opt = TrainOptions().parse([*FACE, f"--checkpoints_dir={tmp_path}"], save=False)
    ours = find_model_class("face")(opt)
    for net in ours.networks().values():
        net.double()
    ours.losses.double()
    original = copy.deepcopy(ours)  # the same weights and optimizers
    batch = clip_batch()
    ours.set_input(batch)
    torch.manual_seed(11)
    ours.optimize_parameters()
    expected = original_face_step(original, opt, batch, seed=11)

    assert ours.loss_names == ["app_gen", "correctness_p", "correctness_r", "content_gen", "style_gen",
                               "regularization_p", "regularization_r", "ad_gen", "dis_img_gen", "ad_gen_v",
                               "dis_img_gen_v"]
    assert sorted(ours.loss_names) == sorted(expected)
    for name in ours.loss_names:
        value = getattr(ours, "loss_" + name)
        assert value.dtype == torch.float64 and torch.equal(value, expected[name]), name
    assert ours.model_names == ["G", "D", "D_V"]
    assert_same_gradients_and_weights(ours, original)
