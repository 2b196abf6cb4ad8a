"""A model's checkpoints: what a save holds, loading for testing, and resuming training.

A save ``<which>`` (``latest`` or an iteration) is one unit (``files.StagedFiles``):
``<which>_net_<Name>.pth`` per network (a plain state_dict, the released layout) and, when
training, ``<which>_train_state.pth``: model class, configuration (the options the networks'
shapes depend on), iteration, epoch, optimizer and scheduler states, RNG states and the SHA-256
of each network file of the set. Nothing non-finite is ever written.

Loading:
* testing: every network, strictly; one error lists every file that is missing or does not fit;
* resuming (``--continue_train``) a state of the same model class: the set must be complete and
  consistent (digests) and of the same configuration; everything is restored;
* the two-stage hand-over (a state of another class, e.g. ``pose_flow`` before ``pose``, or
  no state, e.g. released weights): each network loads strictly, or as whole sub-modules
  (stage one's ``flow_net``), or keeps its initialisation when it has no file; only the
  iteration carries over and the optimizers start fresh.
"""
import os

from model.checkpoint.files import (CheckpointError, MissingCheckpointError, StagedFiles, file_sha256, load_file,
                                    network_path, numbered_saves, recover_interrupted_save, training_state_path)
from model.checkpoint.state_dicts import CheckpointMismatchError, load_handover, load_state_dict_strict
from model.scheduler import get_scheduler
from util import distributed as dist
from util.nonfinite import NonFiniteError, non_finite_entries
from util.reproducibility import capture_rng_state, derive_seed, restore_rng_state, seed_everything


def configuration(model):
    """{option: value} of ``model.configuration_options`` that the options define."""
    return {name: getattr(model.opt, name) for name in model.configuration_options if hasattr(model.opt, name)}


def _training_state(model):
    return {
        "model": type(model).__name__,
        "configuration": configuration(model),
        "iteration": model.iteration,
        "epoch": model.epoch,
        "optimizers": [optimizer.state_dict() for optimizer in model.optimizers],
        "schedulers": [scheduler.state_dict() for scheduler in model.schedulers],
        "rng": capture_rng_state(),
    }


def _cpu_state_dict(net):
    state_dict = net.state_dict()  # keeps _metadata (spectral-norm version) for loading
    for key, value in state_dict.items():
        state_dict[key] = value.detach().cpu()
    return state_dict


def save_checkpoint(model, which):
    """Write the checkpoint set ``which`` of ``model`` as one unit (see module docstring).

    Raises:
        NonFiniteError: a weight or an optimizer state is NaN or infinite; nothing is written.
    """
    networks = {name: _cpu_state_dict(net) for name, net in model.networks().items()}
    state = _training_state(model) if model.isTrain else None
    bad = non_finite_entries({**{f"network {name}": sd for name, sd in networks.items()},
                              "optimizers": state["optimizers"] if state else []})
    if bad:
        raise NonFiniteError(f"not saving checkpoint '{which}' at iteration {model.iteration}: non-finite values "
                             f"in {', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}; the files in "
                             f"{model.save_dir} are unchanged (resume from them with --continue_train)")
    with StagedFiles(model.save_dir) as files:
        digests = {name: files.stage(os.path.basename(network_path(model.save_dir, which, name)), state_dict)
                   for name, state_dict in networks.items()}
        if state is not None:
            state["network_sha256"] = digests
            files.stage(os.path.basename(training_state_path(model.save_dir, which)), state)


def _start_over_advice(save_dir, which):
    """What to do with an unusable set: an earlier numbered save, or a new start."""
    others = [str(n) for n in numbered_saves(save_dir) if str(n) != str(which)]
    earlier = f"resume from a numbered save (--which_iter=N; on disk: {', '.join(others)}) or " if others else ""
    return f"{earlier}start over with --overwrite"


def _describe_misfit(name, net, path, mismatch):
    """One phrase saying why ``path`` does not fit network ``name`` (a stage-one file says so)."""
    try:
        loaded, fresh = load_handover(net, path)
    except CheckpointMismatchError:
        return str(mismatch)
    return (f"{os.path.basename(path)} holds only {', '.join(loaded)} of network {name}, not "
            f"{', '.join(fresh)} (a flow-stage checkpoint: train the full model from it with --continue_train first)")


def _nothing_to_load(model, which, hint=""):
    expected = ", ".join(os.path.basename(network_path(model.save_dir, which, n)) for n in model.model_names)
    return MissingCheckpointError(f"no checkpoint to load: none of {expected} exists in {model.save_dir}; check "
                                  f"--name, --checkpoints_dir and --which_iter={which}{hint}")


def load_for_test(model, which):
    """Load every network of ``model`` strictly from checkpoint ``which``.

    Raises:
        MissingCheckpointError: no network file at all (a mistyped --name or --which_iter).
        CheckpointError: one line listing each network file that is missing or does not fit.
    """
    missing, misfits = [], []
    for name, net in model.networks().items():
        path = network_path(model.save_dir, which, name)
        if not os.path.isfile(path):
            missing.append(f"{os.path.basename(path)} is missing")
            continue
        try:
            load_state_dict_strict(net, path)
            dist.print0(f"loaded network {name} from {path}")
        except CheckpointMismatchError as mismatch:
            misfits.append(_describe_misfit(name, net, path, mismatch))
    if len(missing) == len(model.model_names):
        raise _nothing_to_load(model, which)
    if missing or misfits:
        raise CheckpointError(f"cannot load checkpoint '{which}' of {type(model).__name__} from {model.save_dir}: "
                              f"{'; '.join(missing + misfits)}; check --name, --which_iter and that --model and "
                              "the network options are those it was trained with")


def _as_option(value):
    """An option value as typed on the command line: 2,3 for a list, 2=5,3=3 for a dict."""
    if isinstance(value, dict):
        return ",".join(f"{key}={item}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def _check_configuration(state, model, path):
    """Refuse a training state saved under other values of the configuration options."""
    saved, current = state.get("configuration", {}), configuration(model)
    differences = [f"--{name}={_as_option(saved[name])} (now {_as_option(current[name])})" for name in current
                   if name in saved and saved[name] != current[name]]
    if differences:
        raise CheckpointError(f"checkpoint was saved by a different configuration: {', '.join(differences)} "
                              f"({path}); pass the options of that run (see its train_opt.txt) or another --name")


def _check_one_save(state, save_dir, which, path):
    """Refuse a set whose network files are not those its training state was saved with."""
    differing = [os.path.basename(network_path(save_dir, which, name))
                 for name, digest in state.get("network_sha256", {}).items()
                 if not os.path.isfile(network_path(save_dir, which, name))
                 or file_sha256(network_path(save_dir, which, name)) != digest]
    if differing:
        raise CheckpointError(f"checkpoint '{which}' in {save_dir} is not one save: {', '.join(differing)} "
                              f"missing or changed since {os.path.basename(path)} was written; "
                              f"{_start_over_advice(save_dir, which)}")


def _load_own_networks(model, which):
    """Resuming a run of this model class: every network strictly, none may be missing."""
    for name, net in model.networks().items():
        path = network_path(model.save_dir, which, name)
        if not os.path.isfile(path):
            raise MissingCheckpointError(f"checkpoint '{which}' in {model.save_dir} is incomplete: "
                                         f"{os.path.basename(path)} is missing; {_start_over_advice(model.save_dir, which)}")
        load_state_dict_strict(net, path)
        dist.print0(f"loaded network {name} from {path}")


def _hand_over_networks(model, which):
    """Starting from another model's (or no) training state: each network strictly, as whole
    sub-modules (the flow stage's ``flow_net``), or not at all when it has no file."""
    loaded_any = False
    for name, net in model.networks().items():
        path = network_path(model.save_dir, which, name)
        if not os.path.isfile(path):
            dist.print0(f"no checkpoint for network {name} ({path}): it keeps its initialisation")
            continue
        loaded_any = True
        try:
            load_state_dict_strict(net, path)
            dist.print0(f"loaded network {name} from {path}")
        except CheckpointMismatchError:
            loaded, fresh = load_handover(net, path)  # exact for what it loads, else its own error
            dist.print0(f"network {name}: loaded {', '.join(loaded)} from {path} (the stage hand-over); "
                        f"{', '.join(fresh)} keep{'s' if len(fresh) == 1 else ''} the initialisation")
    if not loaded_any:
        raise _nothing_to_load(model, which, " (drop --continue_train to start a new run)")


def resume_training(model, which):
    """``--continue_train``: load checkpoint ``which`` into ``model`` and restore its training state.

    Sets the networks, ``model.iteration``, ``model.epoch``, the optimizers, ``model.schedulers``
    and the RNG (see module docstring for the cases).

    Raises:
        CheckpointError: an unreadable file, a set that is not one save, another configuration,
            or networks that do not fit (one line each, naming the files and what to do).
    """
    save_dir = model.save_dir
    if dist.is_main_process() and os.path.isdir(save_dir):
        recover_interrupted_save(save_dir)
    dist.barrier()
    path = training_state_path(save_dir, which)
    state = load_file(path, advice=_start_over_advice(save_dir, which)) if os.path.isfile(path) else None
    if state is not None:
        _check_configuration(state, model, path)
        _check_one_save(state, save_dir, which, path)
    own = state is not None and state["model"] == type(model).__name__
    (_load_own_networks if own else _hand_over_networks)(model, which)

    if state is None:
        dist.print0(f"no training state {path}: optimizers start fresh at iteration {model.iteration}")
    elif not own:
        model.iteration = state["iteration"]
        dist.print0(f"training state {path} comes from {state['model']}, not {type(model).__name__}: "
                    f"continuing its iteration count ({model.iteration}) with fresh optimizers")
    else:
        if len(state["optimizers"]) != len(model.optimizers):
            raise CheckpointError(f"checkpoint was saved by a different configuration: {path} holds "
                                  f"{len(state['optimizers'])} optimizer state(s), {type(model).__name__} has "
                                  f"{len(model.optimizers)}")
        for optimizer, optimizer_state in zip(model.optimizers, state["optimizers"]):
            optimizer.load_state_dict(optimizer_state)
        model.iteration, model.epoch = state["iteration"], state["epoch"]
        dist.print0(f"resuming {type(model).__name__} at iteration {model.iteration} from {path}")
    model.schedulers = [get_scheduler(optimizer, model.opt, model.iteration) for optimizer in model.optimizers]
    if own:
        for scheduler, scheduler_state in zip(model.schedulers, state["schedulers"]):
            scheduler.load_state_dict(scheduler_state)
        # Only rank 0's generators were saved; other ranks get fresh streams of their own.
        if dist.is_main_process():
            restore_rng_state(state["rng"])
        else:
            seed_everything(derive_seed(model.opt.seed, dist.get_rank(), model.iteration))
