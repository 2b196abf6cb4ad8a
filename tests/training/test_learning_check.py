"""script/learning_check.py's scoring and grid on hand-made results (the training itself is a GPU
run of about 10 minutes: ``python -m script.learning_check``)."""
import numpy as np
import pytest

from script import learning_check
from script.metrics_lib.image_files import read_rgb
from util.image_io import save_image


def write_results(folder, count=2):
    rng = np.random.default_rng(0)
    for index in range(count):
        target = rng.integers(0, 256, (128, 64, 3), dtype=np.uint8)
        source = rng.integers(0, 256, (128, 64, 3), dtype=np.uint8)
        stem = folder / f"p{index}_2_q{index}"
        save_image(source, f"{stem}_ref.png")
        save_image(target, f"{stem}_gt.png")
        save_image(target, f"{stem}_vis.png")  # a perfect generator


def test_a_perfect_generator_beats_copying_the_source(tmp_path, monkeypatch):
    monkeypatch.setattr(learning_check, "RESULT_EXTENSION", ".png")
    monkeypatch.setattr(learning_check, "lpips_means", lambda images, weights=None: (None, "LPIPS skipped: test"))
    write_results(tmp_path)
    scores, triplets, note = learning_check.score(str(tmp_path))
    assert len(triplets) == 2 and note == "LPIPS skipped: test"
    assert scores["L1 (lower is better)"][0] == 0 < scores["L1 (lower is better)"][1]
    generated_ssim, copied_ssim = scores["SSIM (higher is better)"]
    assert generated_ssim == pytest.approx(1.0) and copied_ssim < 0.5
    learning_check.write_grid(triplets, str(tmp_path / "grid.png"))
    assert read_rgb(tmp_path / "grid.png").shape == (2 * 128, 3 * 64, 3)


def test_no_results_is_an_error(tmp_path):
    with pytest.raises(RuntimeError, match="test.py wrote no"):
        learning_check.score(str(tmp_path))
