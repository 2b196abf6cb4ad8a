"""script/benchmark_loader.py: the training loader's batches per second, and its argument checks."""
import pytest

from script import benchmark_loader


def test_measures_every_worker_count_on_a_synthetic_set(tmp_path, capsys):
    out = tmp_path / "loader.md"
    benchmark_loader.main(["--datasets", "market", "--workers", "0,1", "--batch", "2", "--batches", "3",
                           "--out", str(out)])
    table = out.read_text().splitlines()
    assert table[0].startswith("Training loader, synthetic data, ") and table[0].endswith(" CPUs available")
    rows = [line.split(" | ") for line in table[3:]]
    assert [(row[0], row[1], row[2]) for row in rows] == [("| market", "0", "2"), ("| market", "1", "2")]
    assert all(float(row[3]) > 0 and float(row[4].rstrip(" |")) > 0 for row in rows)


def test_a_short_epoch_is_one_clear_error():
    with pytest.raises(ValueError, match=r"^the epoch has 3 batches, fewer than the 2 warm-up \+ 5 measured; "
                                         r"lower --batches or use a larger dataset$"):
        benchmark_loader.batches_per_second([0, 1, 2], warmup=2, measured=5)


def test_warm_up_lets_every_worker_deliver():
    assert [benchmark_loader.warmup_batches(workers) for workers in (0, 1, 4)] == [2, 2, 8]


@pytest.mark.parametrize("argv, message", [
    (["--workers", "0,two"], "argument --workers: expected comma-separated integers, got '0,two'"),
    (["--workers", "-1"], "--batch and --batches must be at least 1, --workers one or more counts of at least 0"),
    (["--workers", ""], "--batch and --batches must be at least 1, --workers one or more counts of at least 0"),
    (["--dataroot", "somewhere"], "--dataroot: name its configuration alone in --datasets, e.g. --datasets fashion"),
])
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        benchmark_loader.parse_args(argv)
    assert stop.value.code == 2 and message in capsys.readouterr().err
