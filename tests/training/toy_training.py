"""A tiny model and dataset for testing the training machinery on the CPU in milliseconds.

``ToyModel``: a 2-layer conv "generator" trained with L1 to map ``x`` to ``y``; it draws noise
from torch's global generator every step, and ``ToyPairs`` draws augmentation from the Python,
NumPy and torch generators, so exact resume must restore all of them. ``ToyFlowModel`` and
``ToyFullModel`` imitate the two training stages of ``pose``: the full generator holds the
stage-one generator's ``flow_net`` plus a fresh ``decoder``.
"""
import os
import random
import signal

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from model.base_model import BaseModel
from util.visuals import draw_image

IMAGE_SIZE = 8


class ToyPairs(Dataset):
    """``n`` samples {x, y [3, 8, 8] in [-1, 1], path, index} with random augmentation."""

    def __init__(self, n=10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        base = torch.rand(3, IMAGE_SIZE, IMAGE_SIZE, generator=torch.Generator().manual_seed(index)) * 2 - 1
        x = base + 0.05 * torch.randn(3, IMAGE_SIZE, IMAGE_SIZE)  # torch global generator
        if np.random.rand() < 0.5:  # NumPy global generator
            x = x.flip(-1)
        y = (x.flip(-2) * random.uniform(0.8, 1.0)).clamp(-1, 1)  # Python generator
        return {"x": x, "y": y, "path": f"img{index:02d}.jpg", "index": index}


def toy_loader(opt, sampler="seeded"):
    """A DataLoader over ``ToyPairs(opt.toy_samples)`` as data.create_dataloader's contract says.

    ``sampler``: 'seeded' (shuffled, with a generator seeded from opt.seed, as data/loader.py),
    'plain' (shuffled, no generator: torch then draws the order from the global generator) or
    'distributed' (a one-process DistributedSampler).
    """
    dataset = ToyPairs(opt.toy_samples)
    shuffle = not opt.serial_batches
    kwargs = {"shuffle": shuffle}
    if sampler == "seeded":
        kwargs["generator"] = torch.Generator().manual_seed(opt.seed)
    elif sampler == "distributed":
        kwargs = {"sampler": DistributedSampler(dataset, num_replicas=1, rank=0, shuffle=shuffle, seed=opt.seed)}
    return DataLoader(dataset, batch_size=opt.batchSize, num_workers=opt.nThreads, drop_last=opt.isTrain, **kwargs)


class ToyGenerator(nn.Module):
    def __init__(self, channels=4):  # (keys conv1.*, conv2.*)
        super().__init__()
        self.conv1 = nn.Conv2d(3, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 3, 3, padding=1)

    def forward(self, x):
        return torch.tanh(self.conv2(torch.relu(self.conv1(x))))


class ToyFlowGenerator(nn.Module):
    """Stage one's generator: its keys are ``flow_net.*``, as PoseFlowNetGenerator's."""

    def __init__(self, channels=4):
        super().__init__()
        self.flow_net = ToyGenerator(channels)

    def forward(self, x):
        return self.flow_net(x)


class ToyFullGenerator(ToyFlowGenerator):
    """Stage two's generator: stage one's ``flow_net`` plus a module of its own (``decoder``)."""

    def __init__(self, channels=4):
        super().__init__(channels)
        self.decoder = nn.Conv2d(3, 3, 1)

    def forward(self, x):
        return self.decoder(self.flow_net(x))


class ToyModel(BaseModel):
    """L1 regression of y from x. ``history`` records (iteration, sample indices, loss, lr) per step."""

    generator_class = ToyGenerator
    configuration_options = BaseModel.configuration_options + ("toy_channels",)
    visual_drawers = {"input": draw_image, "output": draw_image}

    @staticmethod
    def modify_options(parser, is_train):
        parser.add_argument("--toy_samples", type=int, default=10, help="samples in the toy dataset")
        parser.add_argument("--toy_interrupt_at", type=int, default=0,
                            help="send --toy_signal to this process during this step (0: never)")
        parser.add_argument("--toy_signal", type=str, default="SIGINT", help="signal of --toy_interrupt_at")
        parser.add_argument("--toy_nan_at", type=int, default=0,
                            help="one input pixel of this step's batch is NaN (0: never)")
        parser.add_argument("--toy_channels", type=int, default=4, help="hidden channels of the generator")
        return parser

    def __init__(self, opt):
        super().__init__(opt)
        self.model_names = ["G"]
        self.loss_names = ["rec"]
        self.net_G = self.generator_class(opt.toy_channels).to(self.device)
        if self.isTrain:
            self.optimizers = [torch.optim.Adam(self.net_G.parameters(), lr=opt.lr, betas=(0.0, 0.999))]
        self.history = []

    def set_input(self, batch):
        self.input = batch["x"].to(self.device)
        self.target = batch["y"].to(self.device)
        self.indices = batch["index"].tolist()
        self.image_paths = list(batch["path"])

    def optimize_parameters(self):
        step = self.iteration + 1
        if step == getattr(self.opt, "toy_interrupt_at", 0):
            os.kill(os.getpid(), getattr(signal, self.opt.toy_signal))  # a signal arriving in the middle of the step
        if step == getattr(self.opt, "toy_nan_at", 0):
            self.input[0, 0, 0, 0] = float("nan")  # one bad pixel: every weight becomes NaN
        lr = self.current_learning_rate()
        self.output = self.net_G(self.input + 0.01 * torch.randn_like(self.input))
        self.loss_rec = nn.functional.l1_loss(self.output, self.target)
        self.optimizers[0].zero_grad()
        self.loss_rec.backward()
        self.optimizers[0].step()
        self.history.append((step, self.indices, self.loss_rec.item(), lr))

    def test(self):
        self.output = self.net_G(self.input)
        self.save_results(self.output, "vis")


class ToyFlowModel(ToyModel):
    """Stage one: trains only the ``flow_net`` of stage two's generator."""

    generator_class = ToyFlowGenerator


class ToyFullModel(ToyModel):
    """Stage two: a larger G containing stage one's, and a discriminator D."""

    generator_class = ToyFullGenerator

    def __init__(self, opt):
        super().__init__(opt)
        self.model_names = ["G", "D"]
        self.net_D = nn.Conv2d(3, 1, 3).to(self.device)
        if self.isTrain:
            self.optimizers.append(torch.optim.Adam(self.net_D.parameters(), lr=opt.lr * 0.1, betas=(0.0, 0.999)))

    def optimize_parameters(self):
        super().optimize_parameters()
        loss_dis = self.net_D(self.output.detach()).square().mean()
        self.optimizers[1].zero_grad()
        loss_dis.backward()
        self.optimizers[1].step()


class ToyTrainOnlyModel(ToyModel):
    """A model without test(), as pose_flow."""

    test = BaseModel.test


TOY_MODELS = {"toy": ToyModel, "toy_flow": ToyFlowModel, "toy_full": ToyFullModel, "toy_train_only": ToyTrainOnlyModel}
