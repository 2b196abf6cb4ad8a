"""DDP must be told when a network holds parameters no loss reaches (else it waits for their
gradients forever); the models' ``has_unused_parameters`` must match what one step really does."""
import pytest
import torch

from model import find_model_class
from options.train_options import TrainOptions

ATTENTION = {"market": ["--attn_layer=2", "--kernel_size=2=3"],
             "fashion": ["--attn_layer=2,3", "--kernel_size=2=5,3=3"]}


@pytest.mark.parametrize("model_name", ["pose_flow", "pose"])
@pytest.mark.parametrize("attention", ["market", "fashion"])
def test_declared_unused_parameters_match_one_training_step(model_name, attention, tmp_path, offline_vgg):
    # the fashion attention layers on Market-sized images: the same networks, a quicker step
    opt = TrainOptions().parse([f"--model={model_name}", *ATTENTION[attention], "--dataset_mode=market",
                                "--gpu_ids=-1", f"--checkpoints_dir={tmp_path}"], save=False)
    torch.manual_seed(0)
    model = find_model_class(model_name)(opt)
    batch = {"P1": torch.rand(1, 3, 128, 64) * 2 - 1, "P2": torch.rand(1, 3, 128, 64) * 2 - 1,
             "BP1": torch.rand(1, 18, 128, 64), "BP2": torch.rand(1, 18, 128, 64),
             "P1_path": ["a.jpg"], "P2_path": ["b.jpg"]}
    model.set_input(batch)
    model.optimize_parameters()
    for name in model.model_names:
        unused = [key for key, p in getattr(model, "net_" + name).named_parameters() if p.grad is None]
        assert model.has_unused_parameters(name) == bool(unused), (name, unused)
