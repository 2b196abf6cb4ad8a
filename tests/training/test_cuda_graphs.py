"""The fast path (model/fast_path.py, util/cuda_graphs.py): when it applies, the optimizers' graph-safe
form and their eager-layout checkpoints, channels_last placement; on a GPU, a graphed step equals
the eager one (learning-rate changes included), the pose model's losses match the eager path, and
a graphed run resumes exactly."""
import copy
import signal
import types

import pytest
import torch
from torch import nn

import train as train_script
from model import fast_path
from options.errors import OptionError
from options.train_options import TrainOptions
from tests.end_to_end.test_pose_pipeline import logged_losses, market_root  # noqa: F401 (a fixture)
from util.cuda_graphs import GraphedInference, GraphedTrainingStep, graph_inputs, make_capturable

from .conftest import parse_train
from .toy_training import TOY_MODELS, ToyFullModel


class TwoNetModel:
    """The shape of a GAN model's step: input_* tensors, two networks, two Adam optimizers, a
    D step on detached outputs then a G step, losses kept as attributes."""

    cuda_graph_safe = True

    def __init__(self, device, lr=0.01):
        torch.manual_seed(0)
        self.device = torch.device(device)
        self.net_G = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.LeakyReLU(0.1), nn.Conv2d(8, 3, 3, padding=1))
        self.net_D = nn.Sequential(nn.Conv2d(3, 4, 4, stride=2), nn.LeakyReLU(0.1), nn.Conv2d(4, 1, 3))
        self.net_G.to(self.device)
        self.net_D.to(self.device)
        self.optimizers = [torch.optim.Adam(self.net_G.parameters(), lr=lr, betas=(0.0, 0.999)),
                           torch.optim.Adam(self.net_D.parameters(), lr=lr * 0.1, betas=(0.0, 0.999))]
        self.schedulers = [torch.optim.lr_scheduler.LambdaLR(optimizer, lambda n: [1.0, 0.0, 2.0, 0.5][n % 4])
                           for optimizer in self.optimizers]

    def networks(self):
        return {"G": self.net_G, "D": self.net_D}

    def set_input(self, batch):
        self.input_x, self.input_y = (batch[key].to(self.device) for key in ("x", "y"))

    def optimize_parameters(self):
        optimizer_g, optimizer_d = self.optimizers
        fake = self.net_G(self.input_x)
        optimizer_d.zero_grad(set_to_none=True)
        self.loss_d = (self.net_D(self.input_y) - 1).square().mean() + self.net_D(fake.detach()).square().mean()
        self.loss_d.backward()
        optimizer_d.step()
        optimizer_g.zero_grad(set_to_none=True)
        self.loss_g = (fake - self.input_y).abs().mean() + (self.net_D(fake) - 1).square().mean()
        self.loss_g.backward()
        optimizer_g.step()


def batches(count=5):
    generator = torch.Generator().manual_seed(1)
    return [{"x": torch.rand(2, 3, 16, 16, generator=generator), "y": torch.rand(2, 3, 16, 16, generator=generator)}
            for _ in range(count)]


# ------------------------------------------------------------------------------------------ CPU
def test_the_fast_path_applies_only_on_one_gpu_to_models_that_declare_it():
    model = types.SimpleNamespace(device=torch.device("cpu"))
    assert not fast_path.use_cuda_graphs(model, types.SimpleNamespace(cuda_graphs="auto"))
    assert not fast_path.use_cuda_graphs(model, types.SimpleNamespace(cuda_graphs="off"))
    with pytest.raises(OptionError, match=r"^--cuda_graphs=on: the model runs on cpu, CUDA graphs need a CUDA device"):
        fast_path.use_cuda_graphs(model, types.SimpleNamespace(cuda_graphs="on"))
    with pytest.raises(OptionError, match="--cuda_graphs: expected one of auto, on, off, got 'yes'"):
        fast_path.use_cuda_graphs(model, types.SimpleNamespace(cuda_graphs="yes"))


def test_models_opt_in():
    from model.base_model import BaseModel
    from model.pose_flow_model import PoseFlowModel
    from model.pose_model import PoseModel
    assert not BaseModel.cuda_graph_safe
    assert PoseModel.cuda_graph_safe and PoseFlowModel.cuda_graph_safe


def test_cuda_graphs_option_defaults_to_auto(tmp_path):
    opt = TrainOptions().parse(["--gpu_ids=-1", f"--checkpoints_dir={tmp_path}", "--attn_layer=2",
                                "--kernel_size=2=3"], save=False)
    assert opt.cuda_graphs == "auto"


def test_the_cpu_step_is_the_eager_step():
    model = TwoNetModel("cpu")
    step = fast_path.training_step(model, types.SimpleNamespace(cuda_graphs="auto"))
    reference = TwoNetModel("cpu")
    for batch in batches(2):
        step(batch)
        reference.set_input(batch)
        reference.optimize_parameters()
    for a, b in zip(model.net_G.parameters(), reference.net_G.parameters()):
        assert torch.equal(a, b)


def test_graph_inputs_are_the_input_tensors():
    model = TwoNetModel("cpu")
    model.set_input(batches(1)[0])
    model.input_names = ["not a tensor"]
    assert list(graph_inputs(model)) == ["input_x", "input_y"]


def test_a_capturable_optimizer_saves_and_loads_the_eager_layout():
    model = TwoNetModel("cpu")
    model.set_input(batches(1)[0])
    model.optimize_parameters()
    optimizer = model.optimizers[0]
    eager_state = copy.deepcopy(optimizer.state_dict())
    make_capturable(optimizer)
    assert all(group["capturable"] and group["fused"] for group in optimizer.param_groups)
    saved = optimizer.state_dict()
    assert saved["param_groups"] == eager_state["param_groups"]
    for index, slots in eager_state["state"].items():
        assert saved["state"][index].keys() == slots.keys()
        for key, value in slots.items():
            assert torch.equal(saved["state"][index][key], value)
            assert saved["state"][index][key].device == value.device and saved["state"][index][key].dtype == value.dtype
    assert all(state["step"].dtype == torch.float32 for state in optimizer.state.values())  # the live state stays
    optimizer.load_state_dict(eager_state)
    assert all(group["capturable"] and group["fused"] for group in optimizer.param_groups)


def test_channels_last_only_where_no_instance_norm():
    model = types.SimpleNamespace(
        networks=lambda: {"G": nn.Sequential(nn.Conv2d(3, 4, 3), nn.InstanceNorm2d(4)), "D": nn.Conv2d(3, 4, 3)},
        losses=nn.Sequential(nn.Conv2d(3, 4, 3)))
    networks = model.networks()
    model.networks = lambda: networks
    fast_path.to_channels_last(model)
    channels_last = torch.channels_last
    assert not networks["G"][0].weight.is_contiguous(memory_format=channels_last)
    assert networks["D"].weight.is_contiguous(memory_format=channels_last)
    assert model.losses[0].weight.is_contiguous(memory_format=channels_last)


def test_graphed_inference_runs_eagerly_off_the_gpu_or_with_gradients():
    net = nn.Conv2d(3, 2, 1)
    graphed = GraphedInference(net)
    x = torch.rand(1, 3, 4, 4)
    with torch.no_grad():
        assert torch.equal(graphed(x), net(x))
    assert graphed(x).requires_grad and not graphed.graphs


# ------------------------------------------------------------------------------------------ CUDA
@pytest.mark.cuda
def test_graphed_step_equals_the_eager_step_with_changing_learning_rates():
    """Learning rates 1, 0, 2, 0.5 x base in turn: a rate baked into the graph would show at once."""
    graphed, eager, default = TwoNetModel("cuda"), TwoNetModel("cuda"), TwoNetModel("cuda")
    step = GraphedTrainingStep(graphed, warmup=2)
    for optimizer in eager.optimizers:
        make_capturable(optimizer)  # the same (fused) arithmetic, eagerly
    for index, batch in enumerate(batches(4) * 3):
        step(batch)
        for model in (eager, default):
            model.set_input(batch)
            model.optimize_parameters()
        for model in (graphed, eager, default):
            for scheduler in model.schedulers:
                scheduler.step()
        # cuDNN/cuBLAS may reduce in another order on another stream: rounding-level tolerance
        torch.testing.assert_close(graphed.loss_g, eager.loss_g, rtol=1e-5, atol=1e-7, msg=f"step {index + 1}")
    assert step.captured
    for a, b, c in zip(graphed.net_G.parameters(), eager.net_G.parameters(), default.net_G.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(a, c, rtol=1e-4, atol=1e-6)  # the foreach implementation, within rounding


class HostSyncingModel(TwoNetModel):
    """A step that reads a loss on the host, which a CUDA graph cannot record."""

    def optimize_parameters(self):
        super().optimize_parameters()
        self.loss_on_host = float(self.loss_g)


@pytest.mark.cuda
def test_a_step_that_cannot_be_captured_warns_once_and_trains_eagerly():
    graphed, eager = HostSyncingModel("cuda"), HostSyncingModel("cuda")
    step = GraphedTrainingStep(graphed, warmup=2)
    for optimizer in eager.optimizers:
        make_capturable(optimizer)
    with pytest.warns(RuntimeWarning, match=r"capture of HostSyncingModel's training step failed, training goes on "
                                            r"eagerly \(if --compile is on, try without it") as caught:
        for batch in batches(5):
            step(batch)
            eager.set_input(batch)
            eager.optimize_parameters()
            torch.testing.assert_close(graphed.loss_g, eager.loss_g, rtol=1e-5, atol=1e-7)
    assert not step.captured and step.failed
    assert len([w for w in caught if "capture" in str(w.message)]) == 1


@pytest.mark.cuda
def test_graphed_inference_equals_the_module():
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 3, 1)).cuda().eval()
    graphed = GraphedInference(net)
    with torch.inference_mode():
        for shape in [(4, 3, 16, 16), (4, 3, 16, 16), (1, 3, 16, 16)]:
            x = torch.rand(shape, device="cuda")
            out = graphed(x)
            assert torch.equal(out, net(x))
    assert len(graphed.graphs) == 2


def pose_args(root, checkpoints, *extra):
    return ["--model=pose", "--attn_layer=2", "--kernel_size=2=3", "--dataset_mode=market", "--gpu_ids=0",
            "--nThreads=0", "--name=graphs", "--display_id=0", "--no_html", f"--dataroot={root}",
            f"--checkpoints_dir={checkpoints}", "--batchSize=2", "--print_freq=1", "--display_freq=1000",
            "--save_latest_freq=1000", "--niter=4", "--niter_decay=4", *extra]


class GraphSafeToyGAN(ToyFullModel):
    """ToyFullModel's networks and optimizers with a graph-safe step: a G step on noisy input (CUDA
    noise), then a D step on the detached output; no host synchronisation, losses kept as tensors."""

    cuda_graph_safe = True

    def __init__(self, opt):
        super().__init__(opt)
        self.loss_names = ["rec", "dis"]

    def set_input(self, batch):
        self.input_x, self.input_y = batch["x"].to(self.device), batch["y"].to(self.device)
        self.image_paths = list(batch["path"])

    def optimize_parameters(self):
        self.output = self.net_G(self.input_x + 0.01 * torch.randn_like(self.input_x))
        self.loss_rec = nn.functional.l1_loss(self.output, self.input_y)
        self.optimizers[0].zero_grad(set_to_none=True)
        self.loss_rec.backward()
        self.optimizers[0].step()
        self.loss_dis = self.net_D(self.output.detach()).square().mean()
        self.optimizers[1].zero_grad(set_to_none=True)
        self.loss_dis.backward()
        self.optimizers[1].step()


def stopped_after_first_step():
    stop = train_script.StopRequest()
    stop.signum = signal.SIGINT  # as after Ctrl-C during step 1: that step completes, 'latest' is saved
    return stop


@pytest.mark.cuda
def test_graphed_run_resumes_exactly(train_entry, toy_argv, monkeypatch, tmp_path):
    """A deterministic model (cuDNN deterministic, CUDA noise): 8 steps, the last 3 with a decaying
    rate, in one graphed run, and 1 step then a resumed graphed run (3 eager warm-up steps, the
    capture, replays), as the eager GPU resume test: same losses, weights and optimizer state."""
    monkeypatch.setitem(TOY_MODELS, "toy_graphed", GraphSafeToyGAN)
    monkeypatch.setattr(torch.backends.cudnn, "deterministic", True)
    extra = ["--gpu_ids=0", "--cuda_graphs=on", "--print_freq=1"]
    full = train_entry.train(parse_train(toy_argv("full", *extra, model_name="toy_graphed")))
    split_argv = toy_argv("split", *extra, model_name="toy_graphed")
    train_entry.train(parse_train(split_argv), stopped_after_first_step())
    resumed = train_entry.train(parse_train(split_argv + ["--continue_train"]))
    assert full.iteration == resumed.iteration == 8
    full_log, resumed_log = (logged_losses(tmp_path / "result" / name) for name in ("full", "split"))
    assert [record["iteration"] for record in resumed_log] == list(range(1, 9))
    for a, b in zip(full_log, resumed_log):
        for name in ("rec", "dis"):
            assert b["losses"][name] == pytest.approx(a["losses"][name], rel=1e-5, abs=1e-7), \
                f"{name} at iteration {a['iteration']}"
    for net in ("net_G", "net_D"):
        for (name, a), b in zip(getattr(full, net).state_dict().items(), getattr(resumed, net).state_dict().values()):
            torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-7, msg=f"{net}.{name}")
    for got, expected in zip(resumed.optimizers, full.optimizers):
        got, expected = got.state_dict(), expected.state_dict()
        assert got["param_groups"] == expected["param_groups"]
        for index, slots in expected["state"].items():
            for slot, value in slots.items():
                torch.testing.assert_close(got["state"][index][slot], value, rtol=1e-5, atol=1e-7)


@pytest.mark.cuda
@pytest.mark.slow
def test_graphed_pose_training_matches_eager_and_resumes(market_root, tmp_path, offline_vgg, monkeypatch):
    """train.py on synthetic Market: 8 graphed steps (the last 4 with a decaying rate) in one run,
    1 step then a resumed graphed run, and the eager path. The pose step is not deterministic on a
    GPU (atomic additions in grid_sample's and the attention's backward) and Adam turns rounding-level
    differences of near-zero gradients into rate-sized ones, so runs drift apart within a few steps
    (``script.benchmark_train --same_training --noise_floor`` measures it): the first step of each
    comparison, from the same state, agrees to rounding; later ones to the drift. In full float32."""
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    straight = train_script.train(TrainOptions().parse(pose_args(market_root, tmp_path / "a", "--cuda_graphs=on")))
    split_args = pose_args(market_root, tmp_path / "b", "--cuda_graphs=on")
    train_script.train(TrainOptions().parse(split_args), stopped_after_first_step())
    resumed = train_script.train(TrainOptions().parse(split_args + ["--continue_train"]))
    eager = train_script.train(TrainOptions().parse(pose_args(market_root, tmp_path / "c", "--cuda_graphs=off")))
    assert straight.iteration == resumed.iteration == eager.iteration == 8
    losses = {run: logged_losses(tmp_path / run / "graphs") for run in ("a", "b", "c")}
    assert all([record["iteration"] for record in log] == list(range(1, 9)) for log in losses.values())
    mismatches = []
    for a, b, c in zip(losses["a"], losses["b"], losses["c"]):
        step = a["iteration"]
        for run, record, same_state in (("resumed", b, step <= 2), ("eager", c, step == 1)):
            for name, value in record["losses"].items():
                tolerance = 1e-3 if same_state else 5e-2
                if value != pytest.approx(a["losses"][name], rel=tolerance, abs=1e-5):
                    mismatches.append(f"{run} {name} at iteration {step}: {value!r} != {a['losses'][name]!r}")
    assert not mismatches, "\n".join(mismatches)
