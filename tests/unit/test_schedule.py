"""Housekeeping jobs fall due once per period, whatever the number of ticks or processes."""

from __future__ import annotations

from kernel.schedule import due_keys

PERIODIC = (("sync.collect_blobs", 3600.0), ("sync.purge_tombstones", 21600.0))


def test_each_job_is_due_once_per_period() -> None:
    last: dict[str, int] = {}
    first = due_keys(PERIODIC, 7200.0, last)
    assert [name for name, _ in first] == ["sync.collect_blobs", "sync.purge_tombstones"]
    assert due_keys(PERIODIC, 7200.0 + 1800, last) == []
    later = due_keys(PERIODIC, 7200.0 + 3600, last)
    assert later == [("sync.collect_blobs", "sync.collect_blobs:3")]


def test_two_processes_agree_on_the_key_so_the_queue_dedupes() -> None:
    one, two = due_keys(PERIODIC, 50_000.0, {}), due_keys(PERIODIC, 50_010.0, {})
    assert one == two
