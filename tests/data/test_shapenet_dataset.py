"""The ShapeNet HDF5 view dataset on a tiny fake file."""
import os

import h5py
import numpy as np
import pytest
import torch

import data

OBJECTS = ("obj_a", "obj_b")
AZIMUTHS = range(0, 36, 2)
ELEVATIONS = (0, 10, 20)


def view_image(name, h, v):
    """A distinct flat colour per view, so a loaded image tells which view it came from."""
    return np.full((8, 8, 3), (OBJECTS.index(name) * 100 + 10, h * 7, v * 10), dtype=np.uint8)


@pytest.fixture
def shapenet_root(tmp_path):
    with h5py.File(tmp_path / "data_car.hdf5", "w") as handle:
        for name in OBJECTS:
            for h in AZIMUTHS:
                for v in ELEVATIONS:
                    group = handle.create_group(f"{name}_{h}_{v}")
                    group["image"] = view_image(name, h, v)
                    group["pose"] = np.array([h, v])
    (tmp_path / "id_car_train.txt").write_text("obj_a_4_10\nobj_b_0_20\n\n")
    (tmp_path / "name_car_test.txt").write_text("obj_b\n")
    return tmp_path


def colour_of(image):
    return tuple(int(round(c)) for c in ((image[:, 0, 0] + 1) / 2 * 255).tolist())


def test_train_items_pair_views_of_one_object_and_elevation(shapenet_root, make_opt):
    dataset = data.create_dataset(make_opt("shapenet", shapenet_root, load_size=(16, 16)))
    assert len(dataset) == 2
    for index, (name, h, v) in enumerate([("obj_a", 4, 10), ("obj_b", 0, 20)]):
        item = dataset[index]
        assert item["P1"].shape == (3, 16, 16) and item["P1_path"] == f"{name}_{h}_{v}"
        assert colour_of(item["P1"]) == tuple(view_image(name, h, v)[0, 0])
        assert item["BP1"].dtype == torch.int64 and item["BP1"].view(-1).tolist() == [h, v]
        target_h, target_v = item["BP2"].view(-1).tolist()
        assert target_v == v and target_h in AZIMUTHS and item["P2_path"] == f"{name}_{target_h}_{v}"
        assert colour_of(item["P2"]) == tuple(view_image(name, target_h, v)[0, 0])
    targets = set()
    for seed in range(30):  # the target azimuth is random per (epoch seed, sample) ...
        dataset.reseed(seed)
        targets.add(dataset[0]["P2_path"])
    assert len(targets) > 5
    assert dataset[0]["P2_path"] == dataset[0]["P2_path"]  # ... and fixed for a given seed and sample


def test_test_items_turn_each_source_through_all_azimuths(shapenet_root, make_opt):
    dataset = data.create_dataset(make_opt("shapenet", shapenet_root, is_train=False, load_size=(8, 8)))
    assert len(dataset) == 18
    item = dataset[5]
    assert item["P1_path"] == "obj_b_10_0"
    assert item["P2_path"] == [f"obj_b_{h}_0" for h in AZIMUTHS] and len(item["P2"]) == len(item["BP2"]) == 18
    assert [b.view(-1).tolist() for b in item["BP2"]] == [[h, 0] for h in AZIMUTHS]
    assert colour_of(item["P2"][3]) == tuple(view_image("obj_b", 6, 0)[0, 0])


def test_loader_workers_open_their_own_file(shapenet_root, make_opt):
    dataset = data.create_dataset(make_opt("shapenet", shapenet_root, load_size=(8, 8)))
    dataset[0]  # opens a handle in this process; workers must not inherit it
    loader = torch.utils.data.DataLoader(dataset, batch_size=1, num_workers=2,
                                         worker_init_fn=data.loader.seed_worker)
    assert [batch["P1_path"][0] for batch in loader] == ["obj_a_4_10", "obj_b_0_20"]


def test_missing_inputs_are_named(shapenet_root, make_opt):
    with h5py.File(shapenet_root / "data_car.hdf5", "a") as handle:
        del handle["obj_b_34_20"]
    with pytest.raises(ValueError, match=r"data_car.hdf5: 1 views needed by the train split are missing, "
                                         r"e.g. 'obj_b_34_20'"):
        data.create_dataset(make_opt("shapenet", shapenet_root))
    os.remove(shapenet_root / "id_car_train.txt")
    with pytest.raises(FileNotFoundError, match=f"ShapeNet list file not found: {shapenet_root}/id_car_train.txt"):
        data.create_dataset(make_opt("shapenet", shapenet_root))
    with pytest.raises(FileNotFoundError, match=f"ShapeNet HDF5 file not found: {shapenet_root}/data_chair.hdf5"):
        data.create_dataset(make_opt("shapenet", shapenet_root, sub_dataset_model="chair"))
    (shapenet_root / "id_car_train.txt").write_text("obj_a-4-10\n")
    with pytest.raises(ValueError, match="view id 'obj_a-4-10': expected '<object>_<azimuth/10>_<elevation>'"):
        data.create_dataset(make_opt("shapenet", shapenet_root))
