"""View synthesis on ShapeNet cars and chairs, full model (original: model/shapenet_model.py, ShapeNet): options and networks for now."""
from model.model_options import add_generation_options
from model.networks import full_generator, res_discriminator
from model.networks.shapenet_generator import ShapeNetGenerator
from model.unported_model import UnportedModel


class ShapeNetModel(UnportedModel):
    @staticmethod
    def modify_options(parser, is_train):
        return add_generation_options(parser, is_train)

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``ShapeNetGenerator``; D: ``ResDiscriminator`` with 4 stages whatever the dataset."""
        nets = {"G": full_generator(ShapeNetGenerator, opt)}
        if discriminators:
            nets["D"] = res_discriminator(opt)
        return nets
