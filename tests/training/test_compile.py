"""``--compile`` (model/fast_path.py): only on the fast path, which modules it compiles (the
losses' VGG19 once; spectral-norm networks with their power iteration eager, and those then train
as eagerly) and that compiling keeps their state_dict and results; on the CPU, the pose model
and the view-synthesis generators trace without graph breaks, and the pose model trains compiled
(aot_eager) as eagerly; test.py compiles once;
on a GPU, compiled graphed pose training agrees with the eager path and test.py runs compiled."""
import copy
import os
import types
import warnings

import pandas as pd
import pytest
import torch
from torch import nn
from torch._dynamo.utils import counters

import test as test_script
import train as train_script
from model import fast_path
from model.networks.discriminators import ResDiscriminator
from model.networks.losses.vgg import VGG19
from options.errors import OptionError
from options.test_options import TestOptions
from options.train_options import TrainOptions
from script import benchmark_train
from tests.end_to_end.test_pose_pipeline import COMMON, logged_losses, market_root  # noqa: F401 (a fixture)
from tests.networks.manifests import MANIFEST_DIR, build_from_define_call, load_manifest
from util.compile_spectral_norm import compile_with_eager_spectral_norm

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


def test_compiling_keeps_state_dict_and_results_and_names_what_it_compiled(capsys):
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(4, 3, 1))
    spectral = nn.Sequential(nn.utils.spectral_norm(nn.Conv2d(3, 1, 3)))
    x = torch.rand(2, 3, 8, 8)
    keys, expected = (list(plain.state_dict()), list(spectral.state_dict())), (plain(x), spectral(x))
    assert fast_path.compile_modules([plain, spectral], backend="eager") == [plain, spectral]
    assert capsys.readouterr().out.startswith("--compile: compiling Sequential, Sequential (its spectral norm eager);")
    assert plain._compiled_call_impl is not None
    assert (list(plain.state_dict()), list(spectral.state_dict())) == keys
    torch.testing.assert_close(plain(x), expected[0], rtol=0, atol=0)
    spectral.eval()  # no power iteration: the same normalised weight as the call above
    torch.testing.assert_close(spectral(x), expected[1], rtol=0, atol=0)


def test_a_compiled_discriminator_called_twice_before_backward_trains_as_the_eager_one():
    """Inductor (on the CPU): the pattern that fails when the whole network is compiled (the real
    and the generated image through D, then one backward) trains as eagerly: same losses,
    gradients, power-iteration vectors and weights over two optimizer steps."""
    torch.manual_seed(0)
    eager = ResDiscriminator(input_nc=3, ndf=8, img_f=16, layers=2, use_spect=True)
    compiled = compile_with_eager_spectral_norm(copy.deepcopy(eager))
    assert compiled.forward._torchdynamo_orig_callable.__func__ is ResDiscriminator.forward  # compiled, hooks outside
    assert list(compiled.state_dict()) == list(eager.state_dict())
    optimizers = [torch.optim.Adam(net.parameters(), lr=1e-3) for net in (eager, compiled)]
    for step in range(2):
        real, fake = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32, requires_grad=True)
        for net, optimizer in zip((eager, compiled), optimizers):
            optimizer.zero_grad()
            loss = net(real).mean() - net(fake).mean()
            loss.backward()
            optimizer.step()
            net.loss, net.fake_grad, fake.grad = loss.detach(), fake.grad, None
        torch.testing.assert_close(compiled.loss, eager.loss, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(compiled.fake_grad, eager.fake_grad, rtol=1e-4, atol=1e-7)
        for (key, value), expected in zip(compiled.state_dict().items(), eager.state_dict().values()):
            torch.testing.assert_close(value, expected, rtol=1e-4, atol=1e-6, msg=f"step {step}: {key}")


def test_test_py_compiles_for_the_first_batch_only_and_runs_other_shapes_eagerly():
    compilations = []

    def counting_backend(graph_module, example_inputs):
        compilations.append([tuple(x.shape) for x in example_inputs if torch.is_tensor(x)])
        return graph_module.forward
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.LeakyReLU(0.2))
    reference = copy.deepcopy(net)
    fast_path.compile_modules([net], backend=counting_backend)
    with torch.inference_mode():
        for index, batch in enumerate([4, 4, 3]):
            x = torch.rand(batch, 3, 8, 8)
            with fast_path.compiled_for_the_first_batch(index):
                torch.testing.assert_close(net(x), reference(x), rtol=0, atol=0)
        assert len(compilations) == 1 and (4, 3, 8, 8) in compilations[0]
        net(torch.rand(3, 3, 8, 8))  # outside test.py's loop the stance is back to the default
    assert len(compilations) == 2


def test_the_losses_vgg19_is_found_once_however_many_losses_share_it():
    vgg = VGG19("random")
    losses = nn.Module()
    losses.correctness, losses.perceptual = nn.Module(), nn.Module()
    losses.correctness.vgg = losses.perceptual.vgg = vgg
    assert fast_path.loss_networks(types.SimpleNamespace(losses=losses)) == [vgg]
    assert fast_path.loss_networks(types.SimpleNamespace()) == []


@pytest.mark.slow
def test_dynamo_traces_the_pose_model_whole_and_it_trains_as_eagerly(market_root, tmp_path, offline_vgg):
    """On the CPU, so CI sees it: every network --compile compiles (the generator with the custom ops,
    the discriminator with its spectral norm eager, the VGG19) traces without a graph break, and two
    training steps through AOTAutograd (the aot_eager backend: no code generation) give the eager
    steps' losses."""
    losses = {}
    for label in ("eager", "compiled"):
        _, model, batches = benchmark_train.build("market", market_root, tmp_path, True, 2, gpu_ids="-1", threads=0)
        if label == "compiled":
            counters.clear()
            fast_path.compile_modules(fast_path.training_networks(model), backend="aot_eager")
        losses[label] = []
        for batch in batches[:2]:
            model.set_input(batch)
            model.optimize_parameters()
            losses[label].append({name: float(value) for name, value in model.get_current_errors().items()})
    assert counters["stats"]["unique_graphs"] >= 3 and not counters["graph_break"]
    for step, (compiled, eager) in enumerate(zip(losses["compiled"], losses["eager"])):
        for name, value in eager.items():
            assert compiled[name] == pytest.approx(value, rel=1e-5, abs=1e-12), f"step {step + 1}: {name}"


@pytest.mark.slow
@pytest.mark.parametrize("manifest", ["shapenet_chair_G", "shapenetflow_car_G"])
def test_dynamo_traces_the_view_synthesis_generators_whole(manifest):
    """The other graph-safe models' generators (view synthesis, 256x256, a view code as the pose)
    trace without a graph break and compute, through AOTAutograd, what they compute eagerly."""
    torch.manual_seed(0)
    net = build_from_define_call(load_manifest(os.path.join(MANIFEST_DIR, manifest + ".json")))
    inputs = (torch.rand(1, 3, 256, 256), torch.rand(1, 21, 1, 1), torch.rand(1, 21, 1, 1))
    expected = net(*inputs)
    counters.clear()
    fast_path.compile_modules([net], backend="aot_eager")
    got = net(*inputs)
    assert counters["stats"]["unique_graphs"] == 1 and not counters["graph_break"]
    torch.testing.assert_close(got, expected, rtol=0, atol=0)


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
