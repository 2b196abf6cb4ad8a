"""Shared pytest setup: CPU thread cap and automatic skipping of CUDA-marked tests."""
import pytest
import torch

torch.set_num_threads(2)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip_cuda = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip_cuda)


@pytest.fixture(scope="session")
def random_vgg_home(tmp_path_factory):
    """A TORCH_HOME whose hub cache holds a random-weight torchvision VGG19 (the loss network)."""
    import torchvision

    home = tmp_path_factory.mktemp("vgg_torch_home")
    checkpoints = home / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.manual_seed(0)
    torch.save(torchvision.models.vgg19().state_dict(), checkpoints / "vgg19-dcbb9e9d.pth")
    return home


@pytest.fixture
def offline_vgg(random_vgg_home, monkeypatch):
    """Point TORCH_HOME at ``random_vgg_home`` and make any download attempt fail the test."""
    def refuse(url, *args, **kwargs):
        raise AssertionError(f"a download was attempted: {url}")

    monkeypatch.setenv("TORCH_HOME", str(random_vgg_home))
    monkeypatch.setattr(torch.hub, "download_url_to_file", refuse)
    return random_vgg_home
