"""``--compile`` (model/fast_path.py): only on the fast path, which modules it compiles (not the
spectral-norm ones, the losses' VGG19 once) and that compiling keeps their state_dict and results;
on a GPU, compiled graphed pose training agrees with the eager path and test.py runs compiled."""
import types
import warnings

import pandas as pd
import pytest
import torch
from torch import nn

import test as test_script
import train as train_script
from model import fast_path
from model.networks.losses.vgg import VGG19
from options.errors import OptionError
from options.test_options import TestOptions
from options.train_options import TrainOptions
from tests.end_to_end.test_pose_pipeline import COMMON, logged_losses, market_root  # noqa: F401 (a fixture)

from .test_cuda_graphs import TwoNetModel, pose_args


def test_compile_is_off_by_default_and_only_on_the_fast_path(tmp_path):
    opt = TrainOptions().parse(["--gpu_ids=-1", f"--checkpoints_dir={tmp_path}", "--attn_layer=2",
                                "--kernel_size=2=3"], save=False)
    assert opt.compile is False
    model = TwoNetModel("cpu")
    assert not fast_path.use_compile(model, types.SimpleNamespace(compile=False, cuda_graphs="auto"))
    with pytest.raises(OptionError, match=r"^--compile: only on the fast path, which does not apply here \(the model "
                                          r"runs on cpu, CUDA graphs need a CUDA device\); drop --compile$"):
        fast_path.training_step(model, types.SimpleNamespace(compile=True, cuda_graphs="auto"))
    with pytest.raises(OptionError, match=r"\(--cuda_graphs=off\)"):
        fast_path.use_compile(model, types.SimpleNamespace(compile=True, cuda_graphs="off"))
    model.model_names = ["G"]
    with pytest.raises(OptionError, match="^--compile: only on the fast path"):
        fast_path.graph_inference(model, types.SimpleNamespace(compile=True, cuda_graphs="auto"))


def test_spectral_norm_networks_stay_eager_and_compiling_keeps_state_and_results(capsys):
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(4, 3, 1))
    spectral = nn.Sequential(nn.utils.spectral_norm(nn.Conv2d(3, 1, 3)))
    assert not fast_path.has_spectral_norm(plain) and fast_path.has_spectral_norm(spectral)
    x = torch.rand(2, 3, 8, 8)
    keys, expected = list(plain.state_dict()), plain(x)
    assert fast_path.compile_modules([plain, spectral], backend="eager") == [plain]
    assert capsys.readouterr().out.startswith("--compile: compiling Sequential (not Sequential: spectral norm)")
    assert plain._compiled_call_impl is not None and spectral._compiled_call_impl is None
    assert list(plain.state_dict()) == keys
    torch.testing.assert_close(plain(x), expected, rtol=0, atol=0)


def test_the_losses_vgg19_is_found_once_however_many_losses_share_it():
    vgg = VGG19("random")
    losses = nn.Module()
    losses.correctness, losses.perceptual = nn.Module(), nn.Module()
    losses.correctness.vgg = losses.perceptual.vgg = vgg
    assert fast_path.loss_networks(types.SimpleNamespace(losses=losses)) == [vgg]
    assert fast_path.loss_networks(types.SimpleNamespace()) == []


@pytest.mark.cuda
@pytest.mark.slow
def test_compiled_graphed_pose_training_matches_eager_and_tests(market_root, tmp_path, offline_vgg, monkeypatch):
    """train.py with --compile: the step is still captured (no fallback warning), the first step
    agrees with the eager one to float32 rounding and later ones to the runs' drift (see
    test_cuda_graphs.test_graphed_pose_training_matches_eager_and_resumes), the checkpoint keeps
    the released layout, and test.py --compile writes the results."""
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = train_script.train(TrainOptions().parse(
            pose_args(market_root, tmp_path / "a", "--cuda_graphs=on", "--compile")))
    assert not [str(w.message) for w in caught if "capture" in str(w.message)]
    eager = train_script.train(TrainOptions().parse(pose_args(market_root, tmp_path / "c", "--cuda_graphs=off")))
    assert compiled.iteration == eager.iteration == 8
    mismatches = []
    for a, c in zip(logged_losses(tmp_path / "a" / "graphs"), logged_losses(tmp_path / "c" / "graphs")):
        for name, value in c["losses"].items():
            tolerance = 1e-3 if a["iteration"] == 1 else 5e-2
            if value != pytest.approx(a["losses"][name], rel=tolerance, abs=1e-5):
                mismatches.append(f"{name} at iteration {a['iteration']}: {value!r} != {a['losses'][name]!r}")
    assert not mismatches, "\n".join(mismatches)
    saved = torch.load(tmp_path / "a" / "graphs" / "latest_net_G.pth", map_location="cpu")
    assert list(saved) == list(eager.net_G.state_dict())

    results = tmp_path / "results"
    test_script.test(TestOptions().parse([*COMMON, "--model=pose", f"--dataroot={market_root}", "--gpu_ids=0",
                                          f"--checkpoints_dir={tmp_path / 'a'}", "--name=graphs", "--compile",
                                          f"--results_dir={results}"]))
    pairs = pd.read_csv(market_root / "market-pairs-test.csv")
    assert len(list(results.iterdir())) == len(pairs)
