"""The view synthesis result folders: the original's file names and pixels, and the strip for looking."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from util.image_io import tensor_to_uint8
from util.view_results import VIEW_FILE, save_view_synthesis, view_file


def read(path):
    return np.asarray(Image.open(path).convert("RGB"))


def test_writes_the_originals_layout_and_a_strip(tmp_path):
    generator = torch.Generator().manual_seed(0)
    source = torch.rand(3, 8, 6, generator=generator) * 2 - 1
    results = torch.rand(18, 3, 8, 6, generator=generator) * 2 - 1
    truths = list(torch.rand(18, 3, 8, 6, generator=generator) * 2 - 1)
    paths = save_view_synthesis(str(tmp_path), "obj", source, results, truths, strip_height=4)
    folder = tmp_path / "obj"
    expected = {"source.png", "strip.png"} | {f"{kind}_{j:04d}.png" for kind in ("gt", "result") for j in range(18)}
    assert set(os.listdir(folder)) == expected and os.listdir(tmp_path) == ["obj"]
    assert paths == [str(folder / f"result_{j:04d}.png") for j in range(18)]
    np.testing.assert_array_equal(read(folder / "source.png"), tensor_to_uint8(source))
    np.testing.assert_array_equal(read(folder / "result_0005.png"), tensor_to_uint8(results[5]))
    np.testing.assert_array_equal(read(folder / "gt_0017.png"), tensor_to_uint8(truths[17]))

    strip = read(folder / "strip.png")
    assert strip.shape == (2 * 4, 19 * 3, 3)  # tiles 4 high, 3 wide (aspect kept)
    assert (strip[4:, :3] == 255).all()  # blank under the source
    full = save_view_synthesis(str(tmp_path / "full"), "obj", source, results[:2], truths[:2], strip_height=None)
    strip = read(tmp_path / "full" / "obj" / "strip.png")
    assert len(full) == 2 and strip.shape == (16, 18, 3)
    np.testing.assert_array_equal(strip[:8, 6:12], tensor_to_uint8(results[0]))
    np.testing.assert_array_equal(strip[8:, 12:18], tensor_to_uint8(truths[1]))


def test_names_and_mismatched_counts(tmp_path):
    assert view_file("gt", 7) == "gt_0007.png" and VIEW_FILE.match("result_0012.png").groups() == ("result", "0012")
    assert VIEW_FILE.match("result_12.png") is None and VIEW_FILE.match("source.png") is None
    with pytest.raises(ValueError, match="3 results but 2 ground truths for object 'obj'"):
        save_view_synthesis(str(tmp_path), "obj", torch.zeros(3, 4, 4), torch.zeros(3, 3, 4, 4),
                            torch.zeros(2, 3, 4, 4))
