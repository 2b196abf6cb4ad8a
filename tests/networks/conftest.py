"""Fixtures of the network tests."""
import pytest

from tests.networks.manifests import load_manifest, manifest_params


@pytest.fixture(params=manifest_params())
def manifest(request):
    return load_manifest(request.param)
