"""Visualizer without a visdom server: loss log, HTML, TensorBoard, unreachable visdom, ranks."""
import json
import os
import re
import socket
import warnings

import numpy as np
import pytest

from util.visualizer import Visualizer

IMAGES = {"input_P1": np.zeros((8, 6, 3), np.uint8), "img_gen": np.full((8, 6, 3), 200, np.uint8)}


def _free_port():
    """A local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_print_current_errors_prints_and_appends_the_original_format_and_jsonl(visualizer_opt, capsys):
    opt = visualizer_opt()
    visualizer = Visualizer(opt)
    visualizer.print_current_errors(3, 1200, {"app_gen": 1.23456, "ad_gen": 0.5}, 0.0521)
    visualizer.print_current_errors(3, 1300, {"app_gen": 2.0, "ad_gen": 0.25}, 0.05)

    line = "(epoch: 3, iters: 1200, time: 0.052) app_gen: 1.235 ad_gen: 0.500 "
    assert line in capsys.readouterr().out
    log = open(os.path.join(opt.checkpoints_dir, opt.name, "loss_log.txt")).read().splitlines()
    assert re.fullmatch(r"================ Training Loss \(.+\) ================", log[0])
    assert log[1:] == [line, "(epoch: 3, iters: 1300, time: 0.050) app_gen: 2.000 ad_gen: 0.250 "]
    records = [json.loads(text) for text in open(os.path.join(opt.checkpoints_dir, opt.name, "loss_log.jsonl"))]
    assert records[0] == {"epoch": 3, "iteration": 1200, "seconds_per_sample": 0.0521,
                          "losses": {"app_gen": 1.23456, "ad_gen": 0.5}}
    assert len(records) == 2


def test_html_page_written_when_training(visualizer_opt):
    opt = visualizer_opt(display_winsize=64)
    Visualizer(opt).display_current_results(IMAGES, 40)
    web = os.path.join(opt.checkpoints_dir, opt.name, "web")
    html = open(os.path.join(web, "index.html")).read()
    assert 'src="images/iter00000040_img_gen.png" width="64"' in html
    assert sorted(os.listdir(os.path.join(web, "images"))) == ["iter00000040_img_gen.png", "iter00000040_input_P1.png"]


@pytest.mark.parametrize("overrides", [{"no_html": True}, {"isTrain": False}])
def test_no_html_page_with_no_html_or_at_test_time(visualizer_opt, overrides):
    opt = visualizer_opt(**overrides)
    Visualizer(opt).display_current_results(IMAGES, 1)
    assert not os.path.exists(os.path.join(opt.checkpoints_dir, opt.name, "web"))


def test_unreachable_visdom_warns_once_and_carries_on(visualizer_opt, capsys):
    port = _free_port()
    opt = visualizer_opt(display_id=1, display_port=port, visdom_server="http://127.0.0.1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        visualizer = Visualizer(opt)
        for iteration in (1, 2):
            visualizer.plot_current_errors(iteration, {"app_gen": 1.0})
            visualizer.display_current_results(IMAGES, iteration)
        visualizer.print_current_errors(1, 2, {"app_gen": 1.0}, 0.1)

    assert len(caught) == 1, [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert caught[0].category is RuntimeWarning
    assert f"127.0.0.1:{port}" in message
    assert f"python -m script.visdom_server --port {port}" in message and "--display_id=0" in message
    output = capsys.readouterr()
    assert "Traceback" not in output.out + output.err and "Exception" not in output.out + output.err
    assert os.path.exists(os.path.join(opt.checkpoints_dir, opt.name, "web", "index.html"))


def test_tensorboard_writes_scalars_and_images(visualizer_opt):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    opt = visualizer_opt(display_tensorboard=True, no_html=True)
    visualizer = Visualizer(opt)
    visualizer.plot_current_errors(10, {"app_gen": 1.5, "ad_gen": 0.25})
    visualizer.plot_current_errors(20, {"app_gen": 1.0, "ad_gen": 0.5})
    visualizer.display_current_results(IMAGES, 20)
    visualizer.close()

    log_dir = os.path.join(opt.checkpoints_dir, opt.name, "tensorboard")
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(log_dir))
    events = EventAccumulator(log_dir, size_guidance={"images": 0})
    events.Reload()
    assert [(e.step, e.value) for e in events.Scalars("loss/app_gen")] == [(10, 1.5), (20, 1.0)]
    assert [(e.step, e.value) for e in events.Scalars("loss/ad_gen")] == [(10, 0.25), (20, 0.5)]
    image = events.Images("visuals/img_gen")[0]
    assert (image.step, image.width, image.height) == (20, 6, 8)


def test_other_ranks_write_nothing(visualizer_opt, monkeypatch, capsys):
    monkeypatch.setenv("RANK", "1")
    opt = visualizer_opt(display_tensorboard=True)
    visualizer = Visualizer(opt)
    visualizer.display_current_results(IMAGES, 1)
    visualizer.plot_current_errors(1, {"app_gen": 1.0})
    visualizer.print_current_errors(1, 1, {"app_gen": 1.0}, 0.1)
    visualizer.close()
    assert not os.path.exists(opt.checkpoints_dir) and capsys.readouterr().out == ""


@pytest.mark.parametrize("images, message", [
    ({}, "images is empty"),
    ({"img_gen": np.zeros((8, 6, 3))}, "'img_gen' must be a uint8 .H, W, 3. array, got float64"),
    ({"img_gen": np.zeros((3, 8, 6), np.uint8)}, r"got uint8 array of shape \(3, 8, 6\)"),
])
def test_display_rejects_non_images(visualizer_opt, images, message):
    with pytest.raises(ValueError, match=message):
        Visualizer(visualizer_opt()).display_current_results(images, 1)
