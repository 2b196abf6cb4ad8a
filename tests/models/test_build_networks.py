"""Each model class declares its networks (build_networks); the released layouts themselves are
checked in tests/networks/test_layouts.py."""
import types

import pytest

from model import find_model_class


def test_pose_discriminator_depth_exists_only_for_fashion_and_market():
    opt = types.SimpleNamespace(dataset_mode="shapenet")
    with pytest.raises(ValueError, match=r"--dataset_mode: the pose model has a discriminator for "
                                         r"\['fashion', 'market'\], got 'shapenet'"):
        find_model_class("pose").build_networks(opt, discriminators=True)


@pytest.mark.parametrize("load_size, layers", [((256, 176), 3), ((128, 128), 3), ((256, 256), 2)])
def test_shapenet_generator_size_must_be_the_load_size(load_size, layers):
    """Its decoder grows the 8x8 view code to 8 * 2**(layers + 2): another size would fail in the attention."""
    from options.errors import OptionError
    opt = types.SimpleNamespace(load_size=load_size, layers=layers)
    size = 8 * 2 ** (layers + 2)
    with pytest.raises(OptionError, match=rf"^--load_size {load_size[0]},{load_size[1]}: the shapenet generator with "
                                          rf"--layers={layers} makes {size}x{size} images .* use "
                                          rf"--load_size={size},{size} or"):
        find_model_class("shapenet").build_networks(opt, discriminators=False)
