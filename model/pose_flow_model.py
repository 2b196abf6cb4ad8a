"""Flow-estimator pre-training for pose-guided generation (ORIGINAL.md §7.3)."""
from model.base_model import BaseModel
from model.model_options import add_flow_stage_options


class PoseFlowModel(BaseModel):
    @staticmethod
    def modify_options(parser, is_train):
        return add_flow_stage_options(parser, net_g="poseflownet")
