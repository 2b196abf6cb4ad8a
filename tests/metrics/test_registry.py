"""The registry of named metrics and --metrics selection."""
import pytest

from script.metrics_lib.registry import DEFAULT_METRICS, METRICS, register_metric, select_metrics


def test_default_and_mask_selection():
    assert [metric.name for metric in select_metrics()] == list(DEFAULT_METRICS)
    names = [metric.name for metric in select_metrics(calculate_mask=True)]
    assert names == ["fid", "lpips", "mask_lpips", "ssim", "ssim_256", "mask_ssim", "psnr", "l1", "mae"]
    assert [metric.name for metric in select_metrics(["psnr", "fid"])] == ["fid", "psnr"]
    assert all(METRICS[name].masked for name in ("mask_lpips", "mask_ssim"))


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"--metrics: unknown IS, kid; expected names among fid, lpips"):
        select_metrics(["kid", "fid", "IS"])
    with pytest.raises(ValueError, match="no metric selected"):
        select_metrics([])


def test_registration_checks():
    with pytest.raises(ValueError, match="'ssim' is already registered"):
        register_metric("ssim", "pair", "again", score=abs)
    with pytest.raises(ValueError, match="needed by, and only by, kind 'pair'"):
        register_metric("new_fid", "fid", "with a score", score=abs)
    assert "new_fid" not in METRICS
