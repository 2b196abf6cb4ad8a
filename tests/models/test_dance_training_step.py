"""The dance model equals the original's, written out from the bare networks and criteria
(original: model/networks/generator.py, DanceGenerator.forward; model/dance_model.py, Dance.set_input,
update, backward_D_basic, backward_D, backward_G), in float64, bitwise:

* the generator over two recurrent chunks of a clip (the second continuing from the first's last
  frame), every frame, flow and occlusion mask;
* one training step on an iPER clip of two chunks (foreground masks in the correctness losses,
  their weight 2.0): every logged loss, every gradient and every updated weight.

The original drew its random frames from NumPy; both steps here draw them from torch's generator,
seeded alike, in the original's order."""
import copy

import pytest
import torch

from model import find_model_class
from model.base_model import unwrap
from model.networks.dance_generator import interleave
from options.train_options import TrainOptions
from tests.models.test_animation_training_step import (backward_d_basic, backward_generator, image_losses,
                                                       original_criteria, randint)
from tests.models.test_training_step import assert_same_gradients_and_weights, set_requires_grad

pytestmark = pytest.mark.slow

FRAMES, CHUNK, FRAMES_D_V, HEIGHT, WIDTH = 12, 6, 5, 64, 32  # two chunks; D_V's start drawn from 0..1
DANCE = ["--model=dance", "--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=dance", "--gpu_ids=-1",
         "--init_type=normal", f"--n_frames_total={FRAMES}", f"--max_frames_per_gpu={CHUNK}",
         f"--frames_D_V={FRAMES_D_V}", f"--load_size={HEIGHT},{WIDTH}"]


def clip_batch():
    """A batch of one iPER training clip: frames, skeletons (bones in [0, 255]), masks, a reference."""
    generator = torch.Generator().manual_seed(3)
    skeleton = torch.rand(1, FRAMES, 20, HEIGHT, WIDTH, generator=generator)
    skeleton[:, :, 17:] *= 255
    return {"gen_images": (torch.rand(1, 3 * FRAMES, HEIGHT, WIDTH, generator=generator) * 2 - 1).double(),
            "gen_skeleton": skeleton.view(1, -1, HEIGHT, WIDTH).double(),
            "gen_masks": (torch.rand(1, FRAMES, HEIGHT, WIDTH, generator=generator) > 0.3).double(),
            "ref_image": (torch.rand(1, 3, HEIGHT, WIDTH, generator=generator) * 2 - 1).double(),
            "ref_skeleton": torch.rand(1, 20, HEIGHT, WIDTH, generator=generator).double(),
            "gen_paths": [[f"video/{t:05d}.png"] for t in range(FRAMES)], "ref_path": ["video/00000.png"],
            "frame_idx": torch.tensor([0])}


def float64_dance_model(tmp_path, use_mask):
    opt = TrainOptions().parse([*DANCE, f"--checkpoints_dir={tmp_path}"], save=False)
    opt.use_mask = use_mask  # as the dance dataset sets it
    model = find_model_class("dance")(opt)
    for net in model.networks().values():
        net.double()
    model.losses.double()
    return model, opt


def original_generator(net, bp_step, p_reference, bp_reference, p_previous, bp_previous):
    """DanceGenerator.forward: per frame, both sources' features, both flow nets, the target net."""
    images, flow_lists, mask_lists = [], [], []
    p_previous = p_reference if p_previous is None else p_previous
    bp_previous = bp_reference if bp_previous is None else bp_previous
    for t in range(bp_step.size(1)):
        bp = bp_step[:, t]
        previous_features = net.source_previous(p_previous)
        reference_features = net.source_reference(p_reference)
        flows_p, masks_p = net.flow_net_previous(p_previous, bp_previous, bp)
        flows_r, masks_r = net.flow_net_reference(p_reference, bp_reference, bp)
        flows, masks = interleave(flows_p, flows_r), interleave(masks_p, masks_r)
        image = net.target(bp, previous_features, reference_features, flows, masks)
        p_previous, bp_previous = image, bp
        images.append(image)
        flow_lists.append(flows)
        mask_lists.append(masks)
    return images, flow_lists, mask_lists


def test_generator_over_two_chunks_equals_the_original(tmp_path, offline_vgg):
    ours, _ = float64_dance_model(tmp_path, use_mask=False)
    batch = clip_batch()
    ours.set_input(batch)
    net = unwrap(ours.net_G)
    images = batch["gen_images"].view(1, FRAMES, 3, HEIGHT, WIDTH)
    skeletons = batch["gen_skeleton"].view(1, FRAMES, 20, HEIGHT, WIDTH)
    p_previous = bp_previous = None
    with torch.no_grad():
        for start in (0, CHUNK):
            ours.load_chunk(start, start + CHUNK)
            ours.forward()
            expected = original_generator(net, skeletons[:, start:start + CHUNK], batch["ref_image"],
                                          batch["ref_skeleton"], p_previous, bp_previous)
            for got, want in zip((ours.generated_frames, ours.frame_flows, ours.frame_masks), expected):
                assert len(got) == len(want) == CHUNK
                for t in range(CHUNK):
                    for a, b in zip(torch.utils._pytree.tree_leaves(got[t]), torch.utils._pytree.tree_leaves(want[t])):
                        assert a.dtype == torch.float64 and torch.equal(a, b), f"chunk at {start}, frame {t}"
            assert torch.equal(ours.P_frame_step, images[:, start:start + CHUNK])
            # the carried state, as Dance.update: the last generated frame and its skeleton
            ours.P_previous, ours.BP_previous = ours.generated_frames[-1], ours.BP_frame_step[:, -1]
            p_previous, bp_previous = expected[0][-1], skeletons[:, start + CHUNK - 1]


def original_dance_step(model, opt, batch, seed):
    """Dance.set_input + Dance.update on one clip, random frames drawn after ``torch.manual_seed(seed)``;
    returns the last chunk's losses."""
    correctness, regularization, gan, vgg_loss = original_criteria(opt)
    net_g, net_d, net_d_v = unwrap(model.net_G), unwrap(model.net_D), unwrap(model.net_D_V)
    optimizer_g, optimizer_d = model.optimizers
    lambda_correct = 2.0  # Dance.__init__: use_mask (iPER training) overrides --lambda_correct

    _, channels, height, width = batch["gen_images"].size()
    n_frames_total = channels // 3
    n_frames_load = min(opt.max_frames_per_gpu, n_frames_total)
    images = batch["gen_images"].view(-1, n_frames_total, 3, height, width)
    skeletons = batch["gen_skeleton"].view(-1, n_frames_total, 20, height, width)
    masks = batch["gen_masks"].view(-1, n_frames_total, 1, height, width)
    ref_image, ref_skeleton = batch["ref_image"], batch["ref_skeleton"]
    pre_gt_image, pre_image, pre_skeleton = ref_image, None, None
    torch.manual_seed(seed)  # after building the criteria: VGG19's construction draws from the generator
    for i in range(0, n_frames_total, n_frames_load):
        p_step, bp_step = images[:, i:i + n_frames_load], skeletons[:, i:i + n_frames_load]
        mask_step = masks[:, i:i + n_frames_load]
        p_gt_previous_recoder = torch.cat((pre_gt_image.unsqueeze(1), p_step[:, :-1]), 1)
        img_gen, flow_fields, _, _ = net_g(bp_step, ref_image, ref_skeleton, pre_image, pre_skeleton)

        # ---------------------------------------------------------------- D step
        optimizer_d.zero_grad()
        losses = {}
        set_requires_grad(net_d, True)
        j = randint(len(img_gen))
        losses["dis_img_gen"] = backward_d_basic(gan, net_d, p_step[:, j], img_gen[j])
        set_requires_grad(net_d_v, True)
        j = randint(len(img_gen) - opt.frames_D_V + 1)
        fake = torch.stack(img_gen[j:j + opt.frames_D_V], 2)
        real = torch.stack([p_step[:, j + f] for f in range(opt.frames_D_V)], 2)
        losses["dis_img_gen_v"] = backward_d_basic(gan, net_d_v, real, fake)
        optimizer_d.step()

        # ---------------------------------------------------------------- G step
        optimizer_g.zero_grad()
        losses.update(image_losses(vgg_loss, img_gen, p_step, opt))
        correctness_p = correctness_r = regularization_p = regularization_r = 0
        for t in range(len(flow_fields)):
            flow_p = [flow_fields[t][k] for k in range(0, len(flow_fields[t]), 2)]
            flow_r = [flow_fields[t][k + 1] for k in range(0, len(flow_fields[t]), 2)]
            correctness_r += correctness(p_step[:, t], ref_image, flow_r, opt.attn_layer, mask_step[:, t])
            correctness_p += correctness(p_step[:, t], p_gt_previous_recoder[:, t], flow_p, opt.attn_layer,
                                         mask_step[:, t])
            regularization_p += regularization(flow_p)
            regularization_r += regularization(flow_r)
        losses["correctness_p"], losses["correctness_r"] = correctness_p * lambda_correct, correctness_r * lambda_correct
        losses["regularization_p"] = regularization_p * opt.lambda_regularization
        losses["regularization_r"] = regularization_r * opt.lambda_regularization
        set_requires_grad(net_d, False)
        losses["ad_gen"] = gan(net_d(img_gen[randint(len(img_gen))]), True, False) * opt.lambda_g
        set_requires_grad(net_d_v, False)
        j = randint(len(img_gen) - opt.frames_D_V + 1)
        losses["ad_gen_v"] = gan(net_d_v(torch.stack(img_gen[j:j + opt.frames_D_V], 2)), True, False) * opt.lambda_g
        backward_generator(losses, model.loss_names)
        optimizer_g.step()

        pre_image, pre_skeleton, pre_gt_image = img_gen[-1].detach(), bp_step[:, -1].detach(), p_step[:, -1]
    return losses


def test_dance_training_step_on_iper_equals_the_original_bitwise(tmp_path, offline_vgg):
    ours, opt = float64_dance_model(tmp_path, use_mask=True)
    assert opt.lambda_correct == 2.0
    original = copy.deepcopy(ours)  # the same weights and optimizers
    batch = clip_batch()
    ours.set_input(batch)
    torch.manual_seed(11)
    ours.optimize_parameters()
    expected = original_dance_step(original, opt, batch, seed=11)

    assert ours.loss_names == ["app_gen", "correctness_p", "correctness_r", "content_gen", "style_gen",
                               "regularization_p", "regularization_r", "ad_gen", "dis_img_gen", "ad_gen_v",
                               "dis_img_gen_v"]
    assert sorted(ours.loss_names) == sorted(expected)
    for name in ours.loss_names:
        value = getattr(ours, "loss_" + name)
        assert value.dtype == torch.float64 and torch.equal(value, expected[name]), name
    assert ours.model_names == ["G", "D", "D_V"]
    assert_same_gradients_and_weights(ours, original)
