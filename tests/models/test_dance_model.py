"""The dance model: the released FashionVideo and iPER G, D and D_V files load strictly through
create_model; iPER's correctness weight; D_V's input; the ground-truth previous frames; the
cross-identity result folder."""
import pytest
import torch

import model as models
from model.animation_model import AnimationModel
from options.errors import OptionError
from options.train_options import TrainOptions
from tests.models.test_face_model import assert_released_networks_load, released_files

DANCE = ["--model=dance", "--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=dance", "--gpu_ids=-1",
         "--init_type=normal"]


@pytest.mark.slow  # three networks built and loaded twice
@pytest.mark.parametrize("sub_dataset", ["fashion", "iper"])
def test_released_dance_networks_load_strictly_through_create_model(tmp_path, offline_vgg, sub_dataset):
    experiment = f"dance_{sub_dataset}_checkpoints"
    states = released_files(tmp_path, experiment, f"dance_{sub_dataset}")
    assert_released_networks_load([*DANCE, f"--sub_dataset={sub_dataset}", f"--name={experiment}"], tmp_path, states)


def dance_class():
    return models.find_model_class("dance")


def test_foreground_masks_override_the_correctness_weight_and_say_so(tmp_path, capsys, monkeypatch):
    """The dataset sets use_mask when training on iPER; the original then weighed correctness 2.0."""
    opt = TrainOptions().parse([*DANCE, f"--checkpoints_dir={tmp_path}", "--lambda_correct=7"], save=False)
    opt.use_mask = True
    capsys.readouterr()  # the options printed by parse
    monkeypatch.setattr(AnimationModel, "__init__", lambda self, opt: None)  # no networks needed
    dance_class()(opt)
    assert opt.lambda_correct == 2.0
    assert capsys.readouterr().out.strip() == (
        "--model=dance with iPER's foreground masks: the correctness weight is 2.0, overriding "
        "--lambda_correct=7.0 (as the original)")


def test_temporal_input_stacks_the_frames_in_time():
    frames = [torch.full((2, 3, 4, 4), float(value)) for value in range(6)]
    clip = dance_class().temporal_input(None, frames)
    assert clip.shape == (2, 3, 6, 4, 4)
    assert all(torch.equal(clip[:, :, t], frames[t]) for t in range(6))


def test_previous_frames_of_the_correctness_loss_are_the_ground_truth():
    """The first chunk starts from the reference, a later one from the clip's frame before it."""
    model = dance_class().__new__(dance_class())
    model.device, model.P_reference = torch.device("cpu"), torch.full((1, 3, 2, 2), -1.0)
    model.clip_images = torch.arange(6.0).view(1, 6, 1, 1, 1).expand(1, 6, 3, 2, 2)
    for start, expected in ((0, [-1.0, 0.0, 1.0]), (3, [2.0, 3.0, 4.0])):
        model.chunk_start, model.P_frame_step = start, model.clip_images[:, start:start + 3]
        sources = model.previous_correctness_sources()
        assert [source[0, 0, 0, 0].item() for source in sources] == expected


@pytest.mark.parametrize("reference, folder", [("/data/test_256/train_A/v1/00003.png", "v1"),
                                               ("/data/test_256/train_A/v2/00000.png", "v1_with_v2")])
def test_result_folder_names_the_reference_video_of_a_cross_identity_test(reference, folder):
    model = dance_class().__new__(dance_class())
    model.frame_paths, model.reference_path = [["/data/test_256/train_A/v1/00010.png"]], reference
    assert model.result_video() == folder


def test_temporal_discriminator_needs_five_frames(tmp_path):
    opt = TrainOptions().parse([*DANCE, f"--checkpoints_dir={tmp_path}", "--frames_D_V=4"], save=False)
    with pytest.raises(OptionError, match=r"^--frames_D_V=4: the temporal discriminator sees consecutive frames "
                                          r"of one chunk of 6 .*; expected 5\.\.6$"):
        dance_class()(opt)
