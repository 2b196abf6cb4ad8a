"""View synthesis on ShapeNet cars and chairs, full model (original: model/shapenet_model.py and shapenetflow_model.py): options and networks for now."""
from model.model_options import add_generation_options
from model.unported_model import UnportedModel


class ShapeNetModel(UnportedModel):
    @staticmethod
    def modify_options(parser, is_train):
        return add_generation_options(parser, is_train)
