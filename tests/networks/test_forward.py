"""Forward (and backward) passes of the released configurations on the CPU."""
import os

import torch

from tests.networks.manifests import MANIFEST_DIR, build_from_define_call, load_manifest


def build(name):
    torch.manual_seed(0)
    return build_from_define_call(load_manifest(os.path.join(MANIFEST_DIR, f'{name}.json')))


def pose_inputs(batch, height, width, seed=0):
    generator = torch.Generator().manual_seed(seed)
    image = torch.rand(batch, 3, height, width, generator=generator) * 2 - 1
    source_pose = torch.rand(batch, 18, height, width, generator=generator)
    target_pose = torch.rand(batch, 18, height, width, generator=generator)
    return image, source_pose, target_pose


def test_fashion_pose_generator_forward_at_256():
    net = build('pose_fashion_G')
    with torch.no_grad():
        image, flows, masks = net(*pose_inputs(2, 256, 256))
    assert image.shape == (2, 3, 256, 256) and image.dtype == torch.float32
    assert [tuple(f.shape) for f in flows] == [(2, 2, 32, 32), (2, 2, 64, 64)]
    assert [tuple(m.shape) for m in masks] == [(2, 1, 32, 32), (2, 1, 64, 64)]
    assert all(torch.isfinite(t).all() for t in [image, *flows, *masks])
    assert image.abs().max() <= 1 and all(((m >= 0) & (m <= 1)).all() for m in masks)


def test_market_generator_and_discriminator_backward():
    net_g, net_d = build('pose_market_G'), build('pose_market_D')
    image, flows, masks = net_g(*pose_inputs(2, 128, 64))
    assert image.shape == (2, 3, 128, 64)
    assert [tuple(f.shape) for f in flows] == [(2, 2, 32, 16)] and [tuple(m.shape) for m in masks] == [(2, 1, 32, 16)]
    scores = net_d(image)
    assert scores.shape == (2, 1, 16, 8)
    (scores.mean() + flows[0].mean() + masks[0].mean()).backward()
    unused = set()
    for net in (net_g, net_d):
        for name, parameter in net.named_parameters():
            if parameter.grad is None:
                unused.add(name)
            else:
                assert torch.isfinite(parameter.grad).all(), f"{name} has a non-finite gradient"
    # with attention at layer 2 only, the deepest source stage (H/8) feeds nothing, in the
    # original too: its weights exist in the released Market checkpoint but are never used
    assert unused == {f'source.encoder1.model.{i}.{p}' for i in (0, 2, 3, 5) for p in ('weight', 'bias')}


def test_animation_generators_feed_each_frame_back_as_the_previous_one():
    for name, structure_nc in (('face_faceforensics_G', 16), ('dance_fashion_G', 20)):
        net = build(name)
        generator = torch.Generator().manual_seed(1)
        structures = torch.rand(1, 2, structure_nc, 64, 64, generator=generator)
        reference = torch.rand(1, 3, 64, 64, generator=generator) * 2 - 1
        with torch.no_grad():
            images, flow_lists, mask_lists, previous = net(structures, reference, structures[:, 0])
        assert [tuple(i.shape) for i in images] == [(1, 3, 64, 64)] * 2
        # interleaved (previous, reference) per layer: layer 3 at 8x8, layer 2 at 16x16
        assert [tuple(f.shape) for f in flow_lists[0]] == [(1, 2, 8, 8)] * 2 + [(1, 2, 16, 16)] * 2
        assert [tuple(m.shape) for m in mask_lists[1]] == [(1, 1, 8, 8)] * 2 + [(1, 1, 16, 16)] * 2
        assert previous[0] is reference and previous[1] is images[0], name


def test_shapenet_generator_forward_from_view_codes():
    net = build('shapenet_car_G')
    generator = torch.Generator().manual_seed(2)
    source = torch.rand(1, 3, 256, 256, generator=generator) * 2 - 1
    codes = torch.zeros(2, 1, 21, 1, 1)
    codes[0, 0, 3], codes[1, 0, 5] = 1, 1
    with torch.no_grad():
        image, flows, masks = net(source, codes[0], codes[1])
    assert image.shape == (1, 3, 256, 256) and torch.isfinite(image).all()
    assert [tuple(f.shape) for f in flows] == [(1, 2, 32, 32), (1, 2, 64, 64)]


def test_temporal_discriminator_scores_a_clip():
    net = build('dance_fashion_D_V')
    clip = torch.randn(2, 3, 6, 64, 64, generator=torch.Generator().manual_seed(4))
    assert net(clip).shape == (2, 1, 4, 4)
