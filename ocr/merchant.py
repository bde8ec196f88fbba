"""The merchant (commerçant): the first strong line of the receipt's header.

Candidates are the first lines; each is scored on what a shop name looks like (letters, a legal
form or a trade word) and against what it is not (an address, a phone number,
a SIRET, a date, a logo read as noise, a sentence of the footer). Each line is first cleaned
into a name by :func:`ocr.merchant_names.clean_name` (junk, registration numbers, misread legal
forms). A name printed over two or three lines is tried joined (see :func:`continues`). A
company's registration number is printed right after its name (on the same line or the next):
the line it follows is the registered name (see :func:`registered`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from ocr.merchant_names import clean_name, ends_with_registration, is_legal_form, is_registration
from ocr.parsing import find_amounts, find_dates, fold
from ocr.schemas import Candidate

__all__ = ("ADDRESS_PENALTY", "REGISTERED_BONUS", "HeaderLine", "clean_name", "continues",
           "merchant_candidates", "registered", "within_address")

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
    r"\bBILL\b|ORDER|COMPANY\s*(?:REG|NO)|REG\.?\s*NO|\bROC\b|\(\d|\d{6}|"
    # a sentence of the footer printed or read at the top: "GOODS SOLD ARE NOT RETURNABLE"
    r"GOODS\s*SOLD|RETURNABLE|REFUND|EXCHANGEABLE|\bYOU\b|\bVOUS\b|\bVOTRE\b"
)


class HeaderLine(Protocol):
    """An OCR line: its text and the mean confidence (0-100) of its words."""

    @property
    def text(self) -> str: ...

    @property
    def confidence(self) -> float: ...


def _score(text: str, i: int, confidence: float) -> float | None:
    """How much ``text`` (cleaned, from header line ``i``) looks like a shop name."""
    up = fold(text)
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or len(text) > 60:
        return None
    ratio = letters / max(1, sum(not c.isspace() for c in text))
    score = 2.0 * ratio - 0.25 * i + confidence / 100.0
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
    if confidence < 55:
        score -= 1.5
    if text.isupper():
        score += 0.5
    return score


_EDGE = " |!_~"


def _plain(text: str) -> bool:
    up = fold(text)
    return not (_ADDRESS.search(up) or _NOT_MERCHANT.search(up) or find_amounts(text)
                or find_dates(text))


def _name_words(text: str) -> list[str]:
    """Words of ``text`` that are a name: not legal forms, "CO.", "&" nor in parentheses."""
    text = re.sub(r"\([^)]*\)?", " ", text)
    return [w for w in text.split() if not is_legal_form(w) and sum(c.isalpha() for c in w) >= 2
            and fold(w).strip(".,") not in ("CO", "SDN", "AND", "ET")]


def _has_legal_form(text: str) -> bool:
    return any(is_legal_form(w) for w in clean_name(text).split())


def continues(first: str, second: str, after: str = "") -> bool:
    """Whether header line ``second`` carries on the name begun on ``first``: the first ends
    on a connector (&, AND, ET, -) or an open parenthesis, the second starts with a connector
    or opens a parenthesis it does not close, or the
    second is the legal form the first lacks, with at most one more word ("POPULAR BOOK" /
    "CO. (M) SDN BHD"), or the line ``after`` the second is a registration number and neither
    line has a legal form ("RESTAURANT JIAWEI" / "JIAWEI HOUSE" / "(002693074-K)": the
    number closes the registered name). A second line that is a whole name of its own (an
    operating company under a brand) is not a continuation."""
    a, b = clean_name(first), clean_name(second)
    if not a or not b or not all(map(_plain, (a, b, first, second))) or is_legal_form(
        a.split()[-1]
    ):
        return False
    if is_registration(after) and not _has_legal_form(first) and not _has_legal_form(second):
        return True
    if re.search(r"(?:&|\+|-|\bAND|\bET)$", fold(first.strip(" .,:;|"))):
        return True
    if a.count("(") > a.count(")") or b.count("(") > b.count(")"):
        return True
    if re.match(r"(?:&|AND\b|ET\b)", fold(second.strip(" .,:;|"))):
        return True
    last = b.split()[-1].upper().strip(".,")
    return (is_legal_form(last) or last == "SDN") and len(_name_words(b)) <= 1


def _next_line(header: Sequence[HeaderLine], j: int) -> int | None:
    """The line after ``j``, over one speck line (under three letters) read between."""
    k = j + 1
    if k < len(header) - 1 and sum(c.isalpha() for c in clean_name(header[k].text)) < 3:
        k += 1
    return k if k < len(header) else None


#: How much a line loses when it is printed inside the address (see :func:`within_address`).
ADDRESS_PENALTY = 2.0


def within_address(header: Sequence[HeaderLine], i: int) -> bool:
    """Header line ``i`` lies between two address lines ("No.1456, Jalan Rimbunan Raya 1," /
    "Laman Rimbunan Kepong," / "52100 Kuala Lumpur"): a part of the address (a district, an
    estate) whose own words are not known address words."""
    if i == 0 or i + 1 >= len(header):
        return False
    return all(_ADDRESS.search(fold(header[k].text)) for k in (i - 1, i + 1))


#: How much a name gains when a registration number follows it.
REGISTERED_BONUS = 1.0


def registered(header: Sequence[HeaderLine], i: int) -> bool:
    """Header line ``i`` ends with a company registration number ("SELASIH EKSLUSIF SDN BHD
    (624101-D)") or the next line is one: the name the company is registered under."""
    if ends_with_registration(header[i].text.strip(_EDGE)):
        return True
    return i + 1 < len(header) and is_registration(header[i + 1].text)


#: A label naming the company that owns or runs the shop ('Owned By : X SDN BHD', 'exploité
#: par'): the name after it is not the one the receipt is known by.
_OWNER_LABEL = re.compile(
    r"(?:OWNED|OPERATED|MANAGED)\s*BY|\bDIVISION\s*OF|EXPLOITE\w*\s*PAR|\bGEREE?S?\s*PAR"
)
#: How much a name after an owner label loses.
OWNER_PENALTY = 3.0


def _after_owner_label(header: Sequence[HeaderLine], i: int) -> bool:
    """Line ``i`` names the owner: it carries the label, or follows a line ending with it (or
    with it and words that are no name, read into the same line)."""
    if _OWNER_LABEL.search(fold(header[i].text)):
        return True
    if i == 0:
        return False
    previous = fold(header[i - 1].text).rstrip(" :.-")
    found = list(_OWNER_LABEL.finditer(previous))
    if not found:
        return False
    rest = previous[found[-1].end():].strip(" :.-")
    # Nothing after the label, or only another line's words read into it ("Owned By : TAX
    # INVOICE"): the name on the next line is the owner's.
    return not rest or bool(_NOT_MERCHANT.search(rest))


def merchant_candidates(lines: Sequence[HeaderLine]) -> list[Candidate]:
    """Scored merchant names from the first :data:`HEADER_LINES` lines, best first; a name
    printed over two or three lines is also tried joined."""
    cands: list[Candidate] = []
    header = lines[:HEADER_LINES]
    for i, line in enumerate(header):
        owner = _after_owner_label(header, i)
        joined, confidences, j = line.text.strip(_EDGE), [line.confidence], i
        for part in range(3):
            if part:
                joined = f"{joined} {header[j].text.strip(_EDGE)}"
                confidences.append(header[j].confidence)
            text = clean_name(joined)
            score = _score(text, i, sum(confidences) / len(confidences))
            nxt = _next_line(header, j)
            after = header[nxt + 1].text if nxt is not None and nxt + 1 < len(header) else ""
            goes_on = nxt is not None and continues(joined, header[nxt].text, after)
            if score is not None:
                score -= 1.0 if goes_on else 0.0  # a name cut short
                score -= ADDRESS_PENALTY if not part and within_address(header, i) else 0.0
                score -= OWNER_PENALTY if owner else 0.0
                score += REGISTERED_BONUS if registered(header, j) else 0.0
                reason = "lines joined" if part else "top line"
                cands.append(Candidate("merchant", text, round(score, 3), i, reason))
            if nxt is None or not goes_on:
                break
            j = nxt
    cands.sort(key=lambda c: -c.score)
    return cands
