"""Low-level readers of OCR text: amounts, dates, rates, SIRET (pure, no I/O).

Dates OCR damaged are re-read in :mod:`ocr.damaged_dates`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal

__all__ = (
    "MAX_YEAR",
    "MIN_YEAR",
    "MONTHS",
    "amount_spans",
    "find_amounts",
    "find_dates",
    "find_rates",
    "fold",
    "luhn_ok",
    "make_date",
    "normalise_merchant",
    "parse_amount",
    "parse_date",
    "plain_cents",
)

_AMOUNT = re.compile(
    r"(?<![\d.,/:])(-\s?)?"
    r"(\d{1,3}(?:[ .\u202f]\d{3})+(?=,)|\d{1,3}(?:[ ,\u202f]\d{3})+(?=\.)|\d{1,7})"
    r"\s?[.,]\s?(\d{2})(?![\d%]|[.,/:]\d)"
)
_DIGITISH = re.compile(r"(?<=[\d.,])[Oo](?=[\d.,\s]|$)|(?<=\d)[Oo]|[Oo](?=[.,]\d)")


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Upper case without accents (É → E), for keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _digit_fix(line: str) -> str:
    return _DIGITISH.sub("0", line)


def parse_amount(text: str) -> int | None:
    """'12,50' / '1 234.56' / 'RM9.00' → cents; None when there is no amount."""
    found = find_amounts(text)
    return found[-1] if found else None


def amount_spans(line: str) -> list[tuple[int, int, int]]:
    """Money amounts of a line as ``(start, end, cents)``, left to right."""
    out: list[tuple[int, int, int]] = []
    for match in _AMOUNT.finditer(_digit_fix(line)):
        units = re.sub(r"[ .,\u202f]", "", match.group(2))
        cents = int(units) * 100 + int(match.group(3))
        out.append((match.start(), match.end(), -cents if match.group(1) else cents))
    return out


def find_amounts(line: str) -> list[int]:
    """All money amounts of a line, in cents, left to right (decimal comma or point)."""
    return [cents for _, _, cents in amount_spans(line)]


_PLAIN = re.compile(r"(?<![\w.,:/%-])(\d{3,6})(?![\w.,:/%-])")


def plain_cents(line: str) -> list[int]:
    """Numbers of 3 to 6 digits whose decimal mark OCR dropped, read as cents ('308' → 308).

    Only meaningful on a line labelled as money (tax, rounding, change) with no proper amount;
    callers use these as terms of the receipt's own sums, never as a total by themselves.
    """
    return [int(m.group(1)) for m in _PLAIN.finditer(_digit_fix(line))]


MONTHS = {
    "JAN": 1, "JANV": 1, "JANVIER": 1, "JANUARY": 1,
    "FEB": 2, "FEV": 2, "FEVR": 2, "FEVRIER": 2, "FEBRUARY": 2,
    "MAR": 3, "MARS": 3, "MARCH": 3,
    "APR": 4, "AVR": 4, "AVRIL": 4, "APRIL": 4,
    "MAY": 5, "MAI": 5,
    "JUN": 6, "JUIN": 6, "JUNE": 6,
    "JUL": 7, "JUIL": 7, "JUILLET": 7, "JULY": 7,
    "AUG": 8, "AOU": 8, "AOUT": 8, "AUGUST": 8,
    "SEP": 9, "SEPT": 9, "SEPTEMBRE": 9, "SEPTEMBER": 9,
    "OCT": 10, "OCTOBRE": 10, "OCTOBER": 10,
    "NOV": 11, "NOVEMBRE": 11, "NOVEMBER": 11,
    "DEC": 12, "DECEMBRE": 12, "DECEMBER": 12,
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
#: A time glued to the end of a date ("29/12/201711:41": an engine dropped the space).
_GLUED_TIME = r"(?=[0-2]?\d[:H][0-5]\d)"
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s?([/.-])\s?(\d{1,2})\s?\2\s?"
    rf"(\d{{4}}(?!\d)|\d{{2}}(?!\d)|\d{{4}}{_GLUED_TIME})"
)
_ISO_DATE = re.compile(
    rf"(?<!\d)(20\d{{2}})[/.-](\d{{1,2}})[/.-](\d{{2}}{_GLUED_TIME}|\d{{1,2}}(?!\d))"
)
_TEXT_DATE = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:ER)?[\s./-]*({_MONTH_ALT})\.?,?[\s./-]*"
    rf"(\d{{4}}(?!\d)|\d{{2}}(?!\d)|\d{{4}}{_GLUED_TIME})"
)
_TEXT_DATE_US = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(20\d{2})(?!\d)")
#: Year first, digits only ('Date/Time 20180428/191204'): read on a line labelled as the date
#: only (a barcode or an invoice number is eight digits too).
_COMPACT_ISO_DATE = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")

MIN_YEAR, MAX_YEAR = 2000, 2035


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when impossible or outside MIN_YEAR..MAX_YEAR (2-digit years: 20yy)."""
    if year < 100:
        year += 2000
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(line: str) -> list[tuple[dt.date, str]]:
    """Dates in a line (day first, as in France), with the matched text."""
    folded = fold(line)
    out: list[tuple[dt.date, str]] = []
    for m in _ISO_DATE.finditer(folded):
        d = make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            out.append((d, m.group(0)))
    for m in _NUMERIC_DATE.finditer(folded):
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        d = make_date(y, b, a) or (make_date(y, a, b) if b > 12 else None)
        if d:
            out.append((d, m.group(0)))
    for m in _TEXT_DATE.finditer(folded):
        d = make_date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        if d:
            out.append((d, m.group(0)))
    for m in _TEXT_DATE_US.finditer(folded):
        d = make_date(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)))
        if d:
            out.append((d, m.group(0)))
    if not out:
        for m in _COMPACT_DATE.finditer(folded):
            d = make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if d:
                out.append((d, m.group(0)))
    if not out and "DATE" in folded:
        for m in _COMPACT_ISO_DATE.finditer(folded):
            d = make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                out.append((d, m.group(0)))
    return out


def parse_date(text: str) -> dt.date | None:
    """The first date found in ``text``."""
    found = find_dates(text)
    return found[0][0] if found else None


_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def find_rates(line: str) -> list[Decimal]:
    """Percent rates of a line ('5,5 %' → Decimal('5.5'))."""
    return [Decimal(format(Decimal(m.group(1).replace(",", ".")).normalize(), "f"))
            for m in _RATE.finditer(line)]


def luhn_ok(digits: str) -> bool:
    """Luhn check of a SIRET/SIREN (La Poste's SIRETs are the known exception)."""
    if not digits.isdigit():
        return False
    if digits.startswith("356000000"):
        return sum(int(c) for c in digits) % 5 == 0
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def normalise_merchant(name: str) -> str:
    """Case, accents, spaces and punctuation removed: 'Café  de l'Est.' → 'CAFEDELEST'."""
    return re.sub(r"[^A-Z0-9]", "", fold(name))
