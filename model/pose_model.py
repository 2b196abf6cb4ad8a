"""Pose-guided person image generation, the full GFLA model (ORIGINAL.md §7.2)."""
from model.base_model import BaseModel
from model.model_options import add_generation_options
from options.actions import add_bool


class PoseModel(BaseModel):
    @staticmethod
    def modify_options(parser, is_train):
        add_generation_options(parser, net_g="pose")
        add_bool(parser, "--save_input", False, "test.py also saves source, ground truth and a side-by-side image")
        return parser
