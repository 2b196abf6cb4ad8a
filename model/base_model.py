"""Services shared by every model: the subclass interface, set-up, training helpers, visuals, results.

A concrete model (original: model/*_model.py) declares its networks in ``build_networks`` and
keeps them with ``add_networks`` (as ``self.net_<Name>``, listed in ``model_names``), declares its
visuals and how each is drawn in ``visual_drawers`` (name -> a drawer of ``util.visuals``; they
become ``visual_names``), sets ``loss_names`` and ``optimizers`` in its constructor, stores
losses as ``self.loss_<name>``, and implements ``set_input``, ``optimize_parameters`` and (for
testing) ``test``. ``model.create_model`` then calls :meth:`BaseModel.setup`.

Checkpoints (``save_dir = <checkpoints_dir>/<name>``) are the business of ``model.checkpoint``:
saving a set as one unit, loading strictly for testing, resuming training exactly, the
two-stage hand-over. ``--continue_train`` resumes at the iteration stored in the training
state, not at the one in a file name.

Iteration convention: ``self.iteration`` is the number of optimisation steps done.
"""
import os
from collections import OrderedDict

import torch

from model import checkpoint
from model.checkpoint import unwrap
from model.scheduler import get_scheduler
from util.distributed import wrap_data_parallel
from util.image_io import save_image, tensor_to_uint8
from util.visuals import visuals_to_images


class BaseModel:
    """Base class of the models; see the module docstring for what subclasses provide."""

    # Options the networks' shapes depend on: a training state saved under other values is
    # refused on resume (model.checkpoint) instead of failing deep inside the optimizer.
    configuration_options = ("dataset_mode", "load_size", "structure_nc", "image_nc", "layers", "attn_layer",
                             "kernel_size", "use_spect_g", "use_spect_d")
    visual_drawers = {}  # visual name -> drawer (util.visuals), in display order
    # True: optimize_parameters() may be captured as one CUDA graph (model.fast_path): it reads its
    # batch only from the tensor attributes input_* set by set_input, never synchronises with the
    # host or copies CPU tensors over, and launches the same kernels every step
    cuda_graph_safe = False

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
            "(a flow-estimator pre-training stage); test the full model instead (pose after pose_flow, "
            "shapenet after shapenetflow)")

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
        """Create the schedulers (training), resume with ``--continue_train`` or load checkpoint
        ``opt.which_iter`` when testing, and switch the networks to eval mode when testing."""
        if not self.isTrain:
            self.load_networks(opt.which_iter)
            for net in self.networks().values():
                net.eval()
            return
        if opt.iter_count < 1:
            raise ValueError(f"--iter_count: expected >= 1 (1 = a fresh run), got {opt.iter_count}")
        self.iteration = opt.iter_count - 1
        if opt.continue_train:
            checkpoint.resume_training(self, opt.which_iter)
        else:
            self.schedulers = [get_scheduler(optimizer, opt, self.iteration) for optimizer in self.optimizers]

    # ----------------------------------------------------------------------- checkpoints (model.checkpoint)
    def save_networks(self, which):
        """Save checkpoint ``which`` ('latest' or an iteration number): every network and, when
        training, the training state, as one unit (``model.checkpoint.save_checkpoint``)."""
        checkpoint.save_checkpoint(self, which)

    def load_networks(self, which):
        """Load every network strictly from checkpoint ``which`` (``model.checkpoint.load_for_test``)."""
        checkpoint.load_for_test(self, which)

    # ----------------------------------------------------------------------- training services
    def update_learning_rate(self):
        """Step every scheduler; call once after each optimisation step."""
        for scheduler in self.schedulers:
            scheduler.step()

    def current_learning_rate(self):
        """Learning rate of the first optimizer's first group (the generator's)."""
        return self.optimizers[0].param_groups[0]["lr"]

    @staticmethod
    def adam(parameters, lr):
        """GFLA's optimizer (every model of the original): Adam with betas (0, 0.999) over those of
        ``parameters`` that require gradients."""
        return torch.optim.Adam([p for p in parameters if p.requires_grad], lr=lr, betas=(0.0, 0.999))

    def discriminator_then_generator_step(self):
        """GFLA's adversarial update on the current forward pass: a D step (``backward_D``), then a
        G step (``backward_G``), each optimizer's gradients cleared just before its backward pass
        (original: model/pose_model.py, Pose.optimize_parameters; the video models per chunk)."""
        self.optimizer_D.zero_grad(set_to_none=True)
        self.backward_D()
        self.optimizer_D.step()
        self.optimizer_G.zero_grad(set_to_none=True)
        self.backward_G()
        self.optimizer_G.step()

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

    def current_loss_tensor(self):
        """The losses of ``loss_names`` as one 1-D float tensor on the model's device, without a
        GPU sync (train.py checks them for NaN only where it synchronises anyway)."""
        return torch.stack([torch.as_tensor(getattr(self, "loss_" + name), device=self.device).detach().float()
                            .reshape(()) for name in self.loss_names])

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
