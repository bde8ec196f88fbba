"""GET /metrics: Prometheus text, request latency by route, guarded by loopback or token."""

from __future__ import annotations

import msgspec
import pytest

from kernel import metrics
from kernel.settings import get_settings


def _sample(text: str, prefix: str) -> float:
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{prefix} missing from:\n{text}")


async def test_metrics_reports_route_latency_and_domain_counters(client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert (await client.get("/health")).status_code == 200
    metrics.intent_refused("STATE_CHANGED")
    metrics.push_outcome("gone")
    metrics.pending_reported(12, oldest_age_seconds=4000)

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    count = _sample(text, 'nomade_http_request_duration_seconds_count'
                          '{method="GET",route="/health",status="2xx"}')
    assert count >= 3
    assert _sample(text, 'nomade_sync_intents_refused_total{code="STATE_CHANGED"}') >= 1
    assert _sample(text, 'nomade_push_deliveries_total{status="gone"}') >= 1
    assert _sample(text, 'nomade_sync_client_pending_intents_bucket{le="25.0"}') >= 1
    assert _sample(text, 'nomade_sync_client_oldest_pending_seconds_bucket{le="21600.0"}') >= 1
    for queue in ("default", "ocr"):  # each queue's backlog apart: OCR never hides pushes
        assert _sample(text, f'nomade_job_queue_depth{{queue="{queue}"}}') >= 0


async def test_errors_are_timed_with_their_status(client) -> None:  # type: ignore[no-untyped-def]
    timed = ("nomade_http_request_duration_seconds_count",
             {"method": "GET", "route": "/metrics", "status": "4xx"})
    before = metrics.sample_value(*timed)
    response = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    after = metrics.sample_value(*timed)
    assert after == before + 1


async def test_token_is_required_when_configured(client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    settings = msgspec.structs.replace(get_settings(), metrics_token="scrape-me-" + "k" * 30)
    monkeypatch.setattr(metrics, "get_settings", lambda: settings)
    assert (await client.get("/metrics")).status_code == 403
    wrong = await client.get("/metrics", headers={"Authorization": "Metrics nope"})
    assert wrong.status_code == 403
    right = await client.get(
        "/metrics",
        headers={"Authorization": f"Metrics {settings.metrics_token}", "X-Real-IP": "198.51.100.4"},
    )
    assert right.status_code == 200
    assert "nomade_http_requests_in_flight" in right.text


async def test_ready_turns_503_while_the_process_stops(client) -> None:  # type: ignore[no-untyped-def]
    from kernel import lifecycle

    assert (await client.get("/ready")).status_code == 200
    lifecycle.begin_shutdown()
    try:
        stopping = await client.get("/ready")
        assert stopping.status_code == 503
        assert stopping.headers["retry-after"] == "1"
        assert (await client.get("/health")).status_code == 200
    finally:
        lifecycle.reset()
    assert (await client.get("/ready")).status_code == 200
