"""Dates OCR damaged, re-read only where a date is expected: beside a time or a date label.

Every repair follows from the calendar or from how print is misread, not from any receipt set:
- a separator dropped ('2109/2017') or read as a thin digit, 1 or 7 ('17/04/2018' → '1770472018');
- a year outside the 2000s by its century digit ('2617' → 2017): a receipt is printed in 20xx;
- a day or month that cannot be: its 8s read as 0s (faint thermal print), else its leading
  digit read for a 0 ('27/67' → 27/07: a month starts with 0 or 1, a day with 0 to 3);
- a month name misread by one letter ('24 Mer 2018' → March), when only one month is that close.
"""

from __future__ import annotations

import datetime as dt
import re

from ocr.parsing import MAX_YEAR, MIN_YEAR, MONTHS, find_dates, fold, make_date

__all__ = ("find_misread_dates",)

#: A numeric date that lost one separator ('2109/2017'), the other one kept.
_ONE_SEPARATOR = (
    re.compile(r"(?<![\d/.-])(\d{2})(\d{2})[/.-](\d{4}|\d{2})(?![\d/.-])"),
    re.compile(r"(?<![\d/.-])(\d{2})[/.-](\d{2})(\d{4})(?![\d/.-])"),
)
#: Separators read as a 1 or a 7 (at least one of them, else it is a clean date).
_DIGIT_SEPARATOR = re.compile(
    r"(?<![\d/.-])(\d{2})([/.-]|[17])(\d{2})([/.-]|[17])(20\d{2})(?![\d/.-])"
)
_SHAPED = re.compile(r"(?<!\d)(\d{2})([/.-])(\d{2})\2(\d{4}|\d{2})(?!\d)")
_TEXT_MONTH = re.compile(r"(?<!\d)(\d{1,2})[\s./-]+([A-Z]{3})\.?[\s./-]+(20\d{2})(?!\d)")
_ABBREVIATIONS = {name: number for name, number in MONTHS.items() if len(name) == 3}
_CONTEXT = re.compile(r"\d{1,2}:\d{2}|\bDATE\b|\bLE\b")
#: Thermal and dot-matrix prints: a faint 0 is read as 8.
_EIGHT_AS_ZERO = str.maketrans("8", "0")


def _field(digits: str, highest: int) -> int:
    """A day (highest 31) or month (12) that cannot be: 8s as 0s, else its leading digit a 0."""
    if 1 <= int(digits) <= highest:
        return int(digits)
    repaired = digits.translate(_EIGHT_AS_ZERO)
    if 1 <= int(repaired) <= highest:
        return int(repaired)
    if len(digits) == 2 and int(digits[0]) > highest // 10:
        return int(digits[1])  # '67' as a month: no month starts with 6
    return 0


def _year(digits: str) -> int:
    """A 4-digit year outside the range: century digit restored ('2617'), else 8s as 0s."""
    if len(digits) != 4 or MIN_YEAR <= int(digits) <= MAX_YEAR:
        return int(digits)
    if digits[0] == "2" and digits[1] != "0":
        digits = "20" + digits[2:]
        if MIN_YEAR <= int(digits) <= MAX_YEAR:
            return int(digits)
    return int(digits.translate(_EIGHT_AS_ZERO))


def _month_name(word: str) -> int | None:
    """The month whose 3-letter abbreviation differs from ``word`` by one letter, if only one."""
    close = {number for name, number in _ABBREVIATIONS.items()
             if sum(a != b for a, b in zip(name, word, strict=True)) <= 1}
    return close.pop() if len(close) == 1 else None


def find_misread_dates(line: str) -> list[tuple[dt.date, str]]:
    """Dates OCR damaged, for a line where :func:`~ocr.parsing.find_dates` finds none. A time
    (hh:mm) or a date label must stand on the same line, so phone and reference numbers stay
    out."""
    folded = fold(line)
    if find_dates(line) or not _CONTEXT.search(folded):
        return []
    out: list[tuple[dt.date, str]] = []
    for pattern in _ONE_SEPARATOR:
        for m in pattern.finditer(folded):
            d = make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if d:
                out.append((d, m.group(0)))
    for m in _DIGIT_SEPARATOR.finditer(folded):
        if m.group(2).isdigit() or m.group(4).isdigit():
            d = make_date(int(m.group(5)), int(m.group(3)), int(m.group(1)))
            if d:
                out.append((d, m.group(0)))
    for m in _SHAPED.finditer(folded):
        d = make_date(_year(m.group(4)), _field(m.group(3), 12), _field(m.group(1), 31))
        if d:
            out.append((d, m.group(0)))
    for m in _TEXT_MONTH.finditer(folded):
        month = _month_name(m.group(2))
        d = make_date(_year(m.group(3)), month, int(m.group(1))) if month else None
        if d:
            out.append((d, m.group(0)))
    return out
