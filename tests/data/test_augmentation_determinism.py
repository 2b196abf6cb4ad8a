"""Market augmentation is a function of (epoch seed, sample index) only: not of the loading order
nor of the worker that loads the sample, which makes resumed training exact."""
import torch

from data.heatmaps import pose_heatmaps
from data.market_dataset import MarketDataset
from tests.data.resumed_loading import assert_resumed_epoch_matches


def test_sample_augmentation_ignores_loading_order(make_opt, market_root):
    dataset = MarketDataset(make_opt("market", market_root))
    dataset.reseed(11)
    first = dataset[3]
    for index in (0, 1, 2, 5):
        dataset[index]
    again = dataset[3]
    assert torch.equal(first["P1"], again["P1"]) and torch.equal(pose_heatmaps(first["BP2"]), pose_heatmaps(again["BP2"]))
    dataset.reseed(12)
    assert not torch.equal(first["P1"], dataset[3]["P1"])  # another epoch seed, another augmentation


def test_resumed_epoch_sees_the_same_augmented_batches_with_workers(make_opt, market_root):
    assert_resumed_epoch_matches(make_opt("market", market_root, batchSize=2), 1, 2, ("P1_path", "P1", "BP1"))
