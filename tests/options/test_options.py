"""The options parser: the original README command lines, validation errors, saved files."""
import json
import os
import warnings

import pytest

from options.errors import OptionError
from options.test_options import TestOptions
from options.train_options import TrainOptions

FASHION = ["--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=fashion", "--dataroot=./dataset/fashion"]
MARKET = ["--attn_layer=2", "--kernel_size=2=3", "--dataset_mode=market", "--dataroot=./dataset/market"]


def parse_train(tmp_path, *args):
    return TrainOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=-1", *args])


def parse_test(tmp_path, *args):
    return TestOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=-1", *args])


def test_readme_flow_stage_command(tmp_path):
    with warnings.catch_warnings(record=True):  # --gpu_id=0 on a machine without CUDA warns
        opt = TrainOptions().parse([f"--checkpoints_dir={tmp_path}", "--name=fashion", "--model=poseflownet",
                                    "--gpu_id=0", *FASHION])
    assert opt.model == "pose_flow"
    assert opt.attn_layer == [2, 3] and opt.kernel_size == {"2": 5, "3": 3}
    assert (opt.lambda_correct, opt.lambda_regularization) == (20.0, 0.01)
    assert opt.load_size == (256, 256) and opt.old_size == (256, 176)
    assert opt.isTrain and opt.batchSize == 8 and opt.lr == 1e-4 and opt.gan_mode == "lsgan"
    assert (opt.niter, opt.niter_decay, opt.save_latest_freq, opt.save_iters_freq) == (5000000, 0, 1000, 10000)


def test_readme_full_model_command(tmp_path):
    opt = parse_train(tmp_path, "--name=fashion", "--model=pose", "--continue_train", *FASHION)
    assert opt.model == "pose" and opt.continue_train
    assert (opt.lambda_rec, opt.lambda_g, opt.lambda_correct) == (5.0, 2.0, 5.0)
    assert (opt.lambda_style, opt.lambda_content, opt.lambda_regularization) == (500.0, 0.5, 0.0025)
    assert opt.ratio_g2d == 0.1 and opt.layers == 3
    assert opt.use_spect_g is False and opt.use_spect_d is True and opt.save_input is False
    assert opt.init_type == "orthogonal" and opt.display_id == 1 and opt.display_port == 8096


def test_readme_market_commands(tmp_path):
    train = parse_train(tmp_path, "--name=market", "--model=pose", *MARKET)
    assert train.load_size == (128, 64) and train.old_size == (128, 64)
    assert train.attn_layer == [2] and train.kernel_size == {"2": 3}
    assert tuple(train.angle) == (-5, 5) and tuple(train.shift) == (-5, 5) and tuple(train.scale) == (0.95, 1.05)
    test = parse_test(tmp_path, "--name=pose_market_checkpoints", "--model=pose", *MARKET,
                      "--results_dir=./eval_results/market")
    assert not test.isTrain and test.phase == "test" and test.batchSize == 1 and test.serial_batches
    assert test.results_dir == "./eval_results/market" and not test.angle


def test_readme_test_command_defaults(tmp_path):
    opt = parse_test(tmp_path, "--name=pose_fashion_checkpoints", "--model=pose", *FASHION)
    assert opt.results_dir == "./eval_results/" and opt.which_iter == "latest"
    assert os.path.isfile(tmp_path / "pose_fashion_checkpoints" / "test_opt.txt")


def test_other_task_commands_parse(tmp_path):
    face = parse_train(tmp_path, "--name=face", "--model=face", "--attn_layer=2,3", "--kernel_size=2=5,3=3",
                       "--dataset_mode=face", "--dataroot=./dataset/FaceForensics")
    assert face.structure_nc == 16 and face.frames_D_V == 3 and face.print_freq == 100
    car = parse_test(tmp_path, "--name=shape_net_car_checkpoints", "--model=shapenet", "--attn_layer=2,3",
                     "--kernel_size=2=5,3=3", "--dataset_mode=shapenet", "--sub_dataset=car",
                     "--dataroot=./dataset/ShapeNet", "--results_dir=./eval_results/shape_net_car")
    assert car.sub_dataset_model == "car" and car.structure_nc == 21
    dance = parse_train(tmp_path, "--name=dance", "--model=dance", "--attn_layer=2,3", "--kernel_size=2=5,3=3",
                        "--dataset_mode=dance", "--sub_dataset=iper")
    assert dance.structure_nc == 20 and dance.frames_D_V == 6 and dance.save_latest_freq == 2


def test_cpu_and_gpu_ids(tmp_path):
    opt = parse_train(tmp_path, "--model=pose", *FASHION)
    assert opt.gpu_ids == [] and opt.device.type == "cpu"


def test_boolean_flags_switch_both_ways(tmp_path):
    opt = parse_train(tmp_path, "--model=pose", *FASHION, "--use_spect_g", "--use_spect_d=false", "--save_input")
    assert opt.use_spect_g is True and opt.use_spect_d is False and opt.save_input is True


def test_options_saved_as_text_and_json(tmp_path):
    opt = parse_train(tmp_path, "--name=run", "--model=pose", *MARKET, "--lr=0.0002")
    text = (tmp_path / "run" / "train_opt.txt").read_text()
    assert "lr: 0.0002\t[default: 0.0001]" in text
    saved = json.loads((tmp_path / "run" / "train_opt.json").read_text())
    assert saved["lr"] == 0.0002 and saved["kernel_size"] == {"2": 3} and saved["model"] == opt.model


@pytest.mark.parametrize("args, message", [
    (["--model=posee", *FASHION], "valid models: dance, face, keypoint, pose"),
    (["--model=pose", "--attn_layer=2,3", "--kernel_size=2=5,3=3", "--dataset_mode=fasion"], "fasion"),
    (["--model=pose", "--attn_layer=2,3", "--kernel_size=2=5", "--dataset_mode=fashion"],
     "attention layer 3 has no kernel size"),
    (["--model=pose", "--attn_layer=2", "--kernel_size=2=0", "--dataset_mode=fashion"], "must be >= 2, got 0"),
    (["--model=pose", "--attn_layer=2", "--kernel_size=2=3,3=3", "--dataset_mode=fashion"],
     "layer 3 is not an attention layer"),
    (["--model=pose", "--kernel_size=2=3", "--dataset_mode=fashion"], "--attn_layer is required"),
    (["--model=pose", "--attn_layer=2", "--dataset_mode=fashion"], "--kernel_size is required"),
    (["--model=pose", "--attn_layer=a", "--kernel_size=2=3", "--dataset_mode=fashion"], "comma-separated integers"),
    (["--model=pose", "--attn_layer=2", "--kernel_size=2:3", "--dataset_mode=fashion"], "layer=kernel pairs"),
    (["--model=pose", "--attn_layer=5", "--kernel_size=5=3", "--dataset_mode=fashion"], "out of range"),
    (["--model=pose", *FASHION, "--batchSize=0"], "--batchSize: expected an integer >= 1, got 0"),
    (["--model=pose", *FASHION, "--gan_mode=wgan"], "invalid choice: 'wgan'"),
    (["--model=pose", *FASHION, "--no_such_option=1"], "unrecognized arguments: --no_such_option=1"),
])
def test_bad_values_give_one_clear_error(tmp_path, args, message):
    with pytest.raises(OptionError, match=None) as info:
        parse_train(tmp_path, *args)
    assert message in str(info.value)


def test_gpu_ids_must_be_integers(tmp_path):
    with pytest.raises(OptionError, match="--gpu_ids"):
        TrainOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=zero", "--model=pose", *FASHION])


def test_command_line_error_is_one_line_and_exit_status_2(tmp_path):
    import subprocess
    import sys
    from tests.paths import REPO_ROOT
    result = subprocess.run([sys.executable, os.path.join(REPO_ROOT, "train.py"), "--model=pose", "--gpu_ids=-1",
                             f"--checkpoints_dir={tmp_path}", "--attn_layer=2,3", "--kernel_size=2=5"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "train.py: error: --attn_layer: attention layer 3 has no kernel size; add it to --kernel_size, "
        "e.g. --kernel_size=3=3"]


def test_help_lists_every_model_and_dataset(capsys):
    with pytest.raises(SystemExit):
        TrainOptions().parse(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("model to use: dance, face, keypoint, pose, pose_flow, shapenet, shapenetflow, poseflownet "
            "(poseflownet = pose_flow)") in help_text
    assert "dataset to use: dance, face, fashion, keypoint, keypointtest, market, shapenet" in help_text
