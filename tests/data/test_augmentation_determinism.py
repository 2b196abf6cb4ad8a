"""Market augmentation is a function of (epoch seed, sample index) only: not of the loading order
nor of the worker that loads the sample, which makes resumed training exact."""
import torch

from data.market_dataset import MarketDataset
from util.reproducibility import epoch_batches


def test_sample_augmentation_ignores_loading_order(make_opt, market_root):
    dataset = MarketDataset(make_opt("market", market_root))
    dataset.reseed(11)
    first = dataset[3]
    for index in (0, 1, 2, 5):
        dataset[index]
    again = dataset[3]
    assert torch.equal(first["P1"], again["P1"]) and torch.equal(first["BP2"], again["BP2"])
    dataset.reseed(12)
    assert not torch.equal(first["P1"], dataset[3]["P1"])  # another epoch seed, another augmentation


def test_resumed_epoch_sees_the_same_augmented_batches_with_workers(make_opt, market_root):
    import data
    opt = make_opt("market", market_root, batchSize=2, nThreads=2)
    loader = data.create_dataloader(opt)
    full = list(epoch_batches(loader, seed=0, epoch=1))
    resumed = list(epoch_batches(data.create_dataloader(make_opt("market", market_root, batchSize=2, nThreads=0)),
                                 seed=0, epoch=1, skip_batches=2))
    assert len(resumed) == len(full) - 2
    for expected, got in zip(full[2:], resumed):
        assert expected["P1_path"] == got["P1_path"]
        assert torch.equal(expected["P1"], got["P1"]) and torch.equal(expected["BP1"], got["BP1"])
