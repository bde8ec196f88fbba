"""Strips: one printed line cut out of the page, for a second engine's recogniser to read again
(the second look at an accepted reading's merchant and date, :mod:`ocr.merchant_check` and
:mod:`ocr.date_check`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ocr.engine import OcrLine

__all__ = ("INK_LEVEL", "MIN_CONTRAST", "MIN_STRIP_CONFIDENCE", "ReadStrips", "crop_strip")

#: A strip read below this confidence (0-100) does not overrule the first engine.
MIN_STRIP_CONFIDENCE = 80.0
#: Pixels darker than this are ink in any case (0 black, 255 white).
INK_LEVEL = 128.0
#: Grey levels between print and paper below which a strip holds no ink.
MIN_CONTRAST = 40.0
#: A recogniser of strips: ``(text, confidence 0-100)`` per strip (``ocr.rapid.read_strips``).
ReadStrips = Callable[[list[np.ndarray]], list[tuple[str, float]]]


def crop_strip(gray: np.ndarray, line: OcrLine) -> np.ndarray:
    """The rows of ``line`` (with a margin), cut to the columns that hold ink: pixels darker
    than mid-grey or, when the print is faded (grey thermal print has too few pixels that
    dark: the strip was cut to a speck), than halfway between print and paper."""
    pad = max(3, line.height // 3)
    strip = gray[max(0, line.top - pad) : line.top + line.height + pad]
    if strip.size == 0:
        return strip
    dark = strip < INK_LEVEL
    if np.count_nonzero(dark.any(axis=0)) < strip.shape[0]:  # not a line's width of ink
        print_level, paper = float(np.percentile(strip, 1)), float(np.median(strip))
        dark = strip < (print_level + paper) / 2 if paper - print_level >= MIN_CONTRAST \
            else np.zeros_like(dark)
    ink = np.flatnonzero(dark.any(axis=0))
    if ink.size:
        margin = max(4, line.height)
        strip = strip[:, max(0, int(ink[0]) - margin) : int(ink[-1]) + margin + 1]
    return strip
