"""The view-synthesis models' training steps equal the original's at float64, bitwise: every logged
loss, every gradient and every updated weight.

The original's ShapeNet and ShapeNetFlow repeat Pose's and PoseFlowNet's steps line for line
(original: model/shapenet_model.py, ShapeNet.backward_G / backward_D_basic; model/shapenetflow_model.py,
ShapeNetFlow.backward_G), so the steps written out with the bare criteria for the pose models
serve here; what is ShapeNet's own is the input, the labels turned into one-hot codes by
``scatter_`` (original: obtain_shape_net_semantic), written out below.
"""
import copy

import pytest
import torch

from model import find_model_class
from options.train_options import TrainOptions
from tests.models.test_training_step import (assert_same_gradients_and_weights, original_pose_flow_step,
                                             original_pose_step)

pytestmark = pytest.mark.slow

# the smallest shapenet configuration: 128 x 128 views with a 2-layer generator
# (init_type=normal only for speed: the orthogonal init is a QR per layer)
SMALL = ["--attn_layer=2", "--kernel_size=2=3", "--dataset_mode=shapenet", "--load_size=128,128", "--gpu_ids=-1",
         "--init_type=normal"]
LABELS = {"BP1": [6, 10], "BP2": [30, 0]}  # [azimuth/10, elevation]: 60 degrees up 10 -> 300 degrees level


@pytest.fixture
def float64():
    """Everything built in the test (networks, criteria, data) in float64."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def batch():
    generator = torch.Generator().manual_seed(5)
    return {"P1": torch.rand(1, 3, 128, 128, generator=generator) * 2 - 1,
            "P2": torch.rand(1, 3, 128, 128, generator=generator) * 2 - 1,
            **{key: torch.tensor(value).view(1, 2, 1, 1) for key, value in LABELS.items()},
            "P1_path": ["obj_3_10"], "P2_path": ["obj_15_0"]}


def original_view_code(labels):
    """``scatter_`` of the azimuth class (h / 2) and the elevation class (v / 10) into zeros, concatenated."""
    def semantic(label, classes):
        return torch.zeros(label.shape[0], classes, *label.shape[2:]).scatter_(1, label, 1.0)
    return torch.cat([semantic(labels[:, 0:1] // 2, 18), semantic(labels[:, 1:2] // 10, 3)], dim=1)


@pytest.mark.parametrize("model_name, extra, original_step", [
    ("shapenet", ["--layers=2"], original_pose_step),
    ("shapenetflow", [], original_pose_flow_step),
])
def test_training_step_equals_the_original_at_float64(model_name, extra, original_step, tmp_path, offline_vgg,
                                                       float64):
    opt = TrainOptions().parse([f"--model={model_name}", *SMALL, *extra, f"--checkpoints_dir={tmp_path}"],
                               save=False)
    ours = find_model_class(model_name)(opt)
    original = copy.deepcopy(ours)  # the same weights and optimizers
    ours.set_input(batch())
    original.set_input(batch())
    for key in LABELS:  # the original's inputs: its own one-hot codes of the raw labels
        setattr(original, "input_" + key, original_view_code(batch()[key]))
        assert torch.equal(getattr(ours, "input_" + key), getattr(original, "input_" + key)), key
    assert ours.input_P1.dtype == ours.input_BP1.dtype == torch.float64

    ours.optimize_parameters()
    expected = original_step(original, opt)
    assert sorted(ours.loss_names) == sorted(expected)
    for name in ours.loss_names:
        assert getattr(ours, "loss_" + name).dtype == torch.float64, name
        assert torch.equal(getattr(ours, "loss_" + name), expected[name]), name
    assert_same_gradients_and_weights(ours, original)
