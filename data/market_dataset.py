"""Market-1501 pairs: ``--dataset_mode=market`` (original: data/*_dataset.py, modify_commandline_options; data/base_dataset.py, BaseDataset).

Images and annotations are 128x64 (h x w). Training augments with a random rotation of
[-5, 5] degrees, shifts of [-5, 5] pixels and scaling of [0.95, 1.05] (the target a milder
version); testing does not augment.
"""
from data.pair_dataset import PairDataset


class MarketDataset(PairDataset):
    """Market-1501 source/target pairs."""

    file_prefixes = ("market",)

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = PairDataset.modify_commandline_options(parser, is_train)
        parser.set_defaults(load_size=(128, 64), old_size=(128, 64), structure_nc=18, image_nc=3,
                            display_winsize=128)
        if is_train:
            parser.set_defaults(angle=(-5.0, 5.0), shift=(-5.0, 5.0), scale=(0.95, 1.05))
        else:
            parser.set_defaults(angle=False, shift=False, scale=False)
        return parser
