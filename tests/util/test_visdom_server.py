"""script/visdom_server.py started for real on 127.0.0.1, fed by the Visualizer, then queried."""
import base64
import io
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings

import numpy as np
import pytest
from PIL import Image

from util.visdom_display import tile_images
from util.visualizer import Visualizer

visdom = pytest.importorskip("visdom")

from tests.paths import REPO_ROOT
STARTUP_TIMEOUT_S = 60


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def visdom_port(tmp_path_factory):
    """Port of a launcher-started server, killed after the module's tests."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("visdom") / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "script.visdom_server", "--port", str(port), "--hostname", "127.0.0.1",
             "--env_path", str(log_path.parent / "envs")],
            cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"visdom_server exited with {server.returncode}:\n{log_path.read_text()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"visdom_server not answering after {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()}")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _client(port, env):
    return visdom.Visdom(server="http://127.0.0.1", port=port, env=env, raise_exceptions=True,
                         use_incoming_socket=False)


def _window(client, win, env):
    assert client.win_exists(win, env=env), f"window {win!r} missing in env {env!r}"
    return json.loads(client.get_window_data(win, env=env))


def _window_image(window):
    source = window["content"]["src"]
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))


def test_page_is_served(visdom_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{visdom_port}/", timeout=5) as response:
        assert response.status == 200 and b"<title>visdom</title>" in response.read()


def test_losses_and_images_arrive_in_their_windows(visdom_port, visualizer_opt, recwarn):
    env = "gfla_losses_images"
    opt = visualizer_opt(display_id=1, display_port=visdom_port, display_env=env,
                         visdom_server="http://127.0.0.1", no_html=True)
    visualizer = Visualizer(opt)
    losses = [(100, {"app_gen": 2.5, "ad_gen": 0.75}), (200, {"app_gen": 2.0, "ad_gen": 0.5}),
              (300, {"app_gen": 1.25, "ad_gen": 0.625})]
    for iteration, errors in losses:
        visualizer.plot_current_errors(iteration, errors)
    rng = np.random.default_rng(0)
    images = {"input_P1": rng.integers(0, 256, (16, 12, 3), dtype=np.uint8),
              "flow_fields0": rng.integers(0, 256, (4, 3, 3), dtype=np.uint8)}
    visualizer.display_current_results(images, 300)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]

    client = _client(visdom_port, env)
    traces = {trace["name"]: trace for trace in _window(client, "1", env)["content"]["data"]}
    assert set(traces) == {"app_gen", "ad_gen"}
    for name, trace in traces.items():
        assert trace["x"] == [100, 200, 300]
        assert trace["y"] == [errors[name] for _, errors in losses]
    for win, (label, image) in zip(("2", "3"), images.items()):
        window = _window(client, win, env)
        assert window["title"] == label
        np.testing.assert_array_equal(_window_image(window), image)


def test_single_pane_grid_and_labels(visdom_port, visualizer_opt):
    env = "gfla_grid"
    opt = visualizer_opt(display_id=10, display_port=visdom_port, display_env=env, display_single_pane_ncols=2,
                         visdom_server="http://127.0.0.1", no_html=True)
    images = {"a": np.zeros((4, 4, 3), np.uint8), "b": np.full((2, 3, 3), 9, np.uint8),
              "c": np.full((4, 4, 3), 200, np.uint8)}
    Visualizer(opt).display_current_results(images, 1)

    client = _client(visdom_port, env)
    np.testing.assert_array_equal(_window_image(_window(client, "11", env)), tile_images(list(images.values()), 2))
    assert _window(client, "12", env)["content"] == "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"


def test_busy_port_gives_a_clear_error(visdom_port, tmp_path):
    from script.visdom_server import main
    from util.errors import UserError

    with pytest.raises(UserError, match=f"cannot listen on 127.0.0.1:{visdom_port}"):
        main(["--port", str(visdom_port), "--env_path", str(tmp_path)])


def test_server_lost_mid_run_warns_once_and_stops_sending(visdom_port, visualizer_opt):
    opt = visualizer_opt(display_id=1, display_port=visdom_port, display_env="gfla_lost",
                         visdom_server="http://127.0.0.1", no_html=True)
    visualizer = Visualizer(opt)
    visualizer.plot_current_errors(1, {"app_gen": 1.0})
    visualizer.visdom._vis.port = _free_port()   # the server "goes away": nothing listens there
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        visualizer.plot_current_errors(2, {"app_gen": 1.0})
        visualizer.display_current_results({"img": np.zeros((2, 2, 3), np.uint8)}, 2)
        visualizer.plot_current_errors(3, {"app_gen": 1.0})
    assert [str(w.message).split(",")[0] for w in caught] == [
        f"the visdom server at http://127.0.0.1:{visdom_port} stopped answering"]
    assert not visualizer.visdom.active
