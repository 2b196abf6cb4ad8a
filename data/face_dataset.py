"""FaceForensics face animation: ``--dataset_mode=face`` (original: data/*_dataset.py, modify_commandline_options; data/face_dataset.py, FaceDataset); options only so far."""
from data.animation_dataset import AnimationDataset


class FaceDataset(AnimationDataset):
    """Face videos with landmark edge maps (16 structure channels); the loader is not ported yet."""

    loader_description = "FaceForensics face video"

    @staticmethod
    def modify_commandline_options(parser, is_train):
        parser = AnimationDataset.modify_commandline_options(parser, is_train)
        parser.add_argument("--no_canny_edge", action="store_true", help="no background Canny edges")
        parser.add_argument("--no_dist_map", action="store_true", help="no landmark distance maps")
        if is_train:
            parser.set_defaults(load_size=(256, 256), batchSize=2, total_test_frames=None)
        else:
            parser.add_argument("--start_frame", type=int, default=0, help="first frame tested per video")
            parser.set_defaults(load_size=(256, 256), batchSize=1, total_test_frames=None,
                                n_frames_pre_load_test=6, nThreads=1)
        parser.set_defaults(structure_nc=16, image_nc=3, display_winsize=256, n_frames_total=30,
                            max_frames_per_gpu=6, max_t_step=1, debug=False)
        return parser
