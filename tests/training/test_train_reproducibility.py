"""util.reproducibility: RNG snapshots and the (seed, epoch)-determined, skippable data order."""
import io
import random

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, DistributedSampler

from util.reproducibility import capture_rng_state, epoch_batches, restore_rng_state


def draw():
    return random.random(), np.random.rand(), np.random.randn(), torch.rand(2).tolist()


def test_rng_snapshot_round_trips_through_a_weights_only_file():
    np.random.randn()  # leaves a cached Gaussian in NumPy's state
    buffer = io.BytesIO()
    torch.save(capture_rng_state(), buffer)
    expected = draw()
    buffer.seek(0)
    restore_rng_state(torch.load(buffer, weights_only=True))
    assert draw() == expected


def indices(batches):
    return [batch.tolist() for batch in batches]


def make_loader(sampler=None):
    data = list(range(20))
    if sampler == "distributed":
        return DataLoader(data, batch_size=4, sampler=DistributedSampler(data, num_replicas=1, rank=0, seed=3))
    return DataLoader(data, batch_size=4, shuffle=True)


@pytest.mark.parametrize("sampler", [None, "distributed"])
def test_epoch_order_depends_on_seed_and_epoch_only(sampler):
    loader = make_loader(sampler)
    torch.manual_seed(1)
    first = indices(epoch_batches(loader, seed=0, epoch=2))
    before = torch.get_rng_state()
    torch.manual_seed(2)  # another global state must not change the order ...
    second = indices(epoch_batches(make_loader(sampler), seed=0, epoch=2))
    assert first == second
    torch.set_rng_state(before)
    indices(epoch_batches(loader, seed=0, epoch=2))
    assert torch.equal(torch.get_rng_state(), before)  # ... and iterating draws nothing from it
    assert indices(epoch_batches(loader, seed=0, epoch=3)) != first
    assert sorted(sum(first, [])) == list(range(20))


class RecordingDataset(list):
    """Integers that remember which indices were loaded."""

    def __getitem__(self, index):
        self.loaded.append(index)
        return super().__getitem__(index)


def test_skipped_batches_are_not_loaded():
    dataset = RecordingDataset(range(20))
    dataset.loaded = []
    loader = DataLoader(dataset, batch_size=4, shuffle=True)
    full = indices(epoch_batches(loader, seed=5, epoch=1))
    dataset.loaded.clear()
    assert indices(epoch_batches(loader, seed=5, epoch=1, skip_batches=3)) == full[3:]
    assert dataset.loaded == sum(full[3:], [])


def test_dataset_with_its_own_generator_is_reseeded_each_epoch():
    class Reseedable(list):
        def reseed(self, seed):
            self.seeds.append(seed)

    dataset = Reseedable(range(8))
    dataset.seeds = []
    loader = DataLoader(dataset, batch_size=2, shuffle=True)
    for epoch in (0, 1, 0):
        epoch_batches(loader, seed=0, epoch=epoch)
    assert dataset.seeds[0] == dataset.seeds[2] != dataset.seeds[1]


def test_skip_beyond_the_epoch_is_an_error():
    with pytest.raises(ValueError, match=r"skip_batches must be in 0\.\.5 \(batches per epoch\), got 6"):
        epoch_batches(make_loader(), seed=0, epoch=0, skip_batches=6)
