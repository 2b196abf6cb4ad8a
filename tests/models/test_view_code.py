"""The shapenet models' one-hot view codes (original: model/shapenet_model.py, obtain_shape_net_semantic)
against codes written out by hand, and the test batch they are built from."""
import types

import pytest
import torch

from model.shapenet_input import ViewCodeInput, view_code


def hand_code(azimuth_channel, elevation_channel):
    code = [0.0] * 21
    code[azimuth_channel] = 1.0
    code[18 + elevation_channel] = 1.0
    return code


@pytest.mark.parametrize("h, v, azimuth_channel, elevation_channel", [
    (0, 0, 0, 0),      # azimuth 0, elevation 0
    (2, 10, 1, 1),     # azimuth 20, elevation 10
    (18, 20, 9, 2),    # azimuth 180, elevation 20
    (34, 0, 17, 0),    # azimuth 340
    (35, 19, 17, 1),   # integer division, as torch 1.0's '/' on LongTensors: 35 // 2, 19 // 10
])
def test_code_of_one_label(h, v, azimuth_channel, elevation_channel):
    code = view_code(torch.tensor([h, v]).view(1, 2, 1, 1))
    assert code.shape == (1, 21, 1, 1) and code.dtype == torch.float32
    assert code.flatten().tolist() == hand_code(azimuth_channel, elevation_channel)


def test_batch_spatial_maps_and_type():
    labels = torch.tensor([[0, 20], [4, 10]]).view(2, 2, 1, 1).expand(2, 2, 2, 3)
    code = view_code(labels, dtype=torch.float64)
    assert code.shape == (2, 21, 2, 3) and code.dtype == torch.float64
    expected = torch.tensor([hand_code(0, 2), hand_code(2, 1)], dtype=torch.float64).view(2, 21, 1, 1)
    assert torch.equal(code, expected.expand(2, 21, 2, 3))


@pytest.mark.parametrize("labels, message", [
    (torch.tensor([36, 0]).view(1, 2, 1, 1), r"^view labels: azimuth/10 = 36 is outside 0\.\.35$"),
    (torch.tensor([0, 30]).view(1, 2, 1, 1), r"^view labels: elevation = 30 is outside 0\.\.29$"),
    (torch.tensor([-2, 0]).view(1, 2, 1, 1), r"azimuth/10 = -2 is outside"),
    (torch.tensor([0.0, 0.0]).view(1, 2, 1, 1), r"expected an integer tensor \[B, 2, h, w\]"),
    (torch.tensor([0, 0, 0]).view(1, 3, 1, 1), r"got torch.int64 \(1, 3, 1, 1\)"),
])
def test_bad_labels_raise(labels, message):
    with pytest.raises(ValueError, match=message):
        view_code(labels)


class PairModel:
    """Stands for the pair model behind the mixin (training batches)."""

    def set_input(self, batch):
        raise AssertionError("a test batch must not reach the pair model's set_input")


class ViewModel(ViewCodeInput, PairModel):
    def __init__(self):
        self.opt = types.SimpleNamespace(label_nc_h=18, label_nc_v=3)
        self.device = torch.device("cpu")


def test_test_batch_holds_every_target_of_each_source():
    """The default collation of two test items of 3 targets each (lists of T batched tensors)."""
    images = torch.rand(2, 3, 3, 8, 8)  # [T, B, 3, H, W]
    batch = {"P1": torch.rand(2, 3, 8, 8), "BP1": torch.tensor([[2, 0], [4, 0]]).view(2, 2, 1, 1),
             "P1_path": ["a1b2_2_0", "c3_d4_4_0"],
             "P2": list(images), "BP2": [torch.tensor([[2 * t, 0]] * 2).view(2, 2, 1, 1) for t in range(3)],
             "P2_path": [(f"a1b2_{2 * t}_0", f"c3_d4_{2 * t}_0") for t in range(3)]}
    model = ViewModel()
    model.set_input(batch)
    assert torch.equal(model.input_P2, images.transpose(0, 1))
    assert model.input_BP1.shape == (2, 21, 1, 1) and model.input_BP2.shape == (2, 3, 21, 1, 1)
    assert model.input_BP1[:, :, 0, 0].tolist() == [hand_code(1, 0), hand_code(2, 0)]
    assert model.input_BP2[1, :, :, 0, 0].tolist() == [hand_code(t, 0) for t in range(3)]
    assert model.image_paths == ["a1b2", "c3_d4"]  # object names (an underscore in a name kept)
