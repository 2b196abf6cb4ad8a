"""The ShapeNet HDF5 view dataset: items as the original's, the synthetic set, bad input named by file and view."""
import h5py
import numpy as np
import pytest
import torch
import torchvision.transforms as transforms
from PIL import Image

import data
from util.errors import UserError

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
    (tmp_path / "name_car_test.txt").write_text("obj_a\nobj_b\n")
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


def test_test_items_one_source_per_object_turned_through_all_azimuths(shapenet_root, make_opt):
    dataset = data.create_dataset(make_opt("shapenet", shapenet_root, is_train=False, load_size=(8, 8)))
    assert len(dataset) == 2  # one item per object, as the original
    assert [dataset[i]["P1_path"] for i in range(2)] == ["obj_a_0_0", "obj_b_2_0"]  # azimuth index % 18
    item = dataset[1]
    assert item["BP1"].view(-1).tolist() == [2, 0]
    assert item["P2_path"] == [f"obj_b_{h}_0" for h in AZIMUTHS] and len(item["P2"]) == len(item["BP2"]) == 18
    assert [b.dtype for b in item["BP2"]] == [torch.int64] * 18
    assert [b.view(-1).tolist() for b in item["BP2"]] == [[h, 0] for h in AZIMUTHS]
    assert colour_of(item["P2"][3]) == tuple(view_image("obj_b", 6, 0)[0, 0])


def test_loader_workers_open_their_own_file(shapenet_root, make_opt):
    dataset = data.create_dataset(make_opt("shapenet", shapenet_root, load_size=(8, 8)))
    dataset[0]  # opens a handle in this process; workers must not inherit it
    loader = torch.utils.data.DataLoader(dataset, batch_size=1, num_workers=2,
                                         worker_init_fn=data.loader.seed_worker)
    assert [batch["P1_path"][0] for batch in loader] == ["obj_a_4_10", "obj_b_0_20"]


# ---------------------------------------------------------------- the original's items

_ORIGINAL_TRANSFORM = lambda size: transforms.Compose([  # noqa: E731 - original: ShapeNetDataset.initialize
    transforms.Resize(size=(size, size)), transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)])


def original_view(handle, view, size):
    """The original's image and label of one view: PIL resize, [-1, 1]; the file's pose as [2, 1, 1]."""
    image = _ORIGINAL_TRANSFORM(size)(Image.fromarray(np.uint8(handle[view]["image"][()])))
    return image, torch.tensor(handle[view]["pose"][()]).view(-1, 1, 1)


def test_items_equal_the_originals_on_the_synthetic_set(shapenet_synthetic_root, make_opt):
    """Independent transcription of the original's __getitem__ (original: data/shapenet_dataset.py), 32 px views
    loaded at 24 px; the training target azimuth (random in both) is taken from our item."""
    train = data.create_dataset(make_opt("shapenet", shapenet_synthetic_root, sub_dataset_model="chair",
                                         load_size=(24, 24)))
    test = data.create_dataset(make_opt("shapenet", shapenet_synthetic_root, is_train=False,
                                        sub_dataset_model="chair", load_size=(24, 24)))
    ids = (shapenet_synthetic_root / "id_chair_train.txt").read_text().split()
    assert len(train) == len(ids) == 2 * 54 and len(test) == 1
    with h5py.File(shapenet_synthetic_root / "data_chair.hdf5", "r") as handle:
        for index in (0, 40, 107):
            item = train[index]
            source, target = ids[index], item["P2_path"]
            assert target == "_".join([source.split("_")[0], target.split("_")[1], source.split("_")[-1]])
            for ours, view in ((("P1", "BP1"), source), (("P2", "BP2"), target)):
                image, label = original_view(handle, view, 24)
                assert torch.equal(item[ours[0]], image) and torch.equal(item[ours[1]], label)
        item = test[0]
        source = "chair0003_0_0"  # name + '_' + angle_list[index % 18] / 10 + '_0'
        image, label = original_view(handle, source, 24)
        assert item["P1_path"] == source and torch.equal(item["P1"], image) and torch.equal(item["BP1"], label)
        assert item["P2_path"] == [f"chair0003_{a // 10}_0" for a in range(0, 360, 20)]
        for ours, ours_label, view, angle in zip(item["P2"], item["BP2"], item["P2_path"], range(0, 360, 20)):
            assert torch.equal(ours, original_view(handle, view, 24)[0])
            assert torch.equal(ours_label, torch.LongTensor([angle // 10, 0]).view(-1, 1, 1))
    batch = next(iter(torch.utils.data.DataLoader(test, batch_size=1)))
    assert batch["P1"].shape == (1, 3, 24, 24) and len(batch["P2"]) == 18 and batch["P2"][0].shape == (1, 3, 24, 24)


# ---------------------------------------------------------------- bad input: one line naming the file and view

def damage(root, view, **datasets):
    """Replace datasets of one view in data_car.hdf5 (None deletes it)."""
    with h5py.File(root / "data_car.hdf5", "a") as handle:
        for key, value in datasets.items():
            del handle[view][key]
            if value is not None:
                handle[view][key] = value


def raises_one_line(make_dataset, message):
    with pytest.raises(UserError, match=message) as caught:
        make_dataset()
    assert "\n" not in str(caught.value)


def test_missing_files(shapenet_root, make_opt):
    raises_one_line(lambda: data.create_dataset(make_opt("shapenet", shapenet_root, sub_dataset_model="chair")),
                    f"ShapeNet view file not found: {shapenet_root}/data_chair.hdf5; put the Multi-view-to-Novel-view "
                    f"data_chair.hdf5 in --dataroot")
    (shapenet_root / "id_car_train.txt").unlink()
    raises_one_line(lambda: data.create_dataset(make_opt("shapenet", shapenet_root)),
                    f"ShapeNet list file not found: {shapenet_root}/id_car_train.txt")
    (shapenet_root / "name_car_test.txt").write_text("\n \n")
    raises_one_line(lambda: data.create_dataset(make_opt("shapenet", shapenet_root, is_train=False)),
                    f"{shapenet_root}/name_car_test.txt: no entries, the split is empty")


@pytest.mark.parametrize("listed, message", [
    ("obj_a-4-10", r"line 2: view id 'obj_a-4-10': expected '<object>_<azimuth/10>_<elevation>', got 'obj_a-4-10'"),
    ("obj_a_5_10", r"line 2: view id 'obj_a_5_10' has azimuth/10 = 5; expected one of 0, 2, \.\.\., 34 "
                   r"\(azimuths 0 to 340 in steps of --ang_skip 20\)"),
    ("obj_a_36_0", r"line 2: view id 'obj_a_36_0' has azimuth/10 = 36"),
    ("obj_a_4_30", r"line 2: view id 'obj_a_4_30' has elevation 30; expected one of 0, 10, 20"),
    ("obj_c_4_10", r"data_car.hdf5: view 'obj_c_4_10', listed in .*id_car_train.txt \(line 2\), is not in the file "
                   r"\(1 such views\); use the lists that belong to this file"),
])
def test_bad_listed_ids(shapenet_root, make_opt, listed, message):
    (shapenet_root / "id_car_train.txt").write_text(f"obj_a_4_10\n{listed}\n")
    raises_one_line(lambda: data.create_dataset(make_opt("shapenet", shapenet_root)), message)


def test_missing_target_views_and_test_objects(shapenet_root, make_opt):
    with h5py.File(shapenet_root / "data_car.hdf5", "a") as handle:
        del handle["obj_b_34_20"]
    raises_one_line(lambda: data.create_dataset(make_opt("shapenet", shapenet_root)),
                    r"data_car.hdf5: view 'obj_b_34_20', a target of 'obj_b_0_20' \(.*id_car_train.txt, line 2\), "
                    r"is not in the file \(1 such views\)")
    (shapenet_root / "name_car_test.txt").write_text("obj_a\nobj_z\n")
    raises_one_line(lambda: data.create_dataset(make_opt("shapenet", shapenet_root, is_train=False)),
                    r"view 'obj_z_2_0', the test source of an object in .*name_car_test.txt \(line 2\), is not in "
                    r"the file")


@pytest.mark.parametrize("datasets, message", [
    (dict(pose=np.array([40, 10])), r"view 'obj_a_4_10' has pose \[40, 10\]; expected \[azimuth/10, elevation\] = "
                                    r"\[4, 10\] as its id says"),
    (dict(pose=np.array([4, 20])), r"view 'obj_a_4_10' has pose \[4, 20\]"),
    (dict(pose=np.array([4.0, 10.0])), r"view 'obj_a_4_10' has pose \[4.0, 10.0\]"),
    (dict(pose=np.array([4, 10, 0])), r"view 'obj_a_4_10' has pose \[4, 10, 0\]"),
    (dict(pose=None), r"view 'obj_a_4_10' has no pose dataset"),
    (dict(image=np.zeros((8, 8), np.uint8)), r"view 'obj_a_4_10' has an image of shape \(8, 8\) and type uint8; "
                                             r"expected H x W x 3 uint8"),
])
def test_bad_views_are_named_when_loaded(shapenet_root, make_opt, datasets, message):
    damage(shapenet_root, "obj_a_4_10", **datasets)
    dataset = data.create_dataset(make_opt("shapenet", shapenet_root, load_size=(8, 8)))
    raises_one_line(lambda: dataset[0], f"{shapenet_root}/data_car.hdf5: " + message)
