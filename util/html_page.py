"""A static HTML page of training visuals: ``<web_dir>/index.html`` with images in ``<web_dir>/images/``.

Each call adds one row per iteration (``iter<N>_<label>.png``), newest first. Unlike the original,
which keyed images by epoch and overwrote them within an epoch (original: util/visualizer.py, Visualizer), rows are keyed by
iteration, and only the newest ``max_rows`` iterations are kept, deleting older images, so that a
run of millions of iterations does not fill the disk. The row list is stored beside the page in
``visuals.json`` so that a resumed run continues the same page. Every file is written atomically,
so a browser never sees a half-written page or image.
"""
import html
import json
import os
import re

from util.atomic import atomic_write_text
from util.image_io import save_image

_MANIFEST = "visuals.json"


def _file_label(label):
    """The label with characters that are unsafe in file names and URLs replaced by '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", label)


class HtmlPage:
    """Writes and updates the visuals page of one run.

    Args:
        web_dir: folder of index.html (created).
        title: page title.
        image_width: displayed width of each image in pixels (the original's display_winsize).
        max_rows: how many iterations the page keeps (default 50).
        warning: a line shown in red under the title (e.g. that the run is not meaningful), or None.
    """

    def __init__(self, web_dir, title, image_width=256, max_rows=50, warning=None):
        if max_rows < 1:
            raise ValueError(f"max_rows must be >= 1, got {max_rows}")
        self.web_dir = web_dir
        self.image_dir = os.path.join(web_dir, "images")
        self.title = title
        self.image_width = image_width
        self.max_rows = max_rows
        self.warning = warning
        os.makedirs(self.image_dir, exist_ok=True)
        self._rows = self._load_rows()  # [(iteration, [(label, file name), ...])], newest first

    def _load_rows(self):
        path = os.path.join(self.web_dir, _MANIFEST)
        if not os.path.exists(path):
            return []
        with open(path) as handle:
            try:
                rows = json.load(handle)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}: not valid JSON ({error}); delete it to start a new page") from error
        return [(int(iteration), [tuple(entry) for entry in entries]) for iteration, entries in rows]

    def add_visuals(self, iteration, images):
        """Save the images of one iteration and rewrite the page.

        Args:
            iteration: training iteration; a row already on the page for it is replaced.
            images: mapping label -> np.ndarray uint8 [H, W, 3].
        """
        entries = []
        for label, image in images.items():
            file_name = f"iter{iteration:08d}_{_file_label(label)}.png"
            if any(file_name == existing for _, existing in entries):
                raise ValueError(f"labels of iteration {iteration} map to the same file {file_name!r}: "
                                 f"{[name for name, _ in entries] + [label]}")
            save_image(image, os.path.join(self.image_dir, file_name))
            entries.append((label, file_name))
        replaced = [row for row in self._rows if row[0] == iteration]
        kept = [row for row in self._rows if row[0] != iteration]
        self._rows = [(iteration, entries)] + kept[:self.max_rows - 1]
        self._write()
        self._delete_unlisted(replaced + kept[self.max_rows - 1:])

    def _delete_unlisted(self, dropped_rows):
        listed = {file_name for _, entries in self._rows for _, file_name in entries}
        for _, entries in dropped_rows:
            for _, file_name in entries:
                path = os.path.join(self.image_dir, file_name)
                if file_name not in listed and os.path.exists(path):
                    os.remove(path)

    def _write(self):
        atomic_write_text(os.path.join(self.web_dir, _MANIFEST), json.dumps(self._rows, indent=1))
        atomic_write_text(os.path.join(self.web_dir, "index.html"), self.render())

    def render(self):
        """The page's HTML text."""
        title = html.escape(self.title)
        parts = [
            "<!DOCTYPE html>",
            '<html><head><meta charset="utf-8">',
            f"<title>{title}</title>",
            "<style>body{font-family:sans-serif} td{text-align:center;vertical-align:top;padding:4px}</style>",
            f"</head><body><h1>{title}</h1>",
        ]
        if self.warning:
            parts.append(f'<p style="color:#c00;font-weight:bold">{html.escape(self.warning)}</p>')
        for iteration, entries in self._rows:
            parts.append(f'<h3 id="iter{iteration}">iteration {iteration}</h3><table><tr>')
            for label, file_name in entries:
                source = f"images/{file_name}"
                parts.append(f'<td><a href="{source}"><img src="{source}" width="{self.image_width}"></a>'
                             f"<br>{html.escape(label)}</td>")
            parts.append("</tr></table>")
        parts.append("</body></html>\n")
        return "\n".join(parts)
