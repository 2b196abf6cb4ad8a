"""The keypoint model (motion extraction): its training step at float64 equals the original's
written out (original: model/keypoint_model.py, Keypoint.optimize_parameters: MSE, Adam with
betas (0, 0.999)), its test writes the original's JSON files (Keypoint.test), the Human3.6M
evaluation, and its option checks."""
import json
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import default_collate

from data.skeleton_json import read_skeleton
from model.keypoint_evaluation import cleaned_sequence
from model.keypoint_model import KeypointModel
from options.errors import OptionError
from options.test_options import TestOptions
from options.train_options import TrainOptions
from tests.networks.test_keypoint_generator import original_forward
from util.video_io import read_video

COMMON = ["--model=keypoint", "--gpu_ids=-1", "--init_type=normal"]


def make_model(tmp_path, *args, train=False):
    options, where = (TrainOptions(), []) if train else (TestOptions(), [f"--results_dir={tmp_path / 'results'}"])
    opt = options.parse([*COMMON, f"--checkpoints_dir={tmp_path}", *where, *args], save=False)
    model = KeypointModel(opt)
    model.net_G.train(train)
    return model


def test_training_step_equals_the_originals_at_float64(tmp_path):
    model = make_model(tmp_path, "--dataset_mode=keypoint", train=True)
    assert model.loss_names == ["mpjpe"] and model.model_names == ["G"]
    adam = model.optimizers[0]
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["betas"] == (0.0, 0.999)
    assert adam.defaults["lr"] == 1e-4 and adam.param_groups[0]["params"] == list(model.net_G.parameters())
    model.net_G.double()
    state = {key.removeprefix("kp_input."): value.detach().clone().requires_grad_()
             for key, value in model.net_G.named_parameters()}
    generator = torch.Generator().manual_seed(2)
    batch = {"input_data": torch.rand(2, 34, 104, generator=generator, dtype=torch.float64) * 2 - 1,
             "gt_data": torch.rand(2, 34, 24, generator=generator, dtype=torch.float64) * 2 - 1,
             "camera": {"id": ["54138969", "55011271"], "res_w": torch.tensor([1000, 1000]),
                        "res_h": torch.tensor([1002, 1000])}}

    torch.manual_seed(3)  # the dropout masks
    model.set_input(batch)
    model.optimize_parameters()
    torch.manual_seed(3)
    loss = torch.nn.MSELoss()(original_forward(state, batch["input_data"], training=True), batch["gt_data"])
    original_adam = torch.optim.Adam(state.values(), lr=1e-4, betas=(0.0, 0.999))
    original_adam.zero_grad()
    loss.backward()
    original_adam.step()

    torch.testing.assert_close(model.loss_mpjpe, loss, rtol=1e-12, atol=0)
    for key, parameter in model.net_G.named_parameters():
        expected = state[key.removeprefix("kp_input.")]
        torch.testing.assert_close(parameter.grad, expected.grad, rtol=1e-9, atol=1e-15, msg=lambda m: f"{key}: {m}")
        torch.testing.assert_close(parameter, expected, rtol=1e-9, atol=1e-15, msg=lambda m: f"{key}: {m}")
    assert torch.equal(model.current_skeleton, batch["input_data"][:, :, 40:64])  # the frames the output is of


def chunk_item(generator, video, first_frame, change_seq, size=(16, 32)):
    """A keypointtest item (the dataset's contract) of a 24-frame chunk, frames h x w = ``size``."""
    return {"gen_keypoints": torch.rand(34, 104, generator=generator) * 2 - 1,
            "current_keypoints": torch.rand(34, 24, generator=generator) * 2 - 1,
            "gen_images": torch.rand(72, *size, generator=generator) * 2 - 1, "shape": (320, 200),
            "gen_paths": [f"/data/val_256/train_alphapose/{video}/{first_frame + i:05d}.json" for i in range(24)],
            "video": video, "frame_idx": first_frame + 24, "change_seq": change_seq}


def test_cleaning_writes_the_originals_json_per_frame(tmp_path):
    model = make_model(tmp_path, "--dataset_mode=keypointtest", "--batchSize=2")
    generator = torch.Generator().manual_seed(4)
    batch = default_collate([chunk_item(generator, "a", 0, False), chunk_item(generator, "b/c", 24, True)])
    with torch.inference_mode():
        model.set_input(batch)
        model.test()
        output = model.net_G(batch["gen_keypoints"])
    results = tmp_path / "results"
    assert sorted(os.listdir(results / "a")) == [f"{i:05d}.json" for i in range(24)]
    assert sorted(os.listdir(results / "b" / "c")) == [f"{i:05d}.json" for i in range(24, 48)]
    for sample, folder, first in ((0, results / "a", 0), (1, results / "b" / "c", 24)):
        for frame in (0, 23):
            content = json.loads((folder / f"{first + frame:05d}.json").read_text())
            assert content["version"] == "Video to Pose 2D" and len(content["people"]) == 1
            values = np.array(content["people"][0]["pose_keypoints_2d"]).reshape(17, 3)
            column = output[sample, :, frame].numpy()
            # (v + 1) / 2: the y rows times the frame height (200), the x rows times its width (320)
            np.testing.assert_allclose(values[:, 0], (column[17:] + 1) / 2 * 320, atol=5e-4)
            np.testing.assert_allclose(values[:, 1], (column[:17] + 1) / 2 * 200, atol=5e-4)
            assert (values[:, 2] == 1).all()
            assert read_skeleton(str(folder / f"{first + frame:05d}.json"), 17, "Human3.6M-17").shape == (17, 3)
    assert not list(results.glob("**/*.png"))  # pictures only with --write_image


def test_write_image_draws_both_skeletons_and_a_video_at_the_last_chunk(tmp_path):
    model = make_model(tmp_path, "--dataset_mode=keypointtest", "--write_image")
    generator = torch.Generator().manual_seed(5)
    with torch.inference_mode():
        for item in (chunk_item(generator, "v", 0, False), chunk_item(generator, "v", 24, True)):
            model.set_input(default_collate([item]))
            model.test()
    folder = tmp_path / "results" / "v"
    for frame in range(48):
        for name in ("skeleton_in", "skeleton_out"):
            assert (folder / f"{frame:05d}_{name}.png").is_file()
    frames = list(read_video(str(tmp_path / "results" / "v_skeleton_in_skeleton_out_.mp4")))
    assert len(frames) == 48 and frames[0].shape == (16, 64, 3)  # skeleton_in | skeleton_out
    assert model.picture_stems == {}


def test_human36m_evaluation_cleans_whole_sequences_chunk_by_chunk(tmp_path):
    model = make_model(tmp_path, "--dataset_mode=keypoint")
    generator = torch.Generator().manual_seed(6)
    length = 50  # chunks 0-23, 24-47, and 26-49 moved back: frames 26-47 take the last chunk's output
    batch = {"input_data": torch.rand(1, 34, length, generator=generator) * 2 - 1,
             "gt_data": torch.rand(1, 34, length, generator=generator) * 2 - 1,
             "camera": {"id": ["54138969"], "res_w": torch.tensor([1000]), "res_h": torch.tensor([1002])},
             "out_path": {"subject": ["S9"], "action": ["Walking 1"], "camera": ["0"]}}
    with torch.inference_mode():
        model.set_input(batch)
        model.test()
        sequence = batch["input_data"][0]
        padded = torch.cat([sequence[:, :1].expand(34, 40), sequence, sequence[:, -1:].expand(34, 40)], dim=1)
        chunks = [model.net_G(padded[None, :, start:start + 104])[0] for start in (0, 24, 26)]
        expected = torch.cat([chunks[0], chunks[1][:, :2], chunks[2]], dim=1)
        cleaned = cleaned_sequence(model.net_G, sequence, 24, 40)
        torch.testing.assert_close(cleaned, expected)
        short = cleaned_sequence(model.net_G, sequence[:, :10], 24, 40)
        padded_short = torch.cat([sequence[:, :1].expand(34, 40), sequence[:, :10], sequence[:, 9:10].expand(34, 54)], 1)
        torch.testing.assert_close(short, model.net_G(padded_short[None])[0][:, :10])
    saved = np.load(tmp_path / "results" / "S9" / "Walking 1.0.npy")
    columns = cleaned.numpy()
    assert saved.shape == (length, 17, 2) and saved.dtype == np.float32
    np.testing.assert_allclose(saved[:, :, 0], ((columns[17:] + 1) / 2 * 1000).T, rtol=1e-6)  # x
    np.testing.assert_allclose(saved[:, :, 1], ((columns[:17] + 1) / 2 * 1000).T, rtol=1e-6)  # y
    rows = (tmp_path / "results" / "keypoint_errors.csv").read_text().splitlines()
    mse = F.mse_loss(cleaned, batch["gt_data"][0]).item()
    gt_pixels = (batch["gt_data"][0].numpy() + 1) / 2 * 1000
    mpjpe = np.hypot(saved[:, :, 0] - gt_pixels[17:].T, saved[:, :, 1] - gt_pixels[:17].T).mean()
    assert rows[0] == "sequence,frames,mse,mpjpe_px"
    assert rows[1] == rows[2].replace("all", "S9/Walking 1.0") == f"S9/Walking 1.0,50,{mse:.6g},{mpjpe:.4f}"


@pytest.mark.parametrize("train, args, message", [
    (True, ["--dataset_mode=market"], "--dataset_mode=market: the keypoint model trains on --dataset_mode=keypoint "
                                      "(Human3.6M) and tests on keypoint or keypointtest (cleaning a set of skeleton videos)"),
    (True, ["--dataset_mode=keypoint", "--n_receptive=41"],
     "--n_receptive=41: the motion extraction net sees 81 frames per output frame; pass --n_receptive=81"),
    (False, ["--dataset_mode=keypointtest", "--structure_nc=18"],
     "--structure_nc=18: the motion extraction net reads 17 joints; pass --structure_nc=17"),
    (False, ["--dataset_mode=keypoint", "--batchSize=2"],
     "--batchSize=2: Human3.6M test sequences differ in length; test them with --batchSize=1"),
])
def test_options_that_do_not_fit_the_net_are_one_clear_error(tmp_path, train, args, message):
    with pytest.raises(OptionError) as info:
        make_model(tmp_path, *args, train=train)
    assert str(info.value) == message


@pytest.mark.cuda
def test_training_step_on_the_gpu_matches_the_cpu(tmp_path, monkeypatch):
    # full-precision convolutions on the GPU (TF32 would dominate the difference in small gradients)
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    models = {}
    for device in ("cpu", "cuda"):
        torch.manual_seed(0)
        models[device] = make_model(tmp_path / device, "--dataset_mode=keypoint",
                                    *([] if device == "cpu" else ["--gpu_ids=0"]), train=True)
    models["cuda"].net_G.load_state_dict(models["cpu"].net_G.state_dict())
    models["cuda"].net_G.eval(), models["cpu"].net_G.eval()  # no dropout: the two devices draw other masks
    generator = torch.Generator().manual_seed(8)
    batch = {"input_data": torch.rand(4, 34, 104, generator=generator) * 2 - 1,
             "gt_data": torch.rand(4, 34, 24, generator=generator) * 2 - 1,
             "camera": {"id": ["54138969"] * 4, "res_w": torch.tensor([1000] * 4), "res_h": torch.tensor([1002] * 4)}}
    for model in models.values():
        model.set_input(batch)
        model.optimize_parameters()
    assert models["cuda"].output_skeleton.is_cuda
    # float32 on both devices, other summation orders: gradients compared relative to their scale
    torch.testing.assert_close(models["cuda"].loss_mpjpe.cpu(), models["cpu"].loss_mpjpe, rtol=1e-3, atol=0)
    for (key, cuda), cpu in zip(models["cuda"].net_G.named_parameters(), models["cpu"].net_G.parameters()):
        torch.testing.assert_close(cuda.grad.cpu(), cpu.grad, rtol=1e-2, atol=1e-2 * cpu.grad.abs().max().item(),
                                   msg=lambda m: f"{key}: {m}")
