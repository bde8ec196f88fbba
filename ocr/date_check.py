"""A second look at the date's line when the first engine's reading is accepted.

Tesseract misreads a digit of a date with full confidence ("2015" for "2017", "08" for "03"),
the sums cannot catch it, and an accepted reading never reached RapidOCR, which reads digits
better. The date's line is cut out as a strip and read again by RapidOCR's recogniser alone (as
the header's lines are, see :mod:`ocr.merchant_check`). When the strip holds the same date it
is confirmed; when it holds a date one digit away (the same date, a digit misread), the second
engine's digit wins. Another date, or a weak second reading, leaves the first date standing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ocr.engine import OcrLine
from ocr.parsing import find_dates
from ocr.strips import MIN_STRIP_CONFIDENCE, ReadStrips, crop_strip

__all__ = ("one_digit_misread", "reread_date")


def one_digit_misread(first: str, second: str) -> bool:
    """Two ISO dates that differ by one digit ("2017-09-27" / "2015-09-27")."""
    return len(first) == len(second) and sum(a != b for a, b in zip(first, second,
                                                                     strict=True)) == 1


def reread_date(gray: np.ndarray, lines: Sequence[OcrLine], date: str, line: int,
                read_strips: ReadStrips) -> tuple[str, bool] | None:
    """The date after a second engine read its line again: ``(date, changed)``, or ``None``
    when the second reading neither confirms nor corrects it."""
    if not 0 <= line < len(lines):
        return None
    strip = crop_strip(gray, lines[line])
    if strip.size == 0:
        return None
    read = read_strips([strip])
    if len(read) != 1 or read[0][1] < MIN_STRIP_CONFIDENCE:
        return None
    found = [value.isoformat() for value, _ in find_dates(read[0][0])]
    if date in found:
        return date, False
    close = [value for value in found if one_digit_misread(date, value)]
    return (close[0], True) if len(close) == 1 else None
