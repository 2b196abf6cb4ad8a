"""test.py: loads the trained checkpoint, runs test() on every sample (partial last batch too)."""
import os

import pytest
import torch

from .conftest import parse_test, parse_train


def test_every_test_sample_gets_a_result(train_entry, test_entry, toy_argv, toy_test_argv, tmp_path):
    trained = train_entry.train(parse_train(toy_argv("tested")))
    tester = test_entry.test(parse_test(toy_test_argv("tested", "--batchSize=3")))
    # 10 samples in batches of 3: the last batch holds one sample and is not dropped
    assert sorted(os.listdir(tmp_path / "results")) == [f"img{i:02d}_vis.jpg" for i in range(10)]
    assert tester.output.shape[0] == 1 and tester.output.is_inference()  # made under inference mode
    assert not tester.net_G.training
    for key, value in trained.net_G.state_dict().items():
        assert torch.equal(tester.net_G.state_dict()[key], value), f"{key} was not loaded from 'latest'"


def test_model_without_test_fails_with_its_name(train_entry, test_entry, toy_argv, toy_test_argv):
    train_entry.train(parse_train(toy_argv("flow_only", model_name="toy_train_only")))
    with pytest.raises(NotImplementedError, match=r"ToyTrainOnlyModel \(--model=toy_train_only\) has no test\(\)"):
        test_entry.test(parse_test(toy_test_argv("flow_only", model_name="toy_train_only")))
