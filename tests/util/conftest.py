"""Fixtures of the util tests: the options a Visualizer reads."""
import argparse

import pytest


@pytest.fixture
def visualizer_opt(tmp_path):
    """Factory of Visualizer options: a training run under tmp_path, visdom off unless asked."""
    def make(**overrides):
        values = dict(name="demo_run", checkpoints_dir=str(tmp_path / "result"), isTrain=True, no_html=False,
                      display_id=0, display_port=8096, display_env="demorun", display_winsize=256,
                      display_single_pane_ncols=0, display_tensorboard=False, visdom_server="http://localhost")
        values.update(overrides)
        return argparse.Namespace(**values)
    return make
