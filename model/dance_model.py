"""Pose-guided person image animation (original: model/dance_model.py, Dance): options and networks for now."""
from model.model_options import add_video_options
from model.unported_model import UnportedModel


class DanceModel(UnportedModel):
    @staticmethod
    def modify_options(parser, is_train):
        add_video_options(parser, is_train, frames_d_v=6)
        parser.add_argument("--write_ext", type=str, default="png", help="extension of written frames")
        if is_train:
            parser.set_defaults(display_freq=2, eval_iters_freq=500, print_freq=2,
                                save_latest_freq=2, save_iters_freq=1000)
        return parser
