"""The directory where the processes of one machine keep their Prometheus figures.

prometheus_client's multiprocess mode writes one file per process and kind of metric, named
``<kind>_<pid>.db`` (``counter_812.db``, ``gauge_livesum_812.db``...). Counters of a process that
ended stay in the sum (a counter never goes down while the machine's processes run); its live
gauges (requests in flight) leave it. When no process of the previous run is alive any more, the
first process to start empties the directory: figures start again from zero, as after a restart.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from prometheus_client.multiprocess import mark_process_dead

__all__ = ("forget_dead_processes", "mark_dead", "prepare")


def _pid_of(file: Path) -> int | None:
    tail = file.stem.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a file of our pid before we wrote any: left by an older process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, under another user
    return True


def _owners(directory: Path) -> dict[int, list[Path]]:
    owners: dict[int, list[Path]] = {}
    for file in directory.glob("*.db"):
        pid = _pid_of(file)
        if pid is not None:
            owners.setdefault(pid, []).append(file)
    return owners


def prepare(directory: Path) -> None:
    """Create ``directory``; empty it when none of the processes that wrote there is alive
    (the machine's processes restarted), else only forget the dead ones' live gauges. Called
    by each process before its first metric."""
    directory.mkdir(parents=True, exist_ok=True)
    owners = _owners(directory)
    stale = owners.get(os.getpid(), [])  # an older process of the same pid: not ours
    if any(_alive(pid) for pid in owners):
        forget_dead_processes(directory)
    else:
        stale = [file for files in owners.values() for file in files]
    for file in stale:
        with contextlib.suppress(FileNotFoundError):  # another process emptied it first
            file.unlink()


def forget_dead_processes(directory: Path) -> None:
    """Take the live gauges of processes that died without saying so (killed) out of the sum."""
    for pid, files in _owners(directory).items():
        live_gauges = any(f.name.startswith("gauge_live") for f in files)
        if live_gauges and pid != os.getpid() and not _alive(pid):
            mark_dead(directory, pid)


def mark_dead(directory: Path, pid: int) -> None:
    """Process ``pid`` ended: its live gauges leave the sum (its counters stay)."""
    with contextlib.suppress(FileNotFoundError):
        mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
