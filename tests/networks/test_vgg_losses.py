"""VGG19 features and the VGG losses, with random weights placed in a temporary torch.hub cache.

The loss modules load torchvision's ImageNet VGG19 through the normal path
($TORCH_HOME/hub/checkpoints/vgg19-dcbb9e9d.pth); here that file holds random weights of the
right architecture, and any download attempt fails the test.
"""
import pytest
import torch
import torchvision

from model.networks.losses import VGG19, PerceptualCorrectness, VGGLoss
from model.networks.losses.vgg_loss import gram_matrix
from script.random_weights import VGG19_FILE as WEIGHTS_FILE
from tests.offline import go_offline
from util.errors import UserError

# the original's slices (original: model/networks/external_function.py, VGG19): name -> feature indices; 'relu3_2' got 12-15 and
# 'relu3_3' nothing, every other slice is the true block
ORIGINAL_SLICES = [('relu1_1', range(0, 2)), ('relu1_2', range(2, 4)), ('relu2_1', range(4, 7)),
                   ('relu2_2', range(7, 9)), ('relu3_1', range(9, 12)), ('relu3_2', range(12, 16)),
                   ('relu3_3', range(0)), ('relu3_4', range(16, 18)), ('relu4_1', range(18, 21)),
                   ('relu4_2', range(21, 23)), ('relu4_3', range(23, 25)), ('relu4_4', range(25, 27)),
                   ('relu5_1', range(27, 30)), ('relu5_2', range(30, 32))]
USED = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1', 'relu2_2', 'relu3_4', 'relu4_4', 'relu5_2']


@pytest.fixture(scope='module')
def torch_home(random_vgg_home):
    """The session's random-VGG19 TORCH_HOME, offline, and the weights it holds."""
    state = torch.load(random_vgg_home / 'hub' / 'checkpoints' / WEIGHTS_FILE, weights_only=True)
    with pytest.MonkeyPatch.context() as patch:
        go_offline(patch, random_vgg_home)
        yield random_vgg_home, state


@pytest.fixture(scope='module')
def vgg(torch_home):
    return VGG19()


def test_weights_come_from_the_hub_cache(torch_home, vgg):
    _, state = torch_home
    assert torch.equal(vgg.features[0].weight, state['features.0.weight'])
    assert torch.equal(vgg.features[30].weight, state['features.30.weight'])
    assert len(vgg.features) == 32                      # nothing deeper than relu5_2 is kept
    assert not any(p.requires_grad for p in vgg.parameters())


def test_missing_weights_go_to_the_download_path(torch_home, tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    with pytest.raises(UserError, match='network access attempted') as error:  # the failed download, reported
        VGG19()
    assert isinstance(error.value.__cause__, AssertionError)


def test_used_features_equal_the_original_slicing(torch_home, vgg):
    """Sequential slices as the original cut them, unnormalised [-1, 1] input (kept quirk)."""
    _, state = torch_home
    reference = torchvision.models.vgg19()
    reference.load_state_dict(state)
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    expected, out = {}, x
    with torch.no_grad():
        for name, indices in ORIGINAL_SLICES:
            for index in indices:
                out = reference.features[index](out)
            expected[name] = out
        got = vgg(x, USED)
    assert sorted(got) == sorted(USED)
    for name in USED:
        torch.testing.assert_close(got[name], expected[name], msg=name)
    with pytest.raises(ValueError, match=r"names: unknown VGG19 layers \['relu6_1'\]"):
        vgg(x, ['relu6_1'])


def test_gram_matrix():
    features = torch.randn(2, 3, 4, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    expected = torch.empty(2, 3, 3, dtype=torch.float64)
    for b in range(2):
        for i in range(3):
            for j in range(3):
                expected[b, i, j] = (features[b, i] * features[b, j]).sum() / (3 * 4 * 5)
    torch.testing.assert_close(gram_matrix(features), expected)


def test_gram_matrix_of_channels_last_features_is_the_same_without_a_copy():
    features = torch.randn(2, 6, 4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    weights = torch.randn(2, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    results = {}
    for layout in (torch.contiguous_format, torch.channels_last):
        leaf = features.clone().requires_grad_()
        inner = leaf.to(memory_format=layout)  # not a leaf: its gradient keeps the layout autograd produced
        gram = gram_matrix(inner)
        results[layout] = (gram,) + torch.autograd.grad((gram * weights).sum(), inner)
    (gram_nchw, grad_nchw), (gram_nhwc, grad_nhwc) = results.values()
    torch.testing.assert_close(gram_nhwc, gram_nchw, rtol=1e-14, atol=1e-14)
    torch.testing.assert_close(grad_nhwc, grad_nchw, rtol=1e-14, atol=1e-14)
    assert grad_nhwc.is_contiguous(memory_format=torch.channels_last)  # no NCHW gradient for the VGG's backward


def test_vgg_loss_content_and_style(vgg):
    generator = torch.Generator().manual_seed(2)
    x, y = torch.rand(1, 3, 32, 32, generator=generator) * 2 - 1, torch.rand(1, 3, 32, 32, generator=generator) * 2 - 1
    weights = (1.0, 0.5, 2.0, 1.0, 3.0)
    content, style = VGGLoss(weights, vgg=vgg)(x, y)
    with torch.no_grad():
        fx, fy = vgg(x, USED), vgg(y, USED)
    expected_content = sum(w * (fx[n] - fy[n]).abs().mean()
                           for w, n in zip(weights, ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1']))

    def gram(f):
        return torch.einsum('bchw,bdhw->bcd', f, f) / (f.shape[1] * f.shape[2] * f.shape[3])

    expected_style = sum((gram(fx[n]) - gram(fy[n])).abs().mean() for n in ['relu2_2', 'relu3_4', 'relu4_4', 'relu5_2'])
    torch.testing.assert_close(content, expected_content)
    torch.testing.assert_close(style, expected_style)
    x.requires_grad_(True)
    content, style = VGGLoss(weights, vgg=vgg)(x, y)
    (content + style).backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_losses_load_vgg_themselves_or_share_one(torch_home, vgg):
    shared = VGGLoss(vgg=vgg).vgg is PerceptualCorrectness(vgg=vgg).vgg is vgg
    assert shared
    correctness = PerceptualCorrectness()                # loads through the hub cache itself
    generator = torch.Generator().manual_seed(3)
    target = torch.rand(1, 3, 64, 64, generator=generator) * 2 - 1
    source = torch.rand(1, 3, 64, 64, generator=generator) * 2 - 1
    flows = [torch.randn(1, 2, 8, 8, generator=generator, requires_grad=True),
             torch.randn(1, 2, 16, 16, generator=generator, requires_grad=True)]
    loss = correctness(target, source, flows, [2, 3])
    loss.backward()
    assert torch.isfinite(loss) and all(torch.isfinite(f.grad).all() for f in flows)
    assert torch.equal(correctness.vgg.features[0].weight, vgg.features[0].weight)
