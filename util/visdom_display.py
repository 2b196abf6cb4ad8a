"""The Visualizer's visdom backend: loss curves and visuals sent to a running visdom server.

Windows follow the original (original: util/visualizer.py, Visualizer): the loss plot in window ``display_id``; the
visuals one per window from ``display_id + 1``, or, with ``ncols > 0``, all in one grid in window
``display_id + 1`` with their labels in window ``display_id + 2``.

It never starts a server (``python -m script.visdom_server`` does) and never stops training: when
the ``visdom`` package is missing or no server answers, it warns once, saying how to start a
server or switch visdom off, and then does nothing.
"""
import html
import logging
import warnings

import numpy as np


def tile_images(images, ncols, padding=2):
    """Lay images out in a grid on white, ``ncols`` per row, each in a cell of the largest size.

    Args:
        images: sequence of np.ndarray uint8 [H_i, W_i, 3].
        ncols: images per row (>= 1).
        padding: white pixels around each cell.
    Returns:
        np.ndarray uint8 [rows * (H + 2 padding), ncols * (W + 2 padding), 3], H and W the largest sizes.
    """
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    cell_height = max(image.shape[0] for image in images) + 2 * padding
    cell_width = max(image.shape[1] for image in images) + 2 * padding
    rows = -(-len(images) // ncols)
    grid = np.full((rows * cell_height, ncols * cell_width, 3), 255, dtype=np.uint8)
    for index, image in enumerate(images):
        top = (index // ncols) * cell_height + padding
        left = (index % ncols) * cell_width + padding
        grid[top:top + image.shape[0], left:left + image.shape[1]] = image
    return grid


class VisdomDisplay:
    """Sends losses and images to visdom; inert (after one warning) when that is impossible.

    Args:
        server: server address, e.g. 'http://localhost'.
        port: server port.
        env: visdom environment of this run.
        display_id: window id of the loss plot; visuals use the following ids.
        ncols: > 0 shows all visuals in one grid with this many columns.
        title: prefix of the window titles (the run's name).
    """

    def __init__(self, server, port, env, display_id, ncols=0, title=""):
        self.address = f"{server}:{port}"
        self.port = port
        self.env = env
        self.display_id = display_id
        self.ncols = ncols
        self.title = title
        self._iterations = []
        self._values = []
        self._legend = None
        self._vis = self._connect(server, port, env)

    @property
    def active(self):
        """Whether losses and images are still being sent."""
        return self._vis is not None

    def _connect(self, server, port, env):
        try:
            import visdom  # imported here: visdom is optional
        except ImportError:
            self._give_up("the visdom package is not installed (pip install visdom)")
            return None
        # The client logs warnings about the incoming socket, which we do not use, and about each
        # new HTTP session; only its errors are worth showing.
        logging.getLogger("visdom").setLevel(logging.ERROR)
        try:
            return visdom.Visdom(server=server, port=port, env=env, raise_exceptions=True,
                                 use_incoming_socket=False)
        except ConnectionError:
            self._give_up(f"no visdom server answers at {self.address}")
            return None

    def _give_up(self, reason):
        warnings.warn(
            f"{reason}, so losses and images are not sent to visdom in this run (loss_log.txt, the HTML "
            f"page and TensorBoard are not affected). Start a server with "
            f"`python -m script.visdom_server --port {self.port}`, or switch visdom off with --display_id=0.",
            RuntimeWarning, stacklevel=4)
        self._vis = None

    def _send(self, method, *args, **kwargs):
        """Call a visdom client method; a lost server switches the display off with one warning."""
        if self._vis is None:
            return
        try:
            getattr(self._vis, method)(*args, **kwargs)
        except ConnectionError:
            self._give_up(f"the visdom server at {self.address} stopped answering")

    def plot(self, iteration, errors):
        """Add a point per loss and redraw the loss plot with its whole history.

        The whole history is sent each time (as the original did), so the plot is complete even
        after the server restarted or the window was closed. The legend is fixed by the first call.

        Args:
            iteration: x value.
            errors: mapping loss name -> float, holding at least the names of the first call.
        """
        if self._vis is None:
            return
        if self._legend is None:
            self._legend = list(errors)
        missing = [name for name in self._legend if name not in errors]
        if missing:
            raise ValueError(f"losses {missing} were plotted before but are missing now; got {list(errors)}")
        self._iterations.append(iteration)
        self._values.append([float(errors[name]) for name in self._legend])
        self._send("line", X=np.array(self._iterations), Y=np.array(self._values), win=str(self.display_id),
                   opts={"title": f"{self.title} loss over time", "legend": self._legend,
                         "xlabel": "iteration", "ylabel": "loss"})

    def show_images(self, images):
        """Show the visuals, one window each or one grid (see the class docstring).

        Args:
            images: mapping label -> np.ndarray uint8 [H, W, 3].
        """
        if self._vis is None:
            return
        labels = list(images)
        if self.ncols > 0:
            grid = tile_images([images[label] for label in labels], self.ncols)
            self._send("image", grid.transpose(2, 0, 1), win=str(self.display_id + 1),
                       opts={"title": f"{self.title} images"})
            rows = ["<tr>" + "".join(f"<td>{html.escape(label)}</td>" for label in labels[start:start + self.ncols])
                    + "</tr>" for start in range(0, len(labels), self.ncols)]
            self._send("text", "<table>" + "".join(rows) + "</table>", win=str(self.display_id + 2),
                       opts={"title": f"{self.title} labels"})
            return
        for offset, label in enumerate(labels, start=1):
            self._send("image", images[label].transpose(2, 0, 1), win=str(self.display_id + offset),
                       opts={"title": label})
