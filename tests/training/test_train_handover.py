"""Two-stage training (flow pre-training, then the full model under the same --name with
--continue_train), and the errors for checkpoints that cannot be loaded."""
import os
import re

import pytest
import torch

import model
from .conftest import parse_train, parse_test
from model.checkpoint import CheckpointError, CheckpointMismatchError
from .toy_training import ToyFullModel
from util.reproducibility import seed_everything


def assert_modules_equal(got, expected, what):
    for (key, a), (_, b) in zip(got.state_dict().items(), expected.state_dict().items()):
        assert torch.equal(a, b), f"{what}.{key} differs by {(a - b).abs().max().item():.3g}"


def test_flow_stage_hands_over_to_the_full_model(train_entry, toy_argv, capsys):
    flow = train_entry.train(parse_train(toy_argv("two_stage", model_name="toy_flow")))
    assert flow.iteration == 8
    stage_two = parse_train(toy_argv("two_stage", "--continue_train", "--niter=10", model_name="toy_full"))
    seed_everything(0)
    fresh = ToyFullModel(stage_two)  # what the full model's nets look like before loading
    capsys.readouterr()
    seed_everything(0)
    full = model.create_model(stage_two)
    printed = capsys.readouterr().out

    assert_modules_equal(full.net_G.flow_net, flow.net_G.flow_net, "flow_net")  # the stage-one weights
    assert_modules_equal(full.net_G.decoder, fresh.net_G.decoder, "decoder")  # left at its init
    assert_modules_equal(full.net_D, fresh.net_D, "D")  # no checkpoint: left at its init
    assert re.search(r"network G: loaded flow_net from .*latest_net_G\.pth \(the stage hand-over\); decoder keeps "
                     r"the initialisation", printed)
    assert re.search(r"no checkpoint for network D \(.*latest_net_D\.pth\)", printed)
    assert "comes from ToyFlowModel, not ToyFullModel: continuing its iteration count (8)" in printed
    # the iteration carries over; optimizers start fresh, at the schedule's rate for iteration 8
    assert full.iteration == 8
    assert all(not optimizer.state for optimizer in full.optimizers)
    assert [s.last_epoch for s in full.schedulers] == [8, 8]
    assert [o.param_groups[0]["lr"] for o in full.optimizers] == pytest.approx([0.01, 0.001])


def test_full_model_trains_on_from_the_flow_stage_count(train_entry, toy_argv):
    train_entry.train(parse_train(toy_argv("two_stage_run", model_name="toy_flow")))
    full = train_entry.train(parse_train(toy_argv("two_stage_run", "--continue_train", "--niter=10",
                                                  model_name="toy_full")))
    assert [step for step, *_ in full.history] == list(range(9, 14))
    # stage two now owns the run: resuming it restores its own optimizers
    resumed = model.create_model(parse_train(toy_argv("two_stage_run", "--continue_train", "--niter=10",
                                                      model_name="toy_full")))
    assert resumed.iteration == 13 and all(optimizer.state for optimizer in resumed.optimizers)


def test_checkpoint_fitting_neither_wholly_nor_in_part_raises(train_entry, toy_argv):
    train_entry.train(parse_train(toy_argv("wrong_model", model_name="toy_full")))
    with pytest.raises(CheckpointMismatchError, match=r"keys in the file that the network does not have: decoder"):
        model.create_model(parse_train(toy_argv("wrong_model", "--continue_train", model_name="toy_flow")))


def test_continue_train_without_any_checkpoint_names_the_run(toy_registry, toy_argv, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"none of latest_net_G\.pth exists in .*result/misspelt; "
                                                 r"check --name, --checkpoints_dir and --which_iter=latest"):
        model.create_model(parse_train(toy_argv("misspelt", "--continue_train")))


def test_testing_without_any_checkpoint_raises(toy_registry, toy_test_argv):
    with pytest.raises(FileNotFoundError, match=r"none of 20_net_G\.pth exists"):
        model.create_model(parse_test(toy_test_argv("never_trained", "--which_iter=20")))


def test_testing_a_flow_stage_checkpoint_lists_what_is_missing(train_entry, test_entry, toy_argv, toy_test_argv,
                                                                tmp_path):
    train_entry.train(parse_train(toy_argv("stage_one_only", model_name="toy_flow")))
    with pytest.raises(CheckpointError) as error:
        test_entry.test(parse_test(toy_test_argv("stage_one_only", model_name="toy_full")))
    assert str(error.value) == (
        f"cannot load checkpoint 'latest' of ToyFullModel from {tmp_path / 'result' / 'stage_one_only'}: "
        "latest_net_D.pth is missing; latest_net_G.pth holds only flow_net of network G, not decoder (a flow-stage "
        "checkpoint: train the full model from it with --continue_train first); check --name, --which_iter and "
        "that --model and the network options are those it was trained with")
    assert not os.path.exists(tmp_path / "results")


def test_testing_with_other_network_options_names_the_keys(train_entry, test_entry, toy_argv, toy_test_argv):
    train_entry.train(parse_train(toy_argv("four_channels")))
    with pytest.raises(CheckpointError) as error:
        test_entry.test(parse_test(toy_test_argv("four_channels", "--toy_channels=5")))
    message = str(error.value)
    assert "\n" not in message
    assert "latest_net_G.pth' does not fit ToyGenerator: 3 shape mismatches: conv1.weight (file (4, 3, 3, 3), " \
           "network (5, 3, 3, 3)), conv1.bias (file (4,), network (5,))" in message


def test_resuming_under_another_configuration_says_so(train_entry, toy_argv, tmp_path):
    train_entry.train(parse_train(toy_argv("configured", "--niter=2", "--niter_decay=0")))
    with pytest.raises(CheckpointError) as error:
        model.create_model(parse_train(toy_argv("configured", "--continue_train", "--toy_channels=5")))
    assert str(error.value) == (
        "checkpoint was saved by a different configuration: --toy_channels=4 (now 5) "
        f"({tmp_path / 'result' / 'configured' / 'latest_train_state.pth'}); pass the options of that run (see its "
        "train_opt.txt) or another --name")


def test_hand_over_must_match_the_flow_estimator_exactly(train_entry, toy_argv, tmp_path):
    """Without a training state (e.g. released flow weights) the configuration cannot be compared:
    the hand-over itself refuses a flow estimator of another shape instead of loading a part."""
    train_entry.train(parse_train(toy_argv("other_flow", model_name="toy_flow")))
    os.remove(tmp_path / "result" / "other_flow" / "latest_train_state.pth")
    with pytest.raises(CheckpointMismatchError, match=r"does not fit ToyFullGenerator: 3 shape mismatches: "
                                                      r"flow_net\.conv1\.weight \(file \(4, 3, 3, 3\), network "
                                                      r"\(5, 3, 3, 3\)\)"):
        model.create_model(parse_train(toy_argv("other_flow", "--continue_train", "--toy_channels=5",
                                                model_name="toy_full")))
