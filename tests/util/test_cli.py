"""util.cli: a user error is one line and an exit status; a bug keeps its traceback; a run folder
made by a run that fails before holding anything is removed."""
import sys

import pytest
import torch

from options.errors import OptionError
from util import cli
from util.errors import MissingPathError, UnreadableFileError


@pytest.fixture(autouse=True)
def script_name(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["train.py"])
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)


def fail_with(error):
    def main():
        raise error
    return main


@pytest.mark.parametrize("error, status", [(MissingPathError("--dataroot=x: no such folder"), 1),
                                           (OptionError("--batchSize: expected an integer >= 1, got 0"), 2)])
def test_user_error_is_one_line_with_its_exit_status(capsys, error, status):
    with pytest.raises(SystemExit) as info:
        cli.run_entry_point(fail_with(error))
    assert info.value.code == status
    assert capsys.readouterr().err == f"train.py: error: {error}\n"


def test_gfla_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    with pytest.raises(MissingPathError):
        cli.run_entry_point(fail_with(MissingPathError("gone")))


def test_a_bug_keeps_its_traceback():
    with pytest.raises(ZeroDivisionError):
        cli.run_entry_point(lambda: 1 / 0)


def test_results_are_returned():
    assert cli.run_entry_point(lambda value: value + 1, 41) == 42


class Unreadable(torch.utils.data.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        raise UnreadableFileError(f"cannot read image /data/train/{index}.jpg: image file is truncated")


def test_an_error_from_a_dataloader_worker_is_its_original_line(capsys):
    def main():
        next(iter(torch.utils.data.DataLoader(Unreadable(), num_workers=1)))
    with pytest.raises(SystemExit):
        cli.run_entry_point(main)
    assert capsys.readouterr().err == "train.py: error: cannot read image /data/train/0.jpg: image file is truncated\n"


@pytest.mark.parametrize("content, kept", [({}, False), ({"train_opt.txt": "x", "web/index.html": "x"}, False),
                                           ({"latest_net_G.pth": "x"}, True), ({"loss_log.jsonl": "{}\n"}, True),
                                           ({"loss_log.jsonl": ""}, False)])
def test_a_new_run_folder_is_removed_unless_it_holds_work(tmp_path, content, kept):
    run_dir = tmp_path / "result" / "run"
    cli.make_run_folder(str(run_dir))
    for name, text in content.items():
        (run_dir / name).parent.mkdir(exist_ok=True)
        (run_dir / name).write_text(text)
    with pytest.raises(SystemExit):
        cli.run_entry_point(fail_with(MissingPathError("gone")))
    assert run_dir.is_dir() == kept
    assert (tmp_path / "result").is_dir() == kept  # the checkpoints folder it made too


def test_only_the_folders_it_made_are_removed(tmp_path):
    (tmp_path / "result" / "old_run").mkdir(parents=True)
    cli.make_run_folder(str(tmp_path / "result" / "run"))
    with pytest.raises(SystemExit):
        cli.run_entry_point(fail_with(MissingPathError("gone")))
    assert sorted(path.name for path in (tmp_path / "result").iterdir()) == ["old_run"]


def test_a_folder_this_run_did_not_create_is_kept(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with pytest.raises(SystemExit) as info:
        cli.run_entry_point(fail_with(KeyboardInterrupt()))
    assert info.value.code == 130 and run_dir.is_dir()
