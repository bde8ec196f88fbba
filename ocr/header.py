"""Large header print that the page pass dropped, read again on its own.

Tesseract's block mode (psm 6) expects one text size: a shop name printed two or three times
higher than the body is often dropped whole, and the header then starts at the address. Rows of
the top of the receipt that hold ink taller than the body text but no recognised line are cut
out as a band and read alone, where they are the block's only size.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr import engine
from ocr.engine import OcrLine, OcrText
from ocr.errors import OcrError

__all__ = ("HEADER_SHARE", "lost_bands", "reread_header")

#: Share of the receipt's height searched for dropped print (the header).
HEADER_SHARE = 0.35
#: A dropped band is at least this many times the body's line height (large print)...
MIN_BAND_LINES = 1.4
#: ...and rows count as ink when this share of their pixels is dark.
INK_ROW_SHARE = 0.01
MAX_BANDS = 1
#: Lines read again are kept when confident, as the engine counts confident words.
CONFIDENT = 70


def _ink_rows(gray: np.ndarray) -> np.ndarray:
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                cv2.THRESH_BINARY_INV, 31, 20)
    return np.asarray((ink > 0).mean(axis=1) >= INK_ROW_SHARE)


def lost_bands(gray: np.ndarray, lines: list[OcrLine]) -> list[tuple[int, int]]:
    """Row ranges ``(top, bottom)`` of the header with tall ink and no line read there."""
    if not lines:
        return []
    h = gray.shape[0]
    limit = int(h * HEADER_SHARE)
    body = float(np.median([line.height for line in lines]))
    rows = _ink_rows(gray[:limit])
    for line in lines:
        if line.confidence >= 30 and line.top < limit:
            rows[max(0, line.top - 1): line.top + line.height + 1] = False
    bands: list[tuple[int, int]] = []
    start, gap = -1, 0
    for y, ink in enumerate([*rows.tolist(), False]):
        if ink:
            start, gap = (y if start < 0 else start), 0
            continue
        gap += 1
        if start >= 0 and (gap > body or y == limit):
            end = y - gap + 1
            if end - start >= MIN_BAND_LINES * body:
                bands.append((start, end))
            start = -1
    bands.sort(key=lambda band: band[0] - band[1])  # tallest first
    return sorted(bands[:MAX_BANDS])


def _already_read(lines: list[OcrLine], row: int) -> bool:
    return any(line.confidence >= 30 and line.top <= row <= line.top + line.height
               for line in lines)


def reread_header(gray: np.ndarray, text: OcrText, timeout: float) -> tuple[OcrText, bool]:
    """``text`` with the lines of dropped header bands read again and put in their place. The
    re-read is a bonus: when it fails or times out, the page pass stands alone."""
    added: list[OcrLine] = []
    for top, bottom in lost_bands(gray, text.lines):
        pad = max(4, (bottom - top) // 4)
        y0 = max(0, top - pad)
        try:
            band = engine.recognise(gray[y0: bottom + pad], timeout=timeout)
        except OcrError:
            return text, False
        added.extend(OcrLine(line.text, line.confidence, line.top + y0, line.height)
                     for line in band.lines if line.confidence >= CONFIDENT
                     and not _already_read(text.lines, line.top + y0 + line.height // 2))
    if not added:
        return text, False
    lines = sorted([*text.lines, *added], key=lambda line: line.top)
    return OcrText(lines, text.word_count, text.confident_words, text.mean_confidence), True
