"""Write a small synthetic ShapeNet view dataset in the exact layout of the Multi-view-to-Novel-view files.

    python -m script.make_synthetic_dataset --root ./dataset/synthetic_shapenet --format shapenet --sub_dataset car

Layout written (``<model>`` = car or chair), as ``data/shapenet_dataset.py`` reads the real one::

    <root>/data_<model>.hdf5       one group per view '<object>_<h>_<v>': 'image' uint8 [S, S, 3] and
                                   'pose' int64 [h, v] (images gzip-compressed, one chunk each)
    <root>/id_<model>_train.txt    the view ids of the train objects, one per line
    <root>/id_<model>_test.txt     the view ids of the test objects
    <root>/name_<model>_test.txt   the test objects' names

with h = azimuth / 10 for the azimuths 0, 20, ..., 340 and v = the elevation in degrees (0, 10,
20): 54 views per object, ordered by object, h, v as in the released lists. Objects are named
``<model><number:04d>`` (no underscore, like the released hash names); train and test objects
differ. Each object is a random toy car or chair (``data.synthetic.objects3d``) rendered on
white by ``data.synthetic.render3d``. The same arguments give the same images and lists.
"""
import os

import h5py
import numpy as np
from data.shapenet_dataset import view_id
from data.synthetic.objects3d import CATEGORIES, SAMPLERS
from data.synthetic.render3d import Mesh, render
from script.synthetic_common import check_at_least, check_choice, check_split_sizes, progress_bar
from util.output_folder import prepare_output_folder

AZIMUTHS = tuple(range(0, 360, 20))
ELEVATIONS = (0, 10, 20)


def make_synthetic_shapenet(root, sub_dataset="car", num_train_objects=4, num_test_objects=2, image_size=256,
                            seed=0, overwrite=False, progress=False):
    """Write the dataset under ``root`` and return the object names (train, test).

    Args:
        root: output folder; must be empty or absent unless ``overwrite``.
        sub_dataset: 'car' or 'chair' (``--sub_dataset_model`` of the dataset).
        num_train_objects, num_test_objects: objects per split (>= 1 each).
        image_size: height = width of the views (the released files hold 256).
        seed: random seed; the same arguments give the same images and lists.
        overwrite: replace the files of an earlier dataset of this category in ``root``.
        progress: show a progress bar.

    Raises:
        ValueError: a bad argument (the message names it); FileExistsError: ``root`` holds files.
    """
    check_choice("sub_dataset", sub_dataset, CATEGORIES)
    check_split_sizes(num_train_objects=num_train_objects, num_test_objects=num_test_objects)
    check_at_least("image_size", image_size, 8, " pixels")
    files = {"data": f"data_{sub_dataset}.hdf5", "train": f"id_{sub_dataset}_train.txt",
             "test": f"id_{sub_dataset}_test.txt", "names": f"name_{sub_dataset}_test.txt"}
    prepare_output_folder(root, list(files.values()), overwrite)
    names = [f"{sub_dataset}{number:04d}" for number in range(1, num_train_objects + num_test_objects + 1)]
    splits = {"train": names[:num_train_objects], "test": names[num_train_objects:]}
    bar = progress_bar(len(names) * len(AZIMUTHS) * len(ELEVATIONS), f"synthetic shapenet {sub_dataset}", "view",
                       progress)
    with h5py.File(os.path.join(root, files["data"]), "w") as handle:
        for number, name in enumerate(names, start=1):
            mesh = Mesh(SAMPLERS[sub_dataset](np.random.default_rng([seed, CATEGORIES.index(sub_dataset), number])))
            for azimuth in AZIMUTHS:
                for elevation in ELEVATIONS:
                    group = handle.create_group(view_id(name, azimuth // 10, elevation))
                    group.create_dataset("image", data=render(mesh, azimuth, elevation, image_size),
                                         compression="gzip", chunks=(image_size, image_size, 3))
                    group.create_dataset("pose", data=np.array([azimuth // 10, elevation], dtype=np.int64))
                    bar.update()
    bar.close()
    for split, objects in splits.items():
        ids = [view_id(name, azimuth // 10, elevation)
               for name in objects for azimuth in AZIMUTHS for elevation in ELEVATIONS]
        _write_lines(os.path.join(root, files[split]), ids)
    _write_lines(os.path.join(root, files["names"]), splits["test"])
    return splits["train"], splits["test"]


def _write_lines(path, lines):
    with open(path, "w") as handle:
        handle.write("".join(f"{line}\n" for line in lines))
