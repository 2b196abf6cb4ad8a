"""Options shared by the video (animation) datasets, face and dance (original: data/*_dataset.py, modify_commandline_options; data/animation_dataset.py, AnimationDataset).

The video loaders themselves are not ported yet: building one raises NotImplementedError, while
their command-line options parse as in the original.
"""
from data.base_dataset import BaseDataset


class AnimationDataset(BaseDataset):
    """Base of the video datasets; subclasses set ``loader_description``."""

    loader_description = "video"

    def __init__(self, opt):
        raise NotImplementedError(
            f"--dataset_mode={opt.dataset_mode}: the {self.loader_description} loader is not available yet "
            "in GFLA-rebuilt (its options parse, but it cannot read data); the pair datasets fashion and "
            "market are supported")

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = BaseDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--n_frames_total", type=int, default=30, help="frames per training clip")
        parser.add_argument("--max_frames_per_gpu", type=int, default=6, help="frames per forward pass")
        parser.add_argument("--n_frames_pre_load_test", type=int, default=1, help="frames per test chunk")
        parser.add_argument("--total_test_frames", type=int, default=300, help="frames tested per video")
        parser.add_argument("--max_t_step", type=int, default=1, help="largest frame step of a training clip")
        parser.add_argument("--debug", action="store_true", help="debug mode of the video loaders")
        return parser
