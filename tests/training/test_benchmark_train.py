"""script/benchmark_train.py's CPU-side pieces: arguments, relative differences, tables, the
loss-curve CSV, printing and saving a table (script/report_table.py); the measurements themselves
need a GPU (tests/training/test_cuda_graphs.py and script/run_gpu_checks.sh)."""
import pytest
import torch

from script import benchmark_train
from script.report_table import print_and_save


def test_steps_default_by_mode():
    assert benchmark_train.parse_args([]).steps == 30
    assert benchmark_train.parse_args(["--same_training"]).steps == 200
    assert benchmark_train.parse_args(["--same_training", "--steps", "2000"]).steps == 2000


def test_relative_difference_of_a_zero_loss_stays_finite():
    reference = torch.tensor([[2.0, 0.0]], dtype=torch.float64)
    difference = benchmark_train.relative_difference(torch.tensor([[2.2, 0.0]], dtype=torch.float64), reference)
    assert difference[0, 0].item() == pytest.approx(0.1) and difference[0, 1].item() == 0.0


def test_tables_name_the_paths_and_missing_values():
    rows = [("market", "train step", "fast", 8, 0.0135, 74.0, 0.8, (7.0, 2327.0, 12.1), 48.25),
            ("market", "inference", "fast", 32, None, None, None, (None, None, None), None)]
    table = benchmark_train.format_table(rows)
    assert "| GPU-busy ms / step | warm-up s |\n|---|---|---|---|---|---|---|---|---|---|---|\n" in table
    assert "| market | train step | 8 | fast | 13.5 | 74.0 it/s | 0.80 | 7 | 2327 | 12.1 | 48.2 |" in table
    assert "| market | inference | 32 | fast | - | - img/s | - | - | - | - | - |" in table
    same = benchmark_train.format_same_training([("market", "app_gen", 0.2, 0.01, None, None)], 200)
    assert "| market | app_gen | 2.00e-01 | 1.00e-02 | - | - |" in same


def test_loss_curves_csv(tmp_path):
    values = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    path = tmp_path / "curves.csv"
    benchmark_train.write_curves({"market": (["a", "b"], {"fast": values})}, str(path), None)
    lines = path.read_text().splitlines()
    assert lines[0] == "dataset,path,step,loss,value"
    assert lines[1:] == ["market,fast,1,a,1.0", "market,fast,1,b,2.0", "market,fast,2,a,3.0", "market,fast,2,b,4.0"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="measures on a GPU")
def test_without_a_gpu_it_says_so(capsys):
    benchmark_train.main([])
    assert "no CUDA GPU visible" in capsys.readouterr().out


def test_the_table_is_printed_and_saved(tmp_path, capsys):
    print_and_save("| a |\n|---|", tmp_path / "table.md")
    print_and_save("| b |")  # no file
    assert capsys.readouterr().out == "| a |\n|---|\n| b |\n"
    assert (tmp_path / "table.md").read_text() == "| a |\n|---|\n" and len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("name, kind", [
    ("void cudnn::engines_precompiled::nchwToNhwcKernel<float, float, float, false, true>", "NCHW<->NHWC conversion"),
    ("void cudnn::bn_bw_1C11_singleread<float, 512, true, 1, 2, 0>", "normalisation"),
    ("sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize128x128x32", "convolution / matrix product"),
    ("void (anonymous namespace)::local_attention_apply_backward_kernel<5, float, int>", "custom ops"),
    ("void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl_nocast<CUDAFunctor_add>>", "elementwise"),
    ("void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float>>", "reduction"),
    ("something new", "other"),
])
def test_kernels_are_sorted_into_kinds(name, kind):
    assert benchmark_train.kernel_kind(name) == kind


def test_kernel_times_per_step_by_kind_and_by_name():
    kernels = [("sm90_xmma_fprop", 3000.0), ("sm90_xmma_fprop", 1000.0), ("reduce_kernel<512>", 500.0)]
    by_kind, by_name = benchmark_train.kernel_times(kernels, steps=2)
    assert by_kind == {"convolution / matrix product": 2.0, "reduction": 0.25}
    assert by_name == [(2.0, 1.0, "sm90_xmma_fprop"), (0.25, 0.5, "reduce_kernel<512>")]
    table = benchmark_train.format_kernel_times("market", by_kind, by_name)
    assert table.splitlines()[0] == "market: 2.2 ms of GPU kernels per step"
    assert "| convolution / matrix product | 2.00 |" in table and "| 2.00 | 1 | `sm90_xmma_fprop` |" in table


def test_same_training_runs_the_reference_first_then_what_was_asked():
    runs = benchmark_train.same_training_runs(benchmark_train.parse_args(
        ["--same_training", "--noise_floor", "--variants", "--compile", "--seeds", "1,2", "--seed", "3"]))
    assert [(name, seed) for name, _, seed in runs] == [
        ("eager fp32", 3), ("fast", 3), ("eager fp32 again", 3), ("fast bf16", 3), ("fast compiled", 3),
        ("fast, seed 1", 1), ("fast, seed 2", 2)]
    assert runs[3][1] == ("on", True, torch.bfloat16, False) and runs[4][1] == ("on", True, None, True)
    plain = benchmark_train.same_training_runs(benchmark_train.parse_args(["--same_training"]))
    assert [name for name, _, _ in plain] == ["eager fp32", "fast"]


def test_variants_and_compile_add_their_paths_and_both_the_compiled_bf16_one():
    def names(*argv):
        return list(benchmark_train.chosen_paths(benchmark_train.parse_args(list(argv)), benchmark_train.TRAIN_PATHS,
                                                 benchmark_train.TRAIN_VARIANTS, benchmark_train.TRAIN_COMPILED,
                                                 benchmark_train.TRAIN_COMPILED_VARIANTS))
    assert names() == ["eager fp32", "fast"]
    assert names("--compile") == ["eager fp32", "fast", "fast compiled"]
    assert names("--variants", "--compile") == ["eager fp32", "fast", "fast NCHW", "fast bf16", "fast compiled",
                                                "fast bf16 compiled"]
    assert benchmark_train.INFERENCE_COMPILED_VARIANTS["fast bf16 compiled"] == (True, torch.bfloat16, True)


def test_late_means_average_the_last_quarter_of_the_steps():
    steps = torch.arange(1, 9, dtype=torch.float64)
    curves = {"eager fp32": torch.stack([steps, 10 * steps], dim=1), "fast": torch.ones(8, 2, dtype=torch.float64)}
    table = benchmark_train.format_late_means({"market": (["a", "b"], curves)}, 8)
    assert table.splitlines()[0] == "Mean of each loss over steps 7-8"
    assert "| market: run | a | b |" in table
    assert "| eager fp32 | 7.5 | 75 |" in table and "| fast | 1 | 1 |" in table


def test_moving_average_has_one_mean_per_full_window():
    values = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64)
    assert benchmark_train.moving_average(values, 2).tolist() == [1.5, 2.5, 3.5, 4.5]
    assert benchmark_train.moving_average(values, 1).tolist() == values.tolist()


def test_a_short_run_still_has_a_late_window():
    assert benchmark_train.late_window(3) == (3, 3) and benchmark_train.late_window(2000) == (1501, 2000)


def test_bad_seeds_are_one_clear_error(capsys):
    with pytest.raises(SystemExit):
        benchmark_train.parse_args(["--same_training", "--seeds", "1,b"])
    assert "argument --seeds: expected comma-separated integers, got '1,b'" in capsys.readouterr().err
