"""The merchant (commerçant): the first strong line of the receipt's header.

Candidates are the first lines; each is scored on what a shop name looks like (letters, a legal
form or a trade word) and against what it is not (an address, a phone number,
a SIRET, a date, a logo read as noise). A registration number printed after the name is
dropped, and legal forms misread by one character are restored from their closed list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

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
#: A company registration number printed after the name: "(123456-X)", "CO. REG 123456-X".
_REGISTRATION = re.compile(
    r"[\s(\[{]*(?:CO\.?\s*(?:REG\.?|NO\.?)\s*:?\s*)?\d[\d ]{4,}\s*-?\s*[A-Z]?\s*[)\]}]?\s*$"
)
#: Legal forms, a closed list: one misread character is restored ("SON BHO" → "SDN BHD").
_LEGAL_FORMS = ("SDN", "BHD", "SARL", "SAS", "SASU", "EURL", "LTD", "GMBH", "SNC")
_CONFUSABLE = {frozenset(p) for p in ("OD", "0D", "BD", "HM", "IL", "1L", "5S", "8B", "0O", "UO")}
_JUNK = " -|:*.,'\"!_~=‘’“”«»"


class HeaderLine(Protocol):
    """An OCR line: its text and the mean confidence (0-100) of its words."""

    @property
    def text(self) -> str: ...

    @property
    def confidence(self) -> float: ...


def _legal_form(word: str) -> str:
    up = word.upper()
    if up.rstrip(".") in _LEGAL_FORMS:
        return word
    for form in _LEGAL_FORMS:
        core = up.rstrip(".")
        if len(core) != len(form):
            continue
        diffs = [(a, b) for a, b in zip(core, form, strict=True) if a != b]
        if len(diffs) == 1 and frozenset(diffs[0]) in _CONFUSABLE:
            return form + word[len(core):]
    return word


def clean_name(text: str) -> str:
    """Trim junk and a trailing registration number; restore misread legal forms."""
    text = text.strip(_JUNK)
    text = _REGISTRATION.sub("", text).strip(_JUNK) if len(text) > 12 else text
    words = text.split()
    if len(words) >= 3 and len(words[-1]) <= 2 and _legal_form(words[-2]).upper().rstrip(".") \
            in _LEGAL_FORMS:
        words = words[:-1]  # a stray mark read after the legal form ("… SDN BHD D")
    if len(words) >= 2:
        words[-2:] = [_legal_form(w) for w in words[-2:]]
    return " ".join(words)


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
