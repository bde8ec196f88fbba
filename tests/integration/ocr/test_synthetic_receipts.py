"""A few rendered French receipt photos read end to end (the full measure is the benchmark)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.synthetic_receipts import render_receipt
from ocr.evaluation import truth_date, truth_total
from ocr.isolation import OcrWorker
from tests.unit.ocr.samples import encode


@pytest.fixture(scope="module")
def worker() -> Iterator[OcrWorker]:
    with OcrWorker(time_budget=120.0) as w:
        yield w


def test_renderer_is_deterministic() -> None:
    a, truth_a = render_receipt(7)
    b, truth_b = render_receipt(7)
    assert truth_a == truth_b
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("seed", [0, 6, 12, 18])  # meal, hotel, SNCF, taxi; clean to crumpled
def test_photographed_receipt_fields(worker: OcrWorker, seed: int) -> None:
    photo, truth = render_receipt(seed)
    reading = worker.read(encode(photo), timeout=150.0)
    assert reading.status == "read", reading.code
    assert reading.fields.total_cents == truth_total(str(truth["total"]))
    assert reading.fields.date == truth_date(str(truth["date"]))
    assert reading.fields.currency == "EUR"
    assert reading.fields.category == truth["category"]
    assert reading.rule_version and reading.raw_text and reading.candidates
    if reading.auto_accept:
        assert all(c.ok is not False for c in reading.checks)
