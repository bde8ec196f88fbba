"""The merchant (commerçant): the first strong line of the receipt's header.

Candidates are the first lines; each is scored on what a shop name looks like (letters, a legal
form or a trade word) and against what it is not (an address, a phone number,
a SIRET, a date, a logo read as noise). Each line is first cleaned into a name by
:func:`ocr.merchant_names.clean_name` (junk, registration numbers, misread legal forms).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from ocr.merchant_names import clean_name
from ocr.parsing import find_amounts, find_dates, fold
from ocr.schemas import Candidate

__all__ = ("HeaderLine", "clean_name", "merchant_candidates")

#: Header lines looked at; the merchant is printed first, or after a logo and a branch line.
HEADER_LINES = 10

_COMPANY = re.compile(
    r"\b(?:SDN\.?\s*BHD|BHD|SDN|S\.?A\.?R\.?L|SARL|SAS|SASU|EURL|S\.?A\.?|SNC|LTD|LIMITED|INC|LLC|"
    r"GMBH|PLC|CO\.|COMPANY|ENTERPRISE|ENTERPRISES|TRADING|HOLDINGS|CORPORATION|CORP|GROUP|"
    r"RESTAURANT|BRASSERIE|CAFE|BISTRO|HOTEL|BOULANGERIE|PHARMACIE|STATION|TAXI|SNCF|MARKET|"
    r"MART|STORE|SHOP|BOOKSTORE|HARDWARE|TRADERS?|MAKMAL|KEDAI|RESTORAN|PERNIAGAAN|PASAR|SUPER|"
    r"TRAITEUR|PATISSERIE|CREPERIE|PIZZERIA|AUBERGE|RELAIS|LIBRAIRIE|GARAGE|PARKING)\b"
)
_ADDRESS = re.compile(
    r"\b(?:RUE|AVENUE|AV\.|BD|BOULEVARD|PLACE|CHEMIN|ROUTE|QUAI|ALLEE|IMPASSE|CEDEX|COURS|"
    r"FAUBOURG|FBG|CHAUSSEE|ZA|ZI|ZAC|LIEU-DIT|BP|CS|JALAN|JLN|"
    r"TAMAN|TMN|LORONG|ROAD|RD|STREET|ST\.|LOT|NO\.?|BLOCK|BLK|FLOOR|FLR|LEVEL|KAWASAN|"
    r"BANDAR|SELANGOR|KUALA|LUMPUR|JOHOR|PERSIARAN|PUSAT|\d{5})\b"
)
_NOT_MERCHANT = re.compile(
    r"\bTEL\b|\bTEL[:.]|TELEPHONE|\bFAX\b|PHONE|MOBILE|E-?MAIL|WWW|HTTP|@|SIRET|SIREN|\bTVA\b|"
    r"\bGST\b|\bVAT\b|INVOICE|RECEIPT|\bRECU\b|TICKET|FACTURE|\bNOTE\b|BIENVENUE|WELCOME|MERCI|"
    r"THANK|\bDATE\b|HEURE|CASHIER|CAISSE|\bTABLE\s*(?:NO?\.?|#|:)?\s*\d|COUVERT|SERVEUR|"
    r"\bBILL\b|ORDER|COMPANY\s*(?:REG|NO)|REG\.?\s*NO|\bROC\b|\(\d|\d{6}"
)


class HeaderLine(Protocol):
    """An OCR line: its text and the mean confidence (0-100) of its words."""

    @property
    def text(self) -> str: ...

    @property
    def confidence(self) -> float: ...


def merchant_candidates(lines: Sequence[HeaderLine]) -> list[Candidate]:
    """Scored merchant names from the first :data:`HEADER_LINES` lines, best first."""
    cands: list[Candidate] = []
    for i, line in enumerate(lines[:HEADER_LINES]):
        text = clean_name(line.text)
        up = fold(text)
        letters = sum(c.isalpha() for c in text)
        if letters < 3 or len(text) > 60:
            continue
        ratio = letters / max(1, sum(not c.isspace() for c in text))
        score = 2.0 * ratio - 0.25 * i + line.confidence / 100.0
        if _COMPANY.search(up):
            score += 2.5
        if _ADDRESS.search(up):
            score -= 2.0
        if _NOT_MERCHANT.search(up):
            score -= 3.0
        if find_amounts(text) or find_dates(text):
            score -= 3.0
        words = text.split()
        if len(words) == 1 and letters < 4:
            score -= 1.0
        real_words = [w for w in words if sum(c.isalpha() for c in w) >= 3]
        if len(real_words) * 2 < len(words):
            score -= 1.5  # logo or noise read as scattered short fragments
        if line.confidence < 55:
            score -= 1.5
        if text.isupper():
            score += 0.5
        cands.append(Candidate("merchant", text, round(score, 3), i, "top line"))
    cands.sort(key=lambda c: -c.score)
    return cands
