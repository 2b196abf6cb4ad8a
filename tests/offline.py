"""Running the real weight-loading paths without network access: a temporary TORCH_HOME whose
hub cache holds random-weight files, and any download attempt failing the test."""
import urllib.request

import torch


def refuse_download(*args, **kwargs):
    raise AssertionError(f"network access attempted: {args[:1]}")


def go_offline(patch, torch_home):
    """With ``patch`` (a pytest MonkeyPatch): TORCH_HOME = ``torch_home``, downloads refused."""
    patch.setenv("TORCH_HOME", str(torch_home))
    patch.setattr(torch.hub, "download_url_to_file", refuse_download)
    patch.setattr(urllib.request, "urlopen", refuse_download)


def random_weights_home(tmp_path_factory, name, write):
    """A new temporary TORCH_HOME in which ``write(home)`` has put a random-weight file (seed 0)."""
    home = tmp_path_factory.mktemp(name)
    torch.manual_seed(0)
    write(str(home))
    return home
