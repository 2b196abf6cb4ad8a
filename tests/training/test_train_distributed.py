"""util.distributed: safe without a process group, and correct with two Gloo processes."""
import json
import socket
from collections import OrderedDict

import pytest
import torch.multiprocessing as mp

from util import distributed as dist


def test_single_process_helpers_need_no_initialisation(capsys, monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    dist.init_from_env()  # one process: no group is created
    assert not dist.is_initialized()
    assert (dist.get_rank(), dist.get_world_size(), dist.is_main_process()) == (0, 1, True)
    dist.barrier()
    means = dist.all_reduce_mean({"a": 1, "b": 2.5})
    assert means == OrderedDict([("a", 1.0), ("b", 2.5)]) and isinstance(means, OrderedDict)
    assert dist.any_rank(True) and not dist.any_rank(False)
    dist.print0("hello")
    assert capsys.readouterr().out == "hello\n"


def _worker(rank, port, out_dir):
    import os
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    dist.init_from_env(backend="gloo")  # CPU tensors: runs with or without GPUs
    result = {
        "rank": dist.get_rank(), "world": dist.get_world_size(), "main": dist.is_main_process(),
        "means": dist.all_reduce_mean(OrderedDict([("loss", float(rank)), ("other", 2.0 * rank + 1)])),
        "any_one": dist.any_rank(rank == 1), "any_none": dist.any_rank(False),
    }
    dist.barrier()
    with open(os.path.join(out_dir, f"{rank}.json"), "w") as handle:
        json.dump(result, handle)
    import torch.distributed
    torch.distributed.destroy_process_group()


@pytest.mark.slow
def test_two_process_reductions(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mp.spawn(_worker, args=(port, str(tmp_path)), nprocs=2, join=True)
    for rank in range(2):
        result = json.loads((tmp_path / f"{rank}.json").read_text())
        assert (result["rank"], result["world"], result["main"]) == (rank, 2, rank == 0)
        assert result["means"] == {"loss": 0.5, "other": 2.0}
        assert result["any_one"] is True and result["any_none"] is False
