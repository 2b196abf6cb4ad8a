"""Face image animation on FaceForensics (original: model/face_model.py, Face): options and networks for now."""
from model.model_options import add_video_options
from model.networks import full_generator, res_discriminator
from model.networks.face_generator import FaceGenerator
from model.unported_model import UnportedModel


class FaceModel(UnportedModel):
    @staticmethod
    def modify_options(parser, is_train):
        add_video_options(parser, is_train, frames_d_v=3)
        if is_train:
            parser.set_defaults(display_freq=100, eval_iters_freq=1000, print_freq=100,
                                save_latest_freq=1000, save_iters_freq=10000)
        return parser

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``FaceGenerator``; D: ``ResDiscriminator`` on single frames; D_V: a ``ResDiscriminator``
        on the ``frames_D_V - 1`` consecutive frame differences stacked on channels."""
        nets = {"G": full_generator(FaceGenerator, opt)}
        if discriminators:
            nets["D"] = res_discriminator(opt)
            nets["D_V"] = res_discriminator(opt, input_nc=(opt.frames_D_V - 1) * opt.image_nc)
        return nets
