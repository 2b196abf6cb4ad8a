"""Pose-guided person image animation (original: model/dance_model.py, Dance): options and networks for now."""
from model.model_options import add_video_options
from model.networks import build_network, full_generator, res_discriminator
from model.networks.dance_generator import DanceGenerator
from model.networks.discriminators import TemporalDiscriminator
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

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``DanceGenerator``; D: ``ResDiscriminator`` on single frames; D_V: a
        ``TemporalDiscriminator`` on clips of ``frames_D_V`` frames."""
        nets = {"G": full_generator(DanceGenerator, opt)}
        if discriminators:
            nets["D"] = res_discriminator(opt)
            nets["D_V"] = build_network(TemporalDiscriminator, opt, input_length=opt.frames_D_V, ndf=32,
                                        img_f=128, layers=4, use_spect=opt.use_spect_d)
        return nets
