"""HtmlPage: images under web/images, newest iteration first, bounded history, resumable."""
import os

import numpy as np
from PIL import Image

from util.html_page import HtmlPage


def _images(value):
    return {"input_P1": np.full((4, 3, 3), value, np.uint8), "img_gen": np.full((4, 3, 3), value + 1, np.uint8)}


def test_page_lists_images_with_links_newest_first(tmp_path):
    web = tmp_path / "web"
    page = HtmlPage(str(web), "Experiment name = demo", image_width=128)
    page.add_visuals(10, _images(10))
    page.add_visuals(20, _images(20))

    html = (web / "index.html").read_text()
    assert "<title>Experiment name = demo</title>" in html
    assert html.index("iteration 20") < html.index("iteration 10")
    for iteration in (10, 20):
        for label in ("input_P1", "img_gen"):
            source = f"images/iter{iteration:08d}_{label}.png"
            assert f'<a href="{source}"><img src="{source}" width="128"></a><br>{label}' in html
    saved = np.asarray(Image.open(web / "images" / "iter00000020_img_gen.png"))
    assert (saved == 21).all() and saved.shape == (4, 3, 3)
    assert not [name for name in os.listdir(web) if name.startswith(".")]   # no temporary files left


def test_keeps_only_the_newest_rows_and_deletes_older_images(tmp_path):
    page = HtmlPage(str(tmp_path), "t", max_rows=2)
    for iteration in (1, 2, 3):
        page.add_visuals(iteration, _images(iteration))
    assert sorted(os.listdir(tmp_path / "images")) == [
        "iter00000002_img_gen.png", "iter00000002_input_P1.png",
        "iter00000003_img_gen.png", "iter00000003_input_P1.png"]
    assert "iteration 1<" not in (tmp_path / "index.html").read_text()


def test_same_iteration_replaces_its_row(tmp_path):
    page = HtmlPage(str(tmp_path), "t")
    page.add_visuals(5, _images(1))
    page.add_visuals(5, {"warp": np.zeros((2, 2, 3), np.uint8)})
    html = (tmp_path / "index.html").read_text()
    assert html.count("iteration 5<") == 1 and "input_P1" not in html
    assert os.listdir(tmp_path / "images") == ["iter00000005_warp.png"]


def test_resumed_run_continues_the_page(tmp_path):
    HtmlPage(str(tmp_path), "t").add_visuals(100, _images(0))
    HtmlPage(str(tmp_path), "t").add_visuals(200, _images(0))
    html = (tmp_path / "index.html").read_text()
    assert html.index("iteration 200") < html.index("iteration 100")


def test_labels_are_escaped_and_file_names_sanitised(tmp_path):
    page = HtmlPage(str(tmp_path), "a <b>")
    page.add_visuals(1, {"x<y> z": np.zeros((2, 2, 3), np.uint8)})
    html = (tmp_path / "index.html").read_text()
    assert "<h1>a &lt;b&gt;</h1>" in html and "<br>x&lt;y&gt; z</td>" in html
    assert os.listdir(tmp_path / "images") == ["iter00000001_x_y__z.png"]
