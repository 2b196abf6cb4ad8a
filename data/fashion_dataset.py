"""DeepFashion (In-shop Clothes Retrieval) pairs: ``--dataset_mode=fashion`` (original: data/*_dataset.py, modify_commandline_options; data/base_dataset.py, BaseDataset).

The released CSVs are spelled ``fasion-*.csv``; ``fashion-*.csv`` (the spelling of the docs) is
accepted too. Images (176x256 or high-res) are stretched to 256x256; annotations are in the
256x176 (h x w) frame. No augmentation.
"""
from data.pair_dataset import PairDataset


class FashionDataset(PairDataset):
    """DeepFashion source/target pairs."""

    file_prefixes = ("fasion", "fashion")

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = PairDataset.modify_commandline_options(parser, is_train)
        parser.set_defaults(load_size=(256, 256), old_size=(256, 176), structure_nc=18, image_nc=3,
                            display_winsize=256)
        return parser
