"""How many CPUs this process may use: the data-loading worker counts are capped by it."""
import os


def available_cpus():
    """CPUs this process may run on (its affinity mask, e.g. a cluster job's share), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity API (macOS, Windows)
        return os.cpu_count() or 1


def worker_count(requested):
    """``requested`` loader worker processes, but no more than the CPUs available (PyTorch warns beyond)."""
    return min(requested, available_cpus())
