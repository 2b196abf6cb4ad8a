"""LPIPS: our AlexNet loading against the lpips package's own, masks, and identical images."""
import warnings

import lpips
import torch

from script.metrics_lib.lpips_metric import build_lpips, lpips_distances


def _uint8_images(seed, count=2):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (count, 3, 64, 48), dtype=torch.uint8, generator=generator)


def test_build_lpips_equals_the_package_loading_torchvision_alexnet_itself(offline_hub):
    model, identity = build_lpips()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reference = lpips.LPIPS(net="alex", version="0.1", verbose=False).eval()  # tv.alexnet(pretrained=True)
    generated, target = _uint8_images(0), _uint8_images(1)
    with torch.no_grad():
        expected = reference(generated.float() / 127.5 - 1, target.float() / 127.5 - 1).flatten()
        got = lpips_distances(model, generated, target)
    assert got.dtype == torch.float64 and got.shape == (2,)
    torch.testing.assert_close(got, expected.double(), rtol=0, atol=0)
    assert got.min() > 0
    assert identity["alexnet_weights_file"].endswith("alexnet-owt-7be5be79.pth")


def test_lpips_of_identical_images_is_zero(offline_hub):
    model, _ = build_lpips()
    images = _uint8_images(2)
    with torch.no_grad():
        assert torch.equal(lpips_distances(model, images, images.clone()), torch.zeros(2, dtype=torch.float64))


def test_masked_lpips_multiplies_both_images_in_minus_one_one(offline_hub):
    model, _ = build_lpips()
    generated, target = _uint8_images(3), _uint8_images(4)
    mask = torch.zeros(2, 64, 48, dtype=torch.bool)
    mask[:, 10:50, 8:40] = True
    with torch.no_grad():
        got = lpips_distances(model, generated, target, mask)
        expected = model(*(x.float() / 127.5 - 1 for x in (generated, target)))  # unmasked differs
        masked = model(*((x.float() / 127.5 - 1) * mask[:, None] for x in (generated, target)))
        empty = lpips_distances(model, generated, target, torch.zeros_like(mask))
    torch.testing.assert_close(got, masked.flatten().double())
    assert not torch.allclose(got, expected.flatten().double())
    assert torch.equal(empty, torch.zeros(2, dtype=torch.float64))
