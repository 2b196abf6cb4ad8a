"""View synthesis flow pre-training (original: model/shapenetflow_model.py, ShapeNetFlow): options and networks for now."""
from model.model_options import add_flow_stage_options
from model.networks import flow_generator
from model.networks.shapenet_generator import ShapeNetFlowNetGenerator
from model.unported_model import UnportedModel


class ShapeNetFlowModel(UnportedModel):
    @staticmethod
    def modify_options(parser, is_train):
        return add_flow_stage_options(parser, is_train)

    @classmethod
    def build_networks(cls, opt, discriminators):
        """G: ``ShapeNetFlowNetGenerator`` alone (this stage has no discriminator)."""
        return {"G": flow_generator(ShapeNetFlowNetGenerator, opt)}
