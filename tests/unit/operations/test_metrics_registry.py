"""The metrics registry renders Prometheus' text exposition format correctly."""

from __future__ import annotations

import pytest

from backend.metrics import Registry


async def test_counters_gauges_and_histograms_render_in_exposition_format() -> None:
    registry = Registry()
    refused = registry.counter("t_refused_total", "Refused intents.", ("code",))
    depth = registry.gauge("t_depth", "Depth.")
    latency = registry.histogram("t_seconds", "Latency.", ("route",), buckets=(0.1, 0.3, 1.0))
    refused.inc(code="STATE_CHANGED")
    refused.inc(code="STATE_CHANGED")
    refused.inc(code='we"ird\n')
    depth.set(7)
    for value in (0.05, 0.2, 0.25, 2.0):
        latency.observe(value, route="/sync/v1/push")

    text = await registry.render()
    lines = text.splitlines()
    assert "# TYPE t_refused_total counter" in lines
    assert 't_refused_total{code="STATE_CHANGED"} 2' in lines
    assert 't_refused_total{code="we\\"ird\\n"} 1' in lines
    assert "t_depth 7" in lines
    assert 't_seconds_bucket{route="/sync/v1/push",le="0.1"} 1' in lines
    assert 't_seconds_bucket{route="/sync/v1/push",le="0.3"} 3' in lines
    assert 't_seconds_bucket{route="/sync/v1/push",le="1"} 3' in lines
    assert 't_seconds_bucket{route="/sync/v1/push",le="+Inf"} 4' in lines
    assert 't_seconds_count{route="/sync/v1/push"} 4' in lines
    assert any(line.startswith('t_seconds_sum{route="/sync/v1/push"} 2.5') for line in lines)
    assert text.endswith("\n")


async def test_collectors_run_before_each_scrape() -> None:
    registry = Registry()
    gauge = registry.gauge("t_queue", "Queue.")
    calls = []

    async def collect() -> None:
        calls.append(1)
        gauge.set(len(calls))

    registry.on_collect(collect)
    assert "t_queue 1" in (await registry.render()).splitlines()
    assert "t_queue 2" in (await registry.render()).splitlines()


def test_wrong_labels_and_negative_counts_are_refused() -> None:
    registry = Registry()
    counter = registry.counter("t_total", "T.", ("status",))
    with pytest.raises(ValueError, match="takes labels"):
        counter.inc(code="x")
    with pytest.raises(ValueError, match="only goes up"):
        counter.inc(-1, status="sent")
    with pytest.raises(ValueError, match="twice"):
        registry.counter("t_total", "again")
