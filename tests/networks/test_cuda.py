"""CUDA runs agree with the CPU: networks, checkpoint loading onto the GPU, flow losses."""
import copy
import os

import pytest
import torch

from model.checkpoint import load_state_dict_strict
from model.networks.losses import AdversarialLoss, MultiAffineRegularizationLoss
from model.networks.losses.correctness import correctness_loss
from tests.networks.manifests import MANIFEST_DIR, build_from_define_call, load_manifest

pytestmark = pytest.mark.cuda
CUDA = torch.device('cuda')


@pytest.fixture(autouse=True)
def full_float32():
    """Compare in true float32: TF32 convolutions and matmuls alone differ by ~1e-3."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def build(name):
    torch.manual_seed(0)
    return build_from_define_call(load_manifest(os.path.join(MANIFEST_DIR, f'{name}.json')))


def test_market_generator_and_discriminator_match_the_cpu():
    generator = torch.Generator().manual_seed(0)
    inputs = (torch.rand(2, 3, 128, 64, generator=generator) * 2 - 1,
              torch.rand(2, 18, 128, 64, generator=generator), torch.rand(2, 18, 128, 64, generator=generator))
    net_g, net_d = build('pose_market_G'), build('pose_market_D').eval()
    gpu_g, gpu_d = copy.deepcopy(net_g).to(CUDA), copy.deepcopy(net_d).to(CUDA)
    with torch.no_grad():
        image, flows, masks = net_g(*inputs)
        gpu_image, gpu_flows, gpu_masks = gpu_g(*[x.to(CUDA) for x in inputs])
        scores, gpu_scores = net_d(image), gpu_d(image.to(CUDA))
    torch.testing.assert_close(gpu_image.cpu(), image, rtol=1e-3, atol=1e-4)
    torch.testing.assert_close(gpu_flows[0].cpu(), flows[0], rtol=1e-3, atol=1e-4)
    torch.testing.assert_close(gpu_masks[0].cpu(), masks[0], rtol=1e-3, atol=1e-4)
    torch.testing.assert_close(gpu_scores.cpu(), scores, rtol=1e-3, atol=1e-4)


def test_checkpoint_on_the_cpu_loads_into_a_gpu_network(tmp_path):
    source = build('pose_fashion_D')
    path = tmp_path / 'latest_net_D.pth'
    torch.save(source.state_dict(), path)
    target = build_from_define_call(load_manifest(os.path.join(MANIFEST_DIR, 'pose_fashion_D.json'))).to(CUDA)
    load_state_dict_strict(target, path)
    for key, value in target.state_dict().items():
        assert value.is_cuda and torch.equal(value.cpu(), source.state_dict()[key]), key


def test_flow_losses_match_the_cpu():
    generator = torch.Generator().manual_seed(1)
    target, source = torch.randn(2, 8, 16, 16, generator=generator), torch.randn(2, 8, 16, 16, generator=generator)
    flows = [torch.randn(2, 2, 8, 8, generator=generator) * 2, torch.randn(2, 2, 16, 16, generator=generator) * 2]
    cpu = correctness_loss(target, source, flows[1])
    gpu = correctness_loss(target.to(CUDA), source.to(CUDA), flows[1].to(CUDA))
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-4, atol=1e-6)
    regularisation = MultiAffineRegularizationLoss({'2': 5, '3': 3})
    torch.testing.assert_close(regularisation([f.to(CUDA) for f in flows]).cpu(), regularisation(flows),
                               rtol=1e-4, atol=1e-6)
    scores = torch.randn(2, 1, 4, 4, generator=generator)
    torch.testing.assert_close(AdversarialLoss('lsgan')(scores.to(CUDA), True).cpu(),
                               AdversarialLoss('lsgan')(scores, True))
