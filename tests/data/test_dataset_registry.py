"""Dataset registry, dataset option setters, and the seeded DataLoader."""
import argparse
import os

import pytest
import torch
import torch.distributed as dist
from torch.utils.data import DistributedSampler

import data
from data.annotations import read_pairs, write_pairs
from data.base_dataset import BaseDataset, augmentation_range
from data.heatmaps import pose_heatmaps
from options.train_options import TrainOptions

CLASSES = {"fashion": "FashionDataset", "market": "MarketDataset", "face": "FaceDataset", "dance": "DanceDataset",
           "shapenet": "ShapeNetDataset", "keypoint": "KeypointDataset", "keypointtest": "KeypointTestDataset"}


def test_registry_finds_every_dataset():
    assert data.dataset_names() == sorted(CLASSES)
    for name, class_name in CLASSES.items():
        cls = data.find_dataset_class(name)
        assert cls.__name__ == class_name and issubclass(cls, BaseDataset)
        assert data.get_option_setter(name) == cls.modify_commandline_options


@pytest.mark.parametrize("function", [data.find_dataset_class, data.get_option_setter])
def test_unknown_dataset_lists_the_valid_names(function):
    with pytest.raises(ValueError, match=r"--dataset_mode: unknown dataset 'fasion'; valid datasets: "
                                         r"dance, face, fashion, keypoint, keypointtest, market, shapenet$"):
        function("fasion")


def parse_defaults(name, is_train, argv=()):
    parser = argparse.ArgumentParser()
    for option in ("load_size", "old_size", "structure_nc", "image_nc", "display_winsize", "batchSize", "nThreads"):
        parser.add_argument(f"--{option}")
    data.get_option_setter(name)(parser, is_train)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize("name, is_train, expected", [
    ("fashion", True, dict(load_size=(256, 256), old_size=(256, 176), structure_nc=18, image_nc=3,
                           display_winsize=256, angle=False, shift=False, scale=False)),
    ("market", True, dict(load_size=(128, 64), old_size=(128, 64), structure_nc=18, display_winsize=128,
                          angle=(-5, 5), shift=(-5, 5), scale=(0.95, 1.05))),
    ("market", False, dict(load_size=(128, 64), angle=False, shift=False, scale=False)),
    ("face", True, dict(structure_nc=16, load_size=(256, 256), batchSize=2, total_test_frames=None,
                        n_frames_total=30, max_frames_per_gpu=6, n_frames_pre_load_test=1, no_canny_edge=False)),
    ("face", False, dict(batchSize=1, n_frames_pre_load_test=6, nThreads=1, start_frame=0)),
    ("dance", True, dict(structure_nc=20, sub_dataset="iper", angle=True, use_kp=False, mask_nc=1, batchSize=2)),
    ("dance", False, dict(angle=False, use_kp=True, test_list="./test_list.csv", cross_eval=False, nThreads=1)),
    ("shapenet", True, dict(structure_nc=21, load_size=(256, 256), ang_skip=20, label_nc_h=18, label_nc_v=3,
                            sub_dataset_model="car")),
    ("keypoint", True, dict(structure_nc=17, batchSize=32, t_step=1, n_frames_pre_load=24, n_receptive=81,
                            gt_path="./dataset/human36m/data_2d_h36m_gt.npz",
                            input_path="./dataset/human36m/data_2d_h36m_detectron_pt_coco.npz")),
    ("keypoint", False, dict(batchSize=1, n_frames_pre_load_test=24)),
    ("keypointtest", False, dict(structure_nc=17, batchSize=1, load_size=(256, 256), nThreads=1, eval_set="train",
                                 pose_extractor="alphapose", start_frame=0, total_test_frames=None)),
])
def test_option_defaults(name, is_train, expected):
    opt = vars(parse_defaults(name, is_train))
    assert {key: opt[key] for key in expected} == expected


def test_option_values_from_the_command_line():
    assert parse_defaults("shapenet", False, ["--sub_dataset=chair"]).sub_dataset_model == "chair"  # README prefix
    opt = parse_defaults("market", True, ["--angle=-10,10", "--shift=false"])
    assert opt.angle == (-10.0, 10.0) and opt.shift is False
    with pytest.raises(SystemExit):
        parse_defaults("dance", True, ["--sub_dataset=youtube"])
    for bad in ("5", "3,1", "a,b"):
        with pytest.raises(argparse.ArgumentTypeError, match="expected a range 'low,high'"):
            augmentation_range(bad)


# --- the DataLoader ---------------------------------------------------------------------------------

def batches(loader):
    return [(batch["P1_path"], pose_heatmaps(batch["BP1"]), batch["P2"]) for batch in loader]


def same_batches(a, b):
    return len(a) == len(b) and all(x[0] == y[0] and torch.equal(x[1], y[1]) and torch.equal(x[2], y[2])
                                    for x, y in zip(a, b))


def test_loader_layout_and_count(market_root, make_opt, capsys):
    loader = data.create_dataloader(make_opt("market", market_root, batchSize=5))
    assert capsys.readouterr().out == "#training images = 12\n"
    assert len(loader) == 2  # 12 pairs, the partial batch dropped in training
    batch = next(iter(loader))
    assert batch["P1"].shape == (5, 3, 128, 64) and pose_heatmaps(batch["BP2"]).shape == (5, 18, 128, 64)
    assert batch["BP2"]["rows"].shape == (5, 18, 128) and batch["BP2"]["cols"].shape == (5, 18, 64)  # factors
    assert len(batch["P1_path"]) == 5 and all(name.endswith(".jpg") for name in batch["P1_path"])
    test_loader = data.create_dataloader(make_opt("market", market_root, is_train=False, batchSize=3,
                                                  serial_batches=True))
    assert capsys.readouterr().out == "#test images = 8\n" and len(test_loader) == 3
    sources = [name for batch in test_loader for name in batch["P1_path"]]
    assert sources == [source for source, _ in read_pairs(os.path.join(market_root, "market-pairs-test.csv"))]


@pytest.mark.parametrize("workers", [0, 2])
def test_loader_is_reproducible_from_the_seed(market_root, make_opt, workers):
    make = lambda seed: data.create_dataloader(make_opt("market", market_root, nThreads=workers, seed=seed))  # noqa: E731
    first, again, other = batches(make(0)), batches(make(0)), batches(make(1))
    assert same_batches(first, again) and not same_batches(first, other)
    loader = make(0)
    assert not same_batches(batches(loader), batches(loader))  # a new epoch draws new augmentations


def test_workers_draw_different_augmentations(market_copy, make_opt):
    pair = read_pairs(market_copy / "market-pairs-train.csv")[0]
    write_pairs(market_copy / "market-pairs-train.csv", [pair] * 4)  # one pair, four times
    loader = data.create_dataloader(make_opt("market", market_copy, nThreads=2, batchSize=1, serial_batches=True))
    heatmaps = [pose_heatmaps(batch["BP1"]) for batch in loader]  # items 0, 2 from worker 0 and 1, 3 from worker 1
    assert len(heatmaps) == 4
    assert all(not torch.equal(heatmaps[i], heatmaps[j]) for i in range(4) for j in range(i + 1, 4))


def test_distributed_sampler_when_initialised(market_root, make_opt, tmp_path):
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'rendezvous'}", rank=0, world_size=1)
    try:
        loader = data.create_dataloader(make_opt("market", market_root, batchSize=4))
        assert isinstance(loader.sampler, DistributedSampler) and loader.sampler.shuffle
        assert len(loader) == 3 and next(iter(loader))["P1"].shape[0] == 4
    finally:
        dist.destroy_process_group()


def test_train_options_build_the_loader(market_root, tmp_path, capsys):
    opt = TrainOptions().parse([f"--dataroot={market_root}", "--dataset_mode=market", "--model=pose",
                                "--attn_layer=2", "--kernel_size=2=3", "--gpu_ids=-1", "--nThreads=0",
                                "--batchSize=4", f"--checkpoints_dir={tmp_path}"])
    loader = data.create_dataloader(opt)
    assert "#training images = 12" in capsys.readouterr().out
    batch = next(iter(loader))
    assert batch["P1"].shape == (4, 3, 128, 64) and pose_heatmaps(batch["BP1"]).shape == (4, opt.structure_nc, 128, 64)
