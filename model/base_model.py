"""Services shared by every model: checkpoints, exact resume, schedules, errors, visuals, results.

A concrete model (original: model/*_model.py) declares its networks in ``build_networks`` and
keeps them with ``add_networks`` (as ``self.net_<Name>``, listed in ``model_names``), declares its
visuals and how each is drawn in ``visual_drawers`` (name -> a drawer of ``util.visuals``; they
become ``visual_names``), sets ``loss_names`` and ``optimizers`` in its constructor, stores
losses as ``self.loss_<name>``, and implements ``set_input``, ``optimize_parameters`` and (for
testing) ``test``. ``model.create_model`` then calls :meth:`BaseModel.setup`.

Files in ``save_dir = <checkpoints_dir>/<name>``, each written atomically (by rank 0 only: train.py
calls ``save_networks`` there):
* ``<which>_net_<Name>.pth``: plain state_dict of net ``Name`` on the CPU, without DDP/DataParallel
  or torch.compile prefixes, so released checkpoints and ours have one format;
* ``<which>_train_state.pth`` (training): model class, iteration, epoch, optimizer and scheduler
  states and the RNG states; written after the nets, so a crash never leaves a state newer than
  the nets. ``--continue_train`` resumes at the iteration stored there, not at the one in a name.

Iteration convention: ``self.iteration`` is the number of optimisation steps done.
"""
import os
from collections import OrderedDict

import torch
from torch import nn

from model.checkpoint_io import atomic_save, load_file, network_path, training_state_path
from model.networks.checkpoint import CheckpointMismatchError, load_matching_subset, load_state_dict_strict
from model.scheduler import get_scheduler
from util.distributed import get_rank, is_main_process, print0, wrap_data_parallel
from util.image_io import save_image, tensor_to_uint8
from util.reproducibility import capture_rng_state, derive_seed, restore_rng_state, seed_everything
from util.visuals import visuals_to_images


def unwrap(net):
    """The bare module inside DataParallel / DistributedDataParallel / torch.compile wrappers."""
    while True:
        if isinstance(net, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
            net = net.module
        elif isinstance(getattr(net, "_orig_mod", None), nn.Module):  # torch.compile's OptimizedModule
            net = net._orig_mod
        else:
            return net


class BaseModel:
    """Base class of the models; see the module docstring for what subclasses provide."""

    visual_drawers = {}  # visual name -> drawer (util.visuals), in display order

    def __init__(self, opt):
        self.opt = opt
        self.isTrain = opt.isTrain
        self.device = opt.device
        self.save_dir = os.path.join(opt.checkpoints_dir, opt.name)
        self.loss_names, self.model_names = [], []
        self.visual_names = list(self.visual_drawers)
        self.optimizers, self.schedulers = [], []
        self.image_paths = []
        self.iteration = 0  # optimisation steps done
        self.epoch = 0  # epoch in progress (0-based), set by train.py

    @staticmethod
    def modify_options(parser, is_train):
        """Add model-specific options (none here)."""
        return parser

    # ----------------------------------------------------------------------- subclass interface
    @classmethod
    def build_networks(cls, opt, discriminators):
        """The model's networks, built from ``opt``: {'G': generator[, 'D': ...[, 'D_V': ...]]}.

        Each model declares here which classes it builds with which arguments (one place to
        read). A classmethod, so that the layout of any released checkpoint can be built without
        a model. Discriminators only with ``discriminators`` (the original also built them for
        testing, where they are unused).
        """
        raise NotImplementedError(f"{cls.__name__} must implement build_networks(opt, discriminators)")

    def has_unused_parameters(self, name):
        """True when network ``name`` holds parameters that no loss reaches (DDP must skip them)."""
        return False

    def set_input(self, batch):
        raise NotImplementedError(f"{type(self).__name__} must implement set_input(batch)")

    def optimize_parameters(self):
        raise NotImplementedError(f"{type(self).__name__} must implement optimize_parameters()")

    def test(self):
        raise NotImplementedError(
            f"model {type(self).__name__} (--model={self.opt.model}) has no test(): it only trains "
            "(a flow-estimator pre-training stage); test the full model instead, e.g. --model=pose")

    # ----------------------------------------------------------------------- setup
    def add_networks(self, networks):
        """Keep each of ``networks`` ({name: module}) as ``self.net_<name>``, listed in
        ``model_names``; for training wrapped data-parallel (gradients averaged over ranks)."""
        for name, net in networks.items():
            if self.isTrain:
                net = wrap_data_parallel(net, self.device, self.has_unused_parameters(name))
            setattr(self, "net_" + name, net)
            self.model_names.append(name)

    def networks(self):
        """OrderedDict name -> bare network (wrappers removed), in ``model_names`` order."""
        return OrderedDict((name, unwrap(getattr(self, "net_" + name))) for name in self.model_names)

    def setup(self, opt):
        """Create the schedulers (training), load checkpoint ``opt.which_iter`` when testing or
        with ``--continue_train``, and switch the networks to eval mode when testing."""
        if self.isTrain:
            if opt.iter_count < 1:
                raise ValueError(f"--iter_count: expected >= 1 (1 = a fresh run), got {opt.iter_count}")
            self.iteration = opt.iter_count - 1
        if not self.isTrain or opt.continue_train:
            self.load_networks(opt.which_iter)
        if self.isTrain and opt.continue_train:
            self.load_training_state(opt.which_iter)
        elif self.isTrain:
            self.schedulers = [get_scheduler(optimizer, opt, self.iteration) for optimizer in self.optimizers]
        else:
            for net in self.networks().values():
                net.eval()

    # ----------------------------------------------------------------------- checkpoints
    def save_networks(self, which):
        """Write ``<which>_net_<Name>.pth`` for every net, then (training) ``<which>_train_state.pth``.

        Args:
            which: 'latest' or an iteration number.
        """
        for name, net in self.networks().items():
            state_dict = net.state_dict()  # keeps _metadata (spectral-norm version) for loading
            for key, value in state_dict.items():
                state_dict[key] = value.detach().cpu()
            atomic_save(state_dict, network_path(self.save_dir, which, name))
        if self.isTrain:
            atomic_save(self._training_state(), training_state_path(self.save_dir, which))

    def _training_state(self):
        return {
            "model": type(self).__name__,
            "iteration": self.iteration,
            "epoch": self.epoch,
            "optimizers": [optimizer.state_dict() for optimizer in self.optimizers],
            "schedulers": [scheduler.state_dict() for scheduler in self.schedulers],
            "rng": capture_rng_state(),
        }

    def load_networks(self, which):
        """Load ``<which>_net_<Name>.pth`` into every net that has one.

        Loading is strict (``model.networks.checkpoint``, which also reads released torch-1.0 files).
        A missing file leaves that net at its initialisation (printed). A file that fails the
        strict load because it holds only a shape-matching subset of the net's keys (stage-one
        ``pose_flow`` G inside ``pose``'s G) loads that part; the top-level modules it does not
        cover start fresh (both printed).

        Raises:
            CheckpointMismatchError: a file that fits neither wholly nor as a part.
            FileNotFoundError: no net has a checkpoint (a mistyped --name or --which_iter).
        """
        loaded = []
        for name, net in self.networks().items():
            path = network_path(self.save_dir, which, name)
            if not os.path.isfile(path):
                print0(f"no checkpoint for network {name} ({path}): it keeps its initialisation")
                continue
            try:
                load_state_dict_strict(net, path)
                print0(f"loaded network {name} from {path}")
            except CheckpointMismatchError as mismatch:
                try:
                    fresh = load_matching_subset(net, path)
                except CheckpointMismatchError:
                    raise mismatch from None  # not a part of the net either: report the full mismatch
                taken = [child for child, _ in net.named_children() if child not in fresh]
                print0(f"network {name}: {path} holds part of it; loaded {taken}, starting fresh {fresh}")
            loaded.append(name)
        if not loaded:
            expected = ", ".join(os.path.basename(network_path(self.save_dir, which, n)) for n in self.model_names)
            raise FileNotFoundError(
                f"no checkpoint to load: none of {expected} exists in {self.save_dir}; check --name, "
                f"--checkpoints_dir and --which_iter={which} (drop --continue_train to start a new run)")

    def load_training_state(self, which):
        """Restore optimizers, schedulers, iteration, epoch and RNG from ``<which>_train_state.pth``.

        A state written by another model class (stage one, e.g. ``PoseFlowModel`` before
        ``PoseModel``) passes on only its iteration, as the original's counter did; optimizers then
        start fresh. Without a state file (e.g. released weights) training restarts its optimizers
        at iteration ``iter_count - 1``. The schedulers are rebuilt at the resulting iteration.
        """
        path = training_state_path(self.save_dir, which)
        state = load_file(path) if os.path.isfile(path) else None
        same_model = state is not None and state["model"] == type(self).__name__
        if state is None:
            print0(f"no training state {path}: optimizers start fresh at iteration {self.iteration}")
        elif not same_model:
            self.iteration = state["iteration"]
            print0(f"training state {path} comes from {state['model']}, not {type(self).__name__}: "
                   f"continuing its iteration count ({self.iteration}) with fresh optimizers")
        else:
            if len(state["optimizers"]) != len(self.optimizers):
                raise ValueError(f"{path} holds {len(state['optimizers'])} optimizer state(s) but "
                                 f"{type(self).__name__} has {len(self.optimizers)} optimizers")
            for optimizer, optimizer_state in zip(self.optimizers, state["optimizers"]):
                optimizer.load_state_dict(optimizer_state)
            self.iteration, self.epoch = state["iteration"], state["epoch"]
            print0(f"resuming {type(self).__name__} at iteration {self.iteration} from {path}")
        self.schedulers = [get_scheduler(optimizer, self.opt, self.iteration) for optimizer in self.optimizers]
        if same_model:
            for scheduler, scheduler_state in zip(self.schedulers, state["schedulers"]):
                scheduler.load_state_dict(scheduler_state)
            # Only rank 0's generators were saved; other ranks get fresh streams of their own.
            if is_main_process():
                restore_rng_state(state["rng"])
            else:
                seed_everything(derive_seed(self.opt.seed, get_rank(), self.iteration))

    # ----------------------------------------------------------------------- training services
    def update_learning_rate(self):
        """Step every scheduler; call once after each optimisation step."""
        for scheduler in self.schedulers:
            scheduler.step()

    def current_learning_rate(self):
        """Learning rate of the first optimizer's first group (the generator's)."""
        return self.optimizers[0].param_groups[0]["lr"]

    @staticmethod
    def set_requires_grad(nets, requires_grad):
        """Switch gradients of all parameters of ``nets`` (a module or a list of modules) on or off."""
        for net in nets if isinstance(nets, (list, tuple)) else [nets]:
            for parameter in net.parameters():
                parameter.requires_grad = requires_grad

    def get_current_errors(self):
        """OrderedDict loss name -> float value of ``self.loss_<name>``."""
        def as_float(value):
            return value.detach().item() if isinstance(value, torch.Tensor) else float(value)

        return OrderedDict((name, as_float(getattr(self, "loss_" + name))) for name in self.loss_names)

    def get_current_visuals(self):
        """OrderedDict visual name -> first sample of ``self.<name>`` (detached, CPU); a list
        attribute (e.g. one flow per attention layer) gives a list of first samples."""
        def first(batch):
            return batch[0].detach().cpu()

        visuals = OrderedDict()
        for name in self.visual_names:
            value = getattr(self, name)
            visuals[name] = [first(item) for item in value] if isinstance(value, (list, tuple)) else first(value)
        return visuals

    def get_current_images(self):
        """The current visuals drawn as the model declares (``visual_drawers``): OrderedDict
        name -> np.ndarray uint8 [H, W, 3], lists expanded to ``<name>0``, ``<name>1``, ..."""
        return visuals_to_images(self.get_current_visuals(), self.visual_drawers)

    def save_results(self, tensor_batch, data_name, ext="jpg"):
        """Write ``<results_dir>/<stem of image_paths[i]>_<data_name>.<ext>`` for each sample.

        Args:
            tensor_batch: torch.Tensor [B, 3, H, W] in [-1, 1].
            data_name: suffix naming what is saved, e.g. 'vis'.
            ext: image format extension.
        """
        if len(self.image_paths) < len(tensor_batch):
            raise ValueError(f"save_results: {len(tensor_batch)} images but only {len(self.image_paths)} "
                             "image_paths; set_input must set one path per sample")
        for path, image in zip(self.image_paths, tensor_batch):
            stem = os.path.splitext(os.path.basename(path))[0]
            save_image(tensor_to_uint8(image), os.path.join(self.opt.results_dir, f"{stem}_{data_name}.{ext}"))
