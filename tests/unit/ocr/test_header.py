"""Large header print dropped by the page pass is found as a band (drawn images, no OCR)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr import engine
from ocr.engine import OcrLine, OcrText
from ocr.errors import OcrError
from ocr.header import lost_bands, reread_header


def page(big_rows: tuple[int, int] | None) -> tuple[np.ndarray, list[OcrLine]]:
    """A white receipt, 1200 px high: body lines 16 px high every 30 px from y=200."""
    gray = np.full((1200, 500), 255, dtype=np.uint8)
    lines = []
    for top in range(200, 1150, 30):
        cv2.putText(gray, "LIGNE 12,50", (20, top + 14), cv2.FONT_HERSHEY_SIMPLEX, 0.55, 0, 2)
        lines.append(OcrLine("LIGNE 12,50", 90.0, top, 16))
    if big_rows is not None:
        top, bottom = big_rows
        cv2.putText(gray, "BRASSERIE", (20, bottom), cv2.FONT_HERSHEY_SIMPLEX,
                    (bottom - top) / 22, 0, 4)
    return gray, lines


def test_a_tall_name_without_a_line_read_is_a_lost_band() -> None:
    gray, lines = page((60, 130))
    bands = lost_bands(gray, lines)
    assert len(bands) == 1
    top, bottom = bands[0]
    assert 50 <= top <= 70 and 120 <= bottom <= 145


def test_nothing_is_lost_when_every_printed_row_was_read() -> None:
    gray, lines = page(None)
    assert lost_bands(gray, lines) == []
    gray, lines = page((60, 130))
    lines.append(OcrLine("BRASSERIE", 92.0, 60, 72))
    assert lost_bands(gray, lines) == []


def test_a_failed_re_read_leaves_the_page_pass_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def timeout(gray: np.ndarray, timeout: float) -> OcrText:
        raise OcrError("OCR_TIMEOUT", {"seconds": timeout})

    monkeypatch.setattr(engine, "recognise", timeout)
    gray, lines = page((60, 130))
    text = OcrText(lines, len(lines), len(lines), 90.0)
    assert reread_header(gray, text, 5.0) == (text, False)
