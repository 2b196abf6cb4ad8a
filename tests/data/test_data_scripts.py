"""Dataset preparation scripts on tiny fake trees: evaluation folders and the DeepFashion split."""
import os
import stat
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from script.generate_fashion_datasets import flattened_name, generate_fashion_datasets
from script.make_eval_folders import main as make_eval_folders_main
from script.make_eval_folders import make_eval_folder

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_image(path, size, seed):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = np.random.default_rng(seed)
    # smooth content, so that the JPEG round trip stays close to the bicubic resize
    small = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    Image.fromarray(small).resize(size, Image.Resampling.BILINEAR).save(path, quality=95)


@pytest.mark.parametrize("dataset, source_size, folder_suffix, output_size",
                         [("fashion", (176, 256), "256", (256, 256)), ("market", (64, 128), "12864", (64, 128))])
def test_eval_folders(tmp_path, dataset, source_size, folder_suffix, output_size):
    for phase in ("train", "test"):
        for index in range(2):
            write_image(tmp_path / phase / f"{phase}{index}.jpg", source_size, seed=index)
    write_image(tmp_path / "test" / "extra.png", source_size, seed=9)
    make_eval_folders_main(["--root", str(tmp_path), "--dataset", dataset])
    assert sorted(os.listdir(tmp_path)) == sorted(["train", "test", f"train_{folder_suffix}", f"test_{folder_suffix}"])
    assert sorted(os.listdir(tmp_path / f"test_{folder_suffix}")) == ["extra.jpg", "test0.jpg", "test1.jpg"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / f"test_{folder_suffix}").st_mode) == 0o777 & ~umask  # as os.mkdir
    with Image.open(tmp_path / "train" / "train1.jpg") as source:
        expected = np.asarray(source.convert("RGB").resize(output_size, Image.Resampling.BICUBIC), dtype=float)
    with Image.open(tmp_path / f"train_{folder_suffix}" / "train1.jpg") as made:
        assert made.format == "JPEG" and made.size == output_size
        assert np.abs(np.asarray(made, dtype=float) - expected).mean() < 2.0


def test_eval_folder_is_never_half_written(tmp_path):
    for index in range(3):
        write_image(tmp_path / "test" / f"{index}.jpg", (64, 128), seed=index)
    (tmp_path / "test" / "1.jpg").write_bytes(b"broken")
    with pytest.raises(OSError, match=f"cannot read image {tmp_path}/test/1.jpg"):
        make_eval_folder(str(tmp_path), "market", "test")
    assert os.listdir(tmp_path) == ["test"]  # neither the output nor its temporary folder remains


def test_existing_eval_folder_needs_overwrite(tmp_path):
    write_image(tmp_path / "test" / "a.jpg", (64, 128), seed=0)
    make_eval_folder(str(tmp_path), "market", "test")
    (tmp_path / "test_12864" / "stale.jpg").write_bytes(b"old")
    with pytest.raises(FileExistsError, match="test_12864 exists; pass --overwrite to replace it"):
        make_eval_folder(str(tmp_path), "market", "test")
    make_eval_folder(str(tmp_path), "market", "test", overwrite=True)
    assert os.listdir(tmp_path / "test_12864") == ["a.jpg"] and sorted(os.listdir(tmp_path)) == ["test", "test_12864"]
    with pytest.raises(FileNotFoundError, match=f"{tmp_path}/train: no such image folder"):
        make_eval_folder(str(tmp_path), "market", "train")


def test_flattened_name_of_the_readme_example():
    assert flattened_name("WOMEN/Blouses_Shirts/id_00000001/02_1_front.jpg") == \
        "fashionWOMENBlouses_Shirtsid0000000102_1front.jpg"
    assert flattened_name("MEN/Pants/id_00000080/01_4_full.jpg") == "fashionMENPantsid0000008001_4full.jpg"
    with pytest.raises(ValueError, match="expected img_highres/<gender>/<category>/<id>/<file>.jpg"):
        flattened_name("WOMEN/extra.jpg")


@pytest.fixture
def fake_deepfashion(tmp_path):
    root = tmp_path / "fashion"
    images = {"WOMEN/Blouses_Shirts/id_00000001/02_1_front.jpg": "train",
              "WOMEN/Blouses_Shirts/id_00000001/02_2_side.jpg": "test",
              "MEN/Tees_Tanks/id_00000002/01_1_front.jpg": "train",
              "MEN/Tees_Tanks/id_00000002/01_7_additional.jpg": None}
    for index, relative in enumerate(images):
        write_image(root / "img_highres" / relative, (30, 44), seed=index)
    for split in ("train", "test"):
        names = [flattened_name(relative) for relative, listed in images.items() if listed == split]
        (root / f"{split}.lst").write_text(f"{len(names)}\n" + "\n".join(names) + "\n")
    return root, images


def test_deepfashion_split(fake_deepfashion, tmp_path, monkeypatch, capsys):
    root, images = fake_deepfashion
    monkeypatch.chdir(tmp_path)  # the script must not depend on the working directory
    assert generate_fashion_datasets(str(root)) == {"train": 2, "test": 1}
    for relative, split in images.items():
        for phase in ("train", "test"):
            copied = root / phase / flattened_name(relative)
            assert copied.exists() == (split == phase)
            if split == phase:
                assert copied.read_bytes() == (root / "img_highres" / relative).read_bytes()
    printed = capsys.readouterr().out
    assert f"train: 2 images in {root}/train\n" in printed and f"test: 1 images in {root}/test\n" in printed


def test_deepfashion_split_runs_from_anywhere(fake_deepfashion, tmp_path):
    root, _ = fake_deepfashion
    result = subprocess.run([sys.executable, os.path.join(REPO, "script", "generate_fashion_datasets.py"),
                             "--root", str(root)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(os.listdir(root / "train")) == 2


@pytest.mark.parametrize("remove, message", [("img_highres", "DeepFashion image folder not found: {root}/img_highres"),
                                             ("test.lst", "split list not found: {root}/test.lst")])
def test_deepfashion_split_missing_inputs(fake_deepfashion, remove, message):
    root, _ = fake_deepfashion
    path = root / remove
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    with pytest.raises(FileNotFoundError, match=message.format(root=root)):
        generate_fashion_datasets(str(root))
