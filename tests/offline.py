"""Running the real weight-loading paths without network access: a temporary TORCH_HOME whose
hub cache holds random-weight files, and any download attempt failing the test."""
import urllib.request

import pytest
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


def offline_weights_fixtures(home_fixture, offline_fixture, write, what):
    """The pair of fixtures a kind of random weights needs, for a conftest to bind at module level.

    ``home_fixture`` (session scope): a TORCH_HOME, written once, whose hub cache holds what
    ``write(home)`` puts there (``what``, for the docstrings); ``offline_fixture``: TORCH_HOME set
    to it for one test, with any download attempt failing the test. Returns (home, offline).
    """
    def home(tmp_path_factory):
        return random_weights_home(tmp_path_factory, home_fixture, write)

    def offline(request, monkeypatch):
        torch_home = request.getfixturevalue(home_fixture)
        go_offline(monkeypatch, torch_home)
        return torch_home

    home.__doc__ = f"A TORCH_HOME whose hub cache holds {what}."
    offline.__doc__ = f"TORCH_HOME = ``{home_fixture}``, with any download attempt failing the test."
    return (pytest.fixture(scope="session", name=home_fixture)(home),
            pytest.fixture(name=offline_fixture)(offline))
