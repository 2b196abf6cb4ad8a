"""View synthesis flow pre-training (original: model/shapenet_model.py and shapenetflow_model.py): options and networks for now."""
from model.model_options import add_flow_stage_options
from model.unported_model import UnportedModel


class ShapeNetFlowModel(UnportedModel):
    @staticmethod
    def modify_options(parser, is_train):
        return add_flow_stage_options(parser, is_train)
