"""A second look at the header when the first engine's reading is accepted.

Tesseract misreads letters of a shop name with full confidence ("SANYO" for "SANYU", "Yen
Fresh" for "Yam Fresh", "D.1.¥." for "D.I.Y."), and an accepted reading never reached RapidOCR.
The header lines that may hold the name are cut out as strips and read again by RapidOCR's
recogniser alone (no detection: a few strips cost a small share of a page), and the name is
chosen again on the header so read (see :func:`reread_merchant`). The second engine's letters
win on the line the name was read from (it reads shop names better), with the first reading's
word spacing and case; another line wins only by a clear margin; a weak second reading leaves
the first name standing. A weak first name (often the line under a large shop name the first
engine lost) has the second engine read the whole header band, detection included: a few
receipts in a hundred pay for a band instead of strips.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

import numpy as np

from ocr.engine import OcrLine, OcrText
from ocr.extract import Line
from ocr.merchant import HEADER_LINES, merchant_candidates
from ocr.parsing import normalise_merchant
from ocr.schemas import Candidate
from ocr.strips import MIN_STRIP_CONFIDENCE, ReadStrips, crop_strip

__all__ = ("MERCHANT_MARGIN", "WEAK_NAME", "beats", "header_band", "read_weak_name",
           "reread_merchant", "same_name_misread", "with_spacing")

#: How much more a name on another line must score to replace the one chosen first (the same
#: rule settles two engines' different names, see :mod:`ocr.merge`).
MERCHANT_MARGIN = 1.0
#: Lines read again from a name's first line when it was joined over lines.
JOINED_LINES = 3
#: Lines of the next best names read again too (each strip costs recognition time)...
OTHER_NAMES = 3
#: ... unless the chosen name scored this much (a legal form, a registration number after it):
#: another line rarely beats such a name by the margin.
SURE_NAME = 4.5
#: A name scoring below this (no legal form or registration number, not a shop's usual words)
#: is often a line under a header the first engine lost ('CASH' under a large shop name): the
#: second engine reads the whole header band, detection included (see :func:`read_weak_name`).
WEAK_NAME = 3.2
#: The header band read again ends under the header's lines, at most this share of the page.
BAND_SHARE = 0.4


def beats(challenger: float, standing: float | None) -> bool:
    """A different name scoring ``challenger`` replaces one that scored ``standing`` (on its
    own lines; ``None``: not a scored name): by :data:`MERCHANT_MARGIN` at least."""
    return standing is None or challenger >= standing + MERCHANT_MARGIN


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (names are short)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def same_name_misread(first: str, second: str) -> bool:
    """``second`` is ``first`` with a letter or two misread (letters and digits compared;
    case, accents, spaces and punctuation aside): at most one edit in a short name, two from
    12 characters on, and no letter fewer (the second engine collapses doubled letters,
    "SEAFOOD" → "SEAFOD"). Identical readings are not a misread."""
    a, b = normalise_merchant(first), normalise_merchant(second)
    if not a or not b or a == b or len(b) < len(a):
        return False
    return _distance(a, b) <= (2 if len(a) >= 12 else 1)


def with_spacing(first: str, second: str) -> str:
    """``second``'s characters with ``first``'s word breaks where ``second`` ran words together
    ("SANYUSTATIONERYSHOP" after "SANYO STATIONERY SHOP" → "SANYU STATIONERY SHOP"), in
    capitals when ``first`` was."""
    text = second
    if len(second.split()) < len(first.split()):
        a, b = first.replace(" ", ""), second.replace(" ", "")
        starts: set[int] = set()  # indexes in ``a`` where a word begins
        at = 0
        for word in first.split():
            starts.add(at)
            at += len(word)
        breaks: set[int] = set()
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            None, a, b, autojunk=False
        ).get_opcodes():
            if tag in ("equal", "replace") and i2 - i1 == j2 - j1:
                breaks.update(j1 + k for k in range(i2 - i1) if i1 + k in starts)
            elif i1 in starts:  # a letter added at a word's end stays with that word
                breaks.add(j2 if tag == "insert" else j1)
        text = "".join((" " if k in breaks and k else "") + c for k, c in enumerate(b))
    if first.isupper() and not text.isupper():
        text = text.upper()
    return text


def _lines_to_read(chosen: Candidate, candidates: Sequence[Candidate], count: int) -> list[int]:
    """The header lines worth a second reading: the chosen name's (three from its first when
    it was joined over lines) and, unless it looks sure, those of the next best names."""
    span = 1 if chosen.reason == "top line" else JOINED_LINES
    wanted = set(range(chosen.line, chosen.line + span))
    if chosen.score < SURE_NAME:
        others = [c for c in candidates if c.field == "merchant" and c.line != chosen.line]
        wanted.update(c.line for c in sorted(others, key=lambda c: -c.score)[:OTHER_NAMES])
    return sorted(i for i in wanted if 0 <= i < count)


def reread_merchant(
    gray: np.ndarray,
    lines: Sequence[OcrLine],
    chosen: Candidate,
    read_strips: ReadStrips,
    candidates: Sequence[Candidate] = (),
) -> tuple[str, bool] | None:
    """The merchant after a second engine read the header's lines again: ``(name, changed)``,
    or ``None`` when the second reading neither confirms nor corrects the ``chosen`` one.

    The name is chosen again on the header as the second engine read it: the chosen name's
    lines and, below :data:`SURE_NAME`, those of the next :data:`OTHER_NAMES` best names are
    read again, each confident strip replacing its line. A name on another line wins when it
    scores :data:`MERCHANT_MARGIN` more than the first did on its own lines. On the name's own
    line, the same name is confirmed; a name a letter or two away, or read differently and no
    longer (a strip can catch a neighbour's ink), is the second engine's; a name with a doubled
    character read once (it collapses repeated ones: "9 SPEED MART") leaves the first
    standing."""
    count = min(len(lines), HEADER_LINES)
    strips = {i: crop_strip(gray, lines[i]) for i in _lines_to_read(chosen, candidates, count)}
    inked = [i for i, strip in strips.items() if strip.size]
    read = read_strips([strips[i] for i in inked])
    if not inked or len(read) != len(inked):
        return None
    patched = [Line(line.text, line.confidence) for line in lines[:count]]
    for i, (text, confidence) in zip(inked, read, strict=True):
        text = " ".join(text.replace("_", " ").split())  # RapidOCR marks some gaps with _
        if confidence >= MIN_STRIP_CONFIDENCE and text:
            patched[i] = Line(with_spacing(lines[i].text, text), confidence)
    found = merchant_candidates(patched)
    first = normalise_merchant(chosen.value)
    if found and found[0].line != chosen.line and normalise_merchant(found[0].value) != first \
            and beats(found[0].score, chosen.score):
        return found[0].value, True
    again = next((c for c in found if c.line == chosen.line), None)
    if again is None:
        return None
    second = normalise_merchant(again.value)
    if second == first:
        return chosen.value, False
    if same_name_misread(chosen.value, again.value):
        return with_spacing(chosen.value, again.value), True
    if len(second) <= len(first) + 1 and not _collapsed(second, first):
        return again.value, True
    return None


def _collapsed(short: str, long: str) -> bool:
    """``short`` is ``long`` with a doubled character read once ("9 SPEED MART" for "99 SPEED
    MART"): the second engine collapses repeated characters."""
    return any(long[i] == long[i + 1] and long[:i] + long[i + 1:] == short
               for i in range(len(long) - 1))


def header_band(gray: np.ndarray, lines: Sequence[OcrLine]) -> np.ndarray:
    """The top of the page down to under the header's lines (at most :data:`BAND_SHARE`)."""
    header = lines[:HEADER_LINES]
    bottom = max((line.top + line.height + line.height // 2 for line in header), default=0)
    return gray[: min(int(gray.shape[0] * BAND_SHARE), bottom)]


def read_weak_name(
    gray: np.ndarray,
    lines: Sequence[OcrLine],
    chosen: Candidate,
    recognise: Callable[[np.ndarray], OcrText],
) -> tuple[str, bool] | None:
    """The merchant after the second engine read the whole header band, when the ``chosen``
    name is weak (below :data:`WEAK_NAME`): ``(name, changed)``, the band's best name when it
    scores at least as well as the chosen one did, or ``None`` (a sure name, or nothing
    better in the band). A band name holding the chosen one whole ('POSTED FIVE STAR CASH &
    CARRY': a stamp beside the name) confirms it."""
    if chosen.score >= WEAK_NAME:
        return None
    band = header_band(gray, lines)
    if not band.size:
        return None
    found = merchant_candidates([Line(line.text, line.confidence)
                                 for line in recognise(band).lines])
    if not found or found[0].score < chosen.score:
        return None
    band_name, name = normalise_merchant(found[0].value), normalise_merchant(chosen.value)
    if band_name == name or (name and name in band_name):  # the band joined a stamp's ink
        return chosen.value, False
    return found[0].value, True
