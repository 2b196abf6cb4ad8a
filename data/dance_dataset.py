"""FashionVideo / iPER person animation: ``--dataset_mode=dance`` (original: data/*_dataset.py, modify_commandline_options; data/dance_dataset.py, DanceDataset); options only so far."""
from data.animation_dataset import AnimationDataset


class DanceDataset(AnimationDataset):
    """Person videos with skeletons (17 heatmaps + 3 bone channels); the loader is not ported yet."""

    def __init__(self, opt):
        raise NotImplementedError(
            f"--dataset_mode={opt.dataset_mode}: the FashionVideo/iPER person video loader is not available yet "
            "in GFLA-rebuilt (its options parse, but it cannot read data)")

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = AnimationDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--no_bone_map", action="store_true", help="no 3-channel bone image")
        parser.add_argument("--sub_dataset", type=str, default="iper", choices=("iper", "fashion"),
                            help="iper (iPER) or fashion (FashionVideo)")
        parser.add_argument("--use_kp", action="store_true", help="also return keypoint vectors")
        parser.add_argument("--use_mask", action="store_true", help="also return foreground masks")
        if is_train:
            # True: the dataset's own augmentation ranges (original: data/dance_dataset.py, DanceDataset)
            parser.set_defaults(load_size=(256, 256), batchSize=2, angle=True, shift=True, scale=True,
                                use_kp=False, total_test_frames=None)
        else:
            parser.add_argument("--start_frame", type=int, default=0, help="first frame tested per video")
            parser.add_argument("--test_list", type=str, default="./test_list.csv",
                                help="CSV of test clips, relative to --dataroot")
            parser.add_argument("--cross_eval", action="store_true", help="reference frames from another video")
            parser.set_defaults(load_size=(256, 256), batchSize=1, angle=False, shift=False, scale=False,
                                use_kp=True, total_test_frames=None, cross_eval=False,
                                n_frames_pre_load_test=6, nThreads=1)
        parser.set_defaults(image_nc=3, mask_nc=1, display_winsize=256, no_bone_map=False, debug=False,
                            structure_nc=20)
        return parser
