"""Options shared by every entry point (original: options/base_options.py, BaseOptions), the two-stage parse and validation.

Parsing happens in two passes, as in the original: a lenient pass reads ``--model`` and
``--dataset_mode``; their option setters then add or re-default options; a strict pass parses
everything. Argparse prefix matching stays on because the original README relies on it
(``--gpu_id=0`` for ``--gpu_ids``, ``--sub_dataset=car`` for ``--sub_dataset_model``).
"""
import argparse
import json
import os
import sys
import warnings

import torch

import data
import model
from options.actions import add_bool, size_pair
from options.errors import OptionError
from options.help import HelpAction, HelpFormatter, note_other_defaults, unrecognized_message
from options.validation import validate_options
from util.atomic import atomic_write_text
from util.cli import make_run_folder
from util.cpus import worker_count


EPILOG = ("Defaults follow --model and --dataset_mode: pass them with --help to see a run's own "
          "(the other models' and datasets' defaults are noted where they differ).")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises OptionError instead of printing usage and exiting."""

    def error(self, message):
        raise OptionError(message)


class BaseOptions:
    """Builds, parses, validates, prints and saves the options of one entry point."""

    phase_name = "train"  # selects the saved file: <phase_name>_opt.txt
    is_train = True

    def initialize(self, parser):
        """Declare the options of every entry point."""
        parser.add_argument("--name", type=str, default="experiment_name",
                            help="experiment name: checkpoints and logs go to <checkpoints_dir>/<name>")
        parser.add_argument("--model", type=str, default="pose",
                            help=f"model to use: {', '.join(model.model_names())} (poseflownet = pose_flow)")
        parser.add_argument("--checkpoints_dir", type=str, default="./result", help="where experiments are stored")
        parser.add_argument("--which_iter", type=str, default="latest",
                            help="checkpoint to load: 'latest' or an iteration number")
        parser.add_argument("--gpu_ids", type=str, default="0", help="GPU ids, e.g. 0 or 0,1; -1 for the CPU")
        parser.add_argument("--phase", type=str, default="train", help="data split: train, test or val")
        parser.add_argument("--continue_train", action="store_true",
                            help="resume from <which_iter> (or take stage-one flow weights with the same --name)")
        parser.add_argument("--batchSize", type=int, default=8, help="batch size (per process under torchrun)")
        parser.add_argument("--old_size", type=size_pair, default=(256, 256),
                            help="frame (h,w) of the keypoint annotations; set by the dataset")
        parser.add_argument("--load_size", type=size_pair, default=(1024, 1024),
                            help="size (h,w) images are resized to; set by the dataset")
        parser.add_argument("--structure_nc", type=int, default=18, help="channels of the pose/structure input")
        parser.add_argument("--image_nc", type=int, default=3, help="image channels")
        parser.add_argument("--dataroot", type=str, default="./dataset/fashion/", help="dataset folder")
        parser.add_argument("--dataset_mode", type=str, default="fashion",
                            help=f"dataset to use: {', '.join(data.dataset_names())}")
        parser.add_argument("--fid_gt_path", type=str, default=None, help="unused; accepted for compatibility")
        parser.add_argument("--serial_batches", action="store_true", help="take batches in order, no shuffling")
        parser.add_argument("--nThreads", type=int, default=worker_count(8),
                            help="data loading worker processes (at most the CPUs available)")
        parser.add_argument("--max_dataset_size", type=int, default=sys.maxsize,
                            help="maximum number of sequences (animation datasets)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (per-rank offsets under torchrun)")
        parser.add_argument("--display_winsize", type=int, default=256, help="image width on the HTML page")
        parser.add_argument("--display_id", type=int, default=1, help="visdom window id; <= 0 disables visdom")
        parser.add_argument("--display_port", type=int, default=8096, help="visdom server port")
        parser.add_argument("--visdom_server", type=str, default="http://localhost", help="visdom server address")
        parser.add_argument("--display_single_pane_ncols", type=int, default=0,
                            help="> 0: show all visuals in one visdom pane with this many columns")
        parser.add_argument("--display_env", type=str, default=None,
                            help="visdom environment (default: --name without underscores)")
        add_bool(parser, "--display_tensorboard", False, "also log to TensorBoard under <name>/tensorboard")
        parser.add_argument("--cuda_graphs", type=str, default="auto", choices=["auto", "on", "off"],
                            help="the fast path (model/fast_path.py): each training step / generator call replayed "
                                 "as one CUDA graph; auto: on a single GPU for the models that support it")
        add_bool(parser, "--compile", False, "on the fast path: torch.compile the networks (spectral norm's "
                 "power iteration stays eager) and the losses' VGG19 before the CUDA graph capture (fused "
                 "kernels; a minute or two of compilation at the start)")
        parser.add_argument("--precision", type=str, default="fp32", choices=["fp32", "bf16"],
                            help="fp32: the original's float32 arithmetic; bf16: bfloat16 autocast in training and "
                                 "testing (faster on recent GPUs; weights, optimizer state, flows and sampling "
                                 "coordinates stay float32)")
        return parser

    def gather_options(self, argv):
        """Two-pass parse: model and dataset setters extend the parser before the strict pass."""
        parser = self.initialize(_Parser(formatter_class=HelpFormatter, add_help=False, epilog=EPILOG))
        known, _ = parser.parse_known_args(argv)
        model_name = known.model
        parser = model.get_option_setter(model_name)(parser, self.is_train)
        known, _ = parser.parse_known_args(argv)
        dataset_mode = known.dataset_mode
        parser = data.get_option_setter(dataset_mode)(parser, self.is_train)
        # --help only now, so that it lists the model's and the dataset's options too
        parser.add_argument("-h", "--help", action=HelpAction, help="show this help message and exit",
                            annotate=lambda chosen: note_other_defaults(
                                chosen, self._alternatives(model_name, dataset_mode)))
        self.parser = parser
        opt, extras = parser.parse_known_args(argv)
        if extras:
            raise OptionError(unrecognized_message(parser, extras, self._elsewhere(model_name, dataset_mode)))
        return opt

    def parser_for(self, model_name, dataset_mode):
        """The full parser of this entry point for one model and dataset (for help and error messages)."""
        parser = self.initialize(_Parser(add_help=False))
        model.get_option_setter(model_name)(parser, self.is_train)
        return data.get_option_setter(dataset_mode)(parser, self.is_train)

    def _alternatives(self, model_name, dataset_mode):
        """(choice, parser) for every other model, then every other dataset."""
        models = {model.canonical_model_name(name) for name in model.model_names()}
        datasets = set(data.dataset_names())
        chosen_model = model.canonical_model_name(model_name)
        return ([(f"--model={name}", self.parser_for(name, dataset_mode)) for name in sorted(models - {chosen_model})]
                + [(f"--dataset_mode={name}", self.parser_for(model_name, name))
                   for name in sorted(datasets - {dataset_mode})])

    def _elsewhere(self, model_name, dataset_mode):
        """(where, parser) of the places an option this run lacks may belong to: train.py, other models, datasets."""
        places = self._alternatives(model_name, dataset_mode)
        if not self.is_train:
            from options.train_options import TrainOptions  # a subclass of this module's class
            places.insert(0, ("train.py", TrainOptions().parser_for(model_name, dataset_mode)))
        return places

    def parse(self, argv=None, save=True):
        """Parse ``argv`` (a list; default ``sys.argv[1:]``) into a validated options namespace.

        Raises:
            OptionError: an unknown model or dataset, or an invalid value; the message says which.
        """
        argv = sys.argv[1:] if argv is None else list(argv)
        try:
            opt = self.gather_options(argv)
        except (ValueError, KeyError) as error:
            raise OptionError(str(error)) from None
        opt.isTrain = self.is_train
        opt.model = model.canonical_model_name(opt.model)
        if opt.display_env is None:
            opt.display_env = opt.name.replace("_", "")
        opt.gpu_ids = _parse_gpu_ids(opt.gpu_ids)
        validate_options(opt)
        opt.device = _select_device(opt)
        if opt.phase != "val":
            self.print_options(opt)
            if save:
                self.save_options(opt)
        return opt

    def option_lines(self, opt):
        """Sorted 'key: value' lines; non-default values are marked with their default."""
        declared = {action.dest for action in self.parser._actions}
        lines = []
        for key, value in sorted(vars(opt).items()):
            default = self.parser.get_default(key)
            note = f"\t[default: {default}]" if key in declared and value != default else ""
            lines.append(f"{key:>25}: {value}{note}")
        return lines

    def print_options(self, opt):
        from util.distributed import print0
        print0("\n".join(["--------------Options--------------", *self.option_lines(opt),
                          "----------------End----------------"]))

    def save_options(self, opt):
        """Write <checkpoints_dir>/<name>/<phase>_opt.txt and .json (rank 0 only)."""
        from util.distributed import is_main_process
        if not is_main_process():
            return
        run_dir = os.path.join(opt.checkpoints_dir, opt.name)
        make_run_folder(run_dir)  # removed again if the run fails before it holds anything
        stem = os.path.join(run_dir, f"{self.phase_name}_opt")
        atomic_write_text(stem + ".txt", "\n".join(self.option_lines(opt)) + "\n")
        serialisable = {k: (str(v) if isinstance(v, torch.device) else v) for k, v in vars(opt).items()}
        atomic_write_text(stem + ".json", json.dumps(serialisable, indent=1, sort_keys=True) + "\n")


def _parse_gpu_ids(text):
    """'0,1' -> [0, 1]; negative ids (-1) mean the CPU."""
    try:
        ids = [int(item) for item in str(text).split(",") if item.strip()]
    except ValueError:
        raise OptionError(f"--gpu_ids: expected comma-separated integers like 0 or 0,1 (or -1 for CPU), got {text!r}")
    return [i for i in ids if i >= 0]


def _select_device(opt):
    """The one device of this process: a GPU, or the CPU for ``--gpu_ids=-1``.

    A single process uses the first of ``--gpu_ids``. Under torchrun, process ``LOCAL_RANK``
    uses ``gpu_ids[LOCAL_RANK]`` when ``--gpu_ids`` lists one GPU per process, else GPU
    ``LOCAL_RANK`` (so the default ``--gpu_ids=0`` spreads the processes over the GPUs).
    """
    if not opt.gpu_ids:
        return torch.device("cpu")
    if not torch.cuda.is_available():
        warnings.warn(f"--gpu_ids={','.join(map(str, opt.gpu_ids))} asked for a GPU but CUDA is not "
                      "available; running on the CPU (pass --gpu_ids=-1 to silence this)", stacklevel=3)
        opt.gpu_ids = []
        return torch.device("cpu")
    gpu = opt.gpu_ids[0]
    if "LOCAL_RANK" in os.environ:
        local_rank, local_world = int(os.environ["LOCAL_RANK"]), int(os.environ.get("LOCAL_WORLD_SIZE", 1))
        gpu = opt.gpu_ids[local_rank] if len(opt.gpu_ids) >= local_world else local_rank
    if gpu >= torch.cuda.device_count():
        raise OptionError(f"--gpu_ids: GPU {gpu} requested but only {torch.cuda.device_count()} visible")
    torch.cuda.set_device(gpu)
    torch.backends.cudnn.benchmark = True
    return torch.device("cuda", gpu)
