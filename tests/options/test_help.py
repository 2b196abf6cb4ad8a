"""--help lists what the entry point uses, with the defaults a run of the chosen model and dataset
gets; an unknown option is answered with where it belongs or the closest spelling."""
import pytest

from options.errors import OptionError
from options.test_options import TestOptions
from options.train_options import TrainOptions

TRAINING_ONLY = ["--lambda_rec", "--lambda_g", "--lambda_correct", "--lambda_style", "--lambda_content",
                 "--lambda_regularization", "--ratio_g2d", "--use_spect_d", "--gan_mode", "--netD", "--niter"]


def help_of(capsys, options, *argv):
    """The --help text as one line (argparse wraps it at the terminal width)."""
    with pytest.raises(SystemExit) as info:
        options.parse([*argv, "--help"])
    assert info.value.code == 0
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("model", ["pose", "pose_flow"])
def test_test_help_lists_no_training_options(capsys, model):
    text = help_of(capsys, TestOptions(), f"--model={model}")
    assert "--results_dir" in text and "--attn_layer" in text
    for option in TRAINING_ONLY:
        assert f"{option} " not in text, option


def test_test_options_have_no_training_values(tmp_path):
    opt = TestOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=-1", "--model=pose", "--attn_layer=2",
                               "--kernel_size=2=3", "--dataset_mode=market"], save=False)
    assert not any(hasattr(opt, option.lstrip("-")) for option in TRAINING_ONLY)


def test_train_help_shows_each_default_once_with_the_other_models_and_datasets(capsys):
    text = help_of(capsys, TrainOptions())
    assert "weight of the sampling correctness loss (default: 5.0; --model=pose_flow: 20.0; --model=shapenetflow: 20.0)" in text
    assert ("rotation range 'low,high' in degrees, or false (default: False; --dataset_mode=dance: True; "
            "--dataset_mode=market: -5.0,5.0)") in text
    assert ("spectral norm in the discriminator; --use_spect_d=false to unset (default: True) " in text)
    assert "(default: False) (default: False)" not in text and "(default False" not in text
    assert text.count("(default:") == text.count("default:")  # every default printed in one place


def test_help_defaults_are_those_of_the_chosen_model_and_dataset(capsys):
    text = help_of(capsys, TrainOptions(), "--model=pose_flow", "--dataset_mode=market")
    assert ("weight of the sampling correctness loss (default: 20.0; --model=dance: 5.0; --model=face: 5.0; "
            "--model=pose: 5.0; --model=shapenet: 5.0)") in " ".join(text.split())
    assert ("weight of the affine regularisation loss (default: 0.01; --model=dance: 0.0025; --model=face: 0.0025; "
            "--model=pose: 0.0025; --model=shapenet: 0.0025)") in " ".join(text.split())
    assert "(default: -5.0,5.0; --dataset_mode=dance: True; --dataset_mode=face: False; --dataset_mode=fashion: False" \
        in " ".join(text.split())
    assert "size (h,w) images are resized to; set by the dataset (default: 128,64;" in text


def test_architecture_names_are_accepted_and_marked_ignored(tmp_path, capsys):
    text = help_of(capsys, TrainOptions(), "--model=pose")
    for option in ("--netG NETG", "--netD NETD"):
        assert f"{option} ignored: the architecture follows --model" in text
    opt = TrainOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=-1", "--model=pose", "--attn_layer=2",
                                "--kernel_size=2=3", "--dataset_mode=market", "--netG=pose", "--netD=res"], save=False)
    assert opt.netG == "pose" and opt.netD == "res"


@pytest.mark.parametrize("options, argv, hint", [
    (TrainOptions, ["--lamda_correct=3"], "--lamda_correct=3 (did you mean --lambda_correct?)"),
    (TrainOptions, ["--dataroot=x", "--atn_layer=2"], "--atn_layer=2 (did you mean --attn_layer?)"),
    (TrainOptions, ["--model=pose_flow", "--lambda_rec=3"], "--lambda_rec=3 (--lambda_rec is for --model=dance)"),
    (TestOptions, ["--lambda_correct=3"], "--lambda_correct=3 (--lambda_correct is for train.py)"),
    (TestOptions, ["--niter", "5"], "--niter (--niter is for train.py) 5"),
    (TrainOptions, ["--zzzz"], "unrecognized arguments: --zzzz"),
])
def test_unknown_options_get_a_hint(tmp_path, options, argv, hint):
    with pytest.raises(OptionError) as info:
        options().parse([f"--checkpoints_dir={tmp_path}", "--gpu_ids=-1", "--attn_layer=2", "--kernel_size=2=3",
                         *argv], save=False)
    assert str(info.value).startswith("unrecognized arguments: ") and str(info.value).endswith(hint)


def test_prefixes_of_the_original_readme_still_work(tmp_path, recwarn):
    opt = TrainOptions().parse([f"--checkpoints_dir={tmp_path}", "--gpu_id=-1", "--model=pose", "--attn_layer=2",
                                "--kernel_size=2=3", "--dataset_mode=market", "--lambda_corr=7"], save=False)
    assert opt.gpu_ids == [] and opt.lambda_correct == 7.0
