"""The date's second look decides on the second engine's reading of the date's line."""

from __future__ import annotations

import numpy as np

from ocr.date_check import one_digit_misread, reread_date
from ocr.engine import OcrLine

PAGE = np.full((120, 600), 255, dtype=np.uint8)
PAGE[40:60, 50:500] = 0  # the date's line, as ink
LINES = [OcrLine("Date: 27/09/2015", 95.0, 40, 20)]


def reading(text: str, confidence: float = 97.0):  # type: ignore[no-untyped-def]
    return lambda strips: [(text, confidence) for _ in strips]


def test_one_digit_apart_is_a_misread_more_is_another_date() -> None:
    assert one_digit_misread("2017-09-27", "2015-09-27")
    assert not one_digit_misread("2017-09-27", "2017-09-27")
    assert not one_digit_misread("2017-09-27", "2017-03-12")


def test_the_second_reading_corrects_confirms_or_leaves_the_date() -> None:
    assert reread_date(PAGE, LINES, "2015-09-27", 0, reading("Date:27/09/2017")) == (
        "2017-09-27", True)
    assert reread_date(PAGE, LINES, "2015-09-27", 0, reading("Date: 27/09/2015")) == (
        "2015-09-27", False)
    assert reread_date(PAGE, LINES, "2015-09-27", 0, reading("Date: 12/03/2016")) is None
    assert reread_date(PAGE, LINES, "2015-09-27", 0, reading("Date: 27/09/2017", 40.0)) is None
    assert reread_date(PAGE, LINES, "2015-09-27", 5, reading("27/09/2017")) is None
