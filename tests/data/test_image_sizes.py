"""Training images of an unusual size: one warning when the dataset is built, with the count and an example."""
import warnings

import pytest
import torch
from PIL import Image

from data.market_dataset import MarketDataset


def shrink(path, size_wh):
    with Image.open(path) as image:
        image.resize(size_wh).save(path)


def test_one_warning_with_count_and_example(market_copy, make_opt, capfd):
    images = sorted((market_copy / "train").iterdir())
    for path in images[:2]:
        shrink(path, (20, 40))
    with pytest.warns(UserWarning) as record:
        dataset = MarketDataset(make_opt("market", market_copy, nThreads=1))
    assert len(record) == 1
    assert str(record[0].message) == (
        f"2 of the {len(images)} images in {market_copy / 'train'} are not 128x64 (HxW) like the others, e.g. "
        f"{images[0].name} is 40x20; every image is resized to --load_size 128,64, so these come out blurred "
        "or stretched")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in torch.utils.data.DataLoader(dataset, batch_size=4, num_workers=1):  # the workers stay quiet
            pass
    assert "128x64" not in capfd.readouterr().err


def test_no_warning_when_all_sizes_agree_or_when_testing(market_copy, make_opt):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MarketDataset(make_opt("market", market_copy))
        shrink(sorted((market_copy / "test").iterdir())[0], (20, 40))
        MarketDataset(make_opt("market", market_copy, is_train=False))


def test_a_file_that_is_not_an_image_is_named_when_the_dataset_is_built(market_copy, make_opt):
    broken = sorted((market_copy / "train").iterdir())[0]
    broken.write_bytes(b"not an image")
    with pytest.raises(OSError, match=f"^cannot read image {broken}: cannot identify image file"):
        MarketDataset(make_opt("market", market_copy))
