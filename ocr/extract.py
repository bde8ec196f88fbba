"""Field extraction by candidates and scores, from OCR lines (pure).

Each field collects candidates with a score and the line they came from; the best one wins and
its margin over the runner-up (and OCR confidence of its line) gives the field's confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ocr.damaged_dates import find_misread_dates
from ocr.merchant import merchant_candidates
from ocr.parsing import find_amounts, find_dates, find_rates, fold
from ocr.schemas import Candidate, VatLine
from ocr.totals import CHANGE, NOT_TOTAL, PAYMENT, choose_total

__all__ = ("Extraction", "Line", "extract_fields")


@dataclass(frozen=True)
class Line:
    """A line of text with the OCR confidence (0-100) of its words."""

    text: str
    confidence: float = 90.0


@dataclass
class Extraction:
    """Chosen values, their confidences (0-1) and every candidate considered."""

    merchant: str | None
    date: str | None
    total_cents: int | None
    total_ht_cents: int | None
    vat_total_cents: int | None
    vat: list[VatLine]
    currency: str | None
    siret: str | None
    payment_cents: int | None
    payment_method: str | None
    category: str | None
    confidence: dict[str, float]
    candidates: list[Candidate]
    amount_count: int
    date_count: int
    total_lines: int = 0
    #: Totals the receipt's own sums give (route name → cents): cash − change, subtotal + tax…
    total_routes: dict[str, int] = field(default_factory=dict)
    #: The total is printed nowhere legibly: only the sums give it (never accepted unseen).
    total_from_sums_only: bool = False
    #: The total is printed on a line labelled TOTAL / NET A PAYER / CB…, not only inferred.
    total_labelled: bool = False
    #: The total is read on a payment line only (CB, PAID BY…), not on a total line.
    total_on_payment_line_only: bool = False
    #: A rounding adjustment (non-zero or illegible) is printed below the total read.
    total_rounded_below: bool = False
    #: Amounts inside the total but outside the VAT table (taxe de séjour, tips, rounding), by
    #: kind, in cents: HT + TVA + these = TTC.
    outside_vat: dict[str, int] = field(default_factory=dict)


# --- total -------------------------------------------------------------------------------


def _support(lines: list[Line]) -> dict[int, int]:
    """How many distinct lines print each amount (a total is usually printed twice)."""
    counts: dict[int, int] = {}
    for line in lines:
        for value in set(find_amounts(line.text)):
            counts[value] = counts.get(value, 0) + 1
    return counts


# --- VAT ---------------------------------------------------------------------------------

LEGAL_RATES = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"))
_VAT_LINE = re.compile(r"TVA|T\.V\.A|\bVAT\b|\bGST\b|TAXE?\b|\bTAX\b|^\s*[A-D]\s|\bSR\b")
_HT_LINE = re.compile(r"TOTAL\s*H\.?T|\bH\.?T\.?\b|HORS\s*TAXE|EXCLUDING|EXCL")
_TVA_TOTAL = re.compile(r"TOTAL\s*T\.?V\.?A|TVA\s*TOTAL|TOTAL\s*(?:GST|TAX)\b|MONTANT\s*TVA")


def vat_of(base: int, rate: Decimal) -> int:
    """VAT amount in cents for a base in cents, rounded half up."""
    return int((Decimal(base) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _vat_rows(lines: list[Line]) -> list[VatLine]:
    rows: list[VatLine] = []
    for line in lines:
        up = fold(line.text)
        rates = find_rates(line.text)
        if len(rates) != 1 or (not _VAT_LINE.search(up) and "%" not in line.text):
            continue
        rate = rates[0]
        if rate < 0 or rate > 30:
            continue
        after = line.text[line.text.find("%") + 1:] if "%" in line.text else line.text
        amounts = [a for a in find_amounts(after) if a > 0]
        row = _vat_row(rate, amounts) if rate else _zero_rated_row(amounts)
        if row is not None and row not in rows:
            rows.append(row)
    # A zero-rated row counts only in a table of full rows (base and tax): alone, '0%' is more
    # often an item or a section total ('Total 0% supplies') than a row of the tax table.
    if not any(r.rate != "0" and r.base_cents is not None and r.amount_cents is not None
               for r in rows):
        return [r for r in rows if r.rate != "0"]
    return rows


def _vat_row(rate: Decimal, amounts: list[int]) -> VatLine | None:
    if not amounts:
        return None
    for i, base in enumerate(amounts):
        for j, vat in enumerate(amounts):
            if i != j and abs(vat_of(base, rate) - vat) <= 1 and base > vat:
                return VatLine(str(rate), base, vat)
            if i != j and abs(vat_of(base - vat, rate) - vat) <= 1 and base > vat:
                return VatLine(str(rate), base - vat, vat)  # TTC and TVA printed
    if len(amounts) == 1:
        return VatLine(str(rate), None, amounts[0])
    return VatLine(str(rate), amounts[0], amounts[1]) if amounts[0] > amounts[1] else None


def _zero_rated_row(amounts: list[int]) -> VatLine | None:
    """A zero-rated row ('ZR @ 0% 69.64 0.00'): its goods bear no tax but count in the sum of
    the table (the rate check still flags 0 % on a euro receipt, where it is not a legal rate)."""
    bases = set(amounts)
    return VatLine("0", bases.pop(), 0) if len(bases) == 1 else None


def _labelled_amount(lines: list[Line], pattern: re.Pattern[str]) -> int | None:
    for line in lines:
        up = fold(line.text)
        if pattern.search(up) and not find_rates(line.text):
            found = [a for a in find_amounts(line.text) if a > 0]
            if found:
                return found[-1]
    return None


# --- outside the VAT table ----------------------------------------------------------------

#: Lines inside the total that bear no VAT: the tourist tax of hotel bills (per person and
#: night), tips, and cash rounding (signed).
_OUTSIDE_VAT = (
    ("tourist_tax",
     re.compile(r"TAXE?S?\s*(?:DE\s*)?SEJOUR|TAX\w*\s*SEJ|TOURIST\s*TAX|CITY\s*TAX")),
    ("tip", re.compile(r"POURBOIRE|\bTIPS?\b|GRATUITY")),
    ("rounding", re.compile(r"ARRONDI|ROUNDING|ROUND\s*ADJ")),
)


def _outside_vat(lines: list[Line]) -> dict[str, int]:
    """Amounts of lines labelled as tourist tax, tip or rounding (the last amount of each)."""
    found: dict[str, int] = {}
    for line in lines:
        up = fold(line.text)
        if find_rates(line.text):
            continue
        for kind, pattern in _OUTSIDE_VAT:
            if pattern.search(up):
                amounts = find_amounts(line.text)
                if amounts and (kind == "rounding" or amounts[-1] > 0):
                    found[kind] = found.get(kind, 0) + amounts[-1]
                break
    return {kind: cents for kind, cents in found.items() if cents}


# --- other fields ------------------------------------------------------------------------

_SIRET = re.compile(r"(?<!\d)(\d{3}\s?\d{3}\s?\d{3}\s?\d{5})(?!\d)")
_CURRENCIES = (
    (re.compile(r"€|\bEUR\b|\bEUROS?\b|\bTTC\b|\bTVA\b"), "EUR"),
    (re.compile(r"\bRM\b|RM\s?\d|\bMYR\b|\bRINGGIT"), "MYR"),
    (re.compile(r"£|\bGBP\b"), "GBP"),
    (re.compile(r"\bCHF\b"), "CHF"),
    (re.compile(r"\$|\bUSD\b"), "USD"),
)
_CATEGORIES = (
    ("train", re.compile(r"SNCF|\bTGV\b|\bTER\b|OUIGO|INOUI|INTERCITES|VOYAGEUR|BILLET|\bTRAIN\b|"
                         r"\bVOITURE\s*\d|\bPLACE\s*\d|\bGARE\b")),
    ("taxi", re.compile(r"\bTAXI|\bG7\b|\bVTC\b|\bUBER\b|COURSE|TAXIMETRE|\bKM\s*PARCOURUS")),
    ("fuel", re.compile(r"CARBURANT|GAZOLE|GASOIL|DIESEL|\bSP\s?9[58]\b|\bE10\b|\bLITRES?\b|"
                        r"\bPOMPE\b|\bPETROL|\bFUEL\b|ESSENCE")),
    ("lodging", re.compile(r"HOTEL|NUIT|NUITEE|CHAMBRE|TAXE\s*DE\s*SEJOUR|HEBERGEMENT|ROOM|NIGHT")),
    ("meal", re.compile(r"RESTAURANT|RESTO|BRASSERIE|BISTRO|MENU|PLAT\b|DESSERT|BOISSON|CAFE|"
                        r"COUVERTS?|TABLE\s*\d|SERVEUR|PIZZ|BURGER|RESTORAN|FOOD|MEAL")),
    ("parking", re.compile(r"PARKING|STATIONNEMENT|PEAGE|AUTOROUTE")),
)


def _category(upper_text: str) -> tuple[str | None, float]:
    hits = [(name, len(p.findall(upper_text))) for name, p in _CATEGORIES]
    hits = [(name, count) for name, count in hits if count]
    if not hits:
        return None, 0.0
    hits.sort(key=lambda h: -h[1])
    name, count = hits[0]
    second = hits[1][1] if len(hits) > 1 else 0
    return name, round(min(1.0, 0.4 + 0.15 * (count - second)), 3)


def _payment(
    lines: list[Line], total: int | None, tendered: set[int]
) -> tuple[int | None, str | None]:
    """The amount of the payment line; money tendered before change is given back is not one."""
    best: tuple[int | None, str | None] = (None, None)
    for i, line in enumerate(lines):
        up = fold(line.text)
        m = PAYMENT.search(up)
        if i in tendered or not m or CHANGE.search(up) or (
            NOT_TOTAL.search(up) and "TOTAL" not in up
        ):
            continue
        amounts = [a for a in find_amounts(line.text) if a > 0]
        if not amounts:
            continue
        method = "card" if re.search(r"CB|CARTE|VISA|MASTER|AMEX|CARD|CONTACT", up) else "other"
        if total is not None and total in amounts:
            return total, method
        if best[0] is None:
            best = (amounts[-1], method)
    return best


def _date(lines: list[Line]) -> tuple[str | None, float, list[Candidate]]:
    cands: list[Candidate] = []
    for i, line in enumerate(lines):
        up = fold(line.text)
        exact = [(value, text, 1.0) for value, text in find_dates(line.text)]
        for value, text, base in exact or [
            (value, text, 0.3) for value, text in find_misread_dates(line.text)
        ]:
            score = base - (0.6 if re.search(r"\s", text) else 0.0)  # a digit may be lost
            if re.search(r"DATE|\bLE\b|EMIS|DU\b", up):
                score += 1.0
            if re.search(r"\d{1,2}[:H]\d{2}", up):
                score += 0.5
            if re.search(r"EXP|VALID|PERIME|DLC|DDM|BEST", up):
                score -= 1.5
            score += line.confidence / 200.0
            cands.append(Candidate("date", value.isoformat(), round(score, 3), i, "date pattern"))
    if not cands:
        return None, 0.0, cands
    totals: dict[str, float] = {}
    for c in cands:
        totals[c.value] = totals.get(c.value, 0.0) + c.score
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    best, score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    return best, round(min(1.0, 0.5 + (score - runner) / 4.0), 3), cands


def _currency(text_upper: str) -> str | None:
    """The currency marked most often (a stray '€' read from a smudge does not outweigh RM
    printed on every line); on a tie, the first in the list."""
    counts = [(len(p.findall(text_upper)), -i, code) for i, (p, code) in enumerate(_CURRENCIES)]
    best = max(counts)
    return best[2] if best[0] else None


def extract_fields(lines: list[Line]) -> Extraction:
    """Read every field from OCR lines (top to bottom)."""
    text_upper = fold("\n".join(line.text for line in lines))
    support = _support(lines)
    choice = choose_total([line.text for line in lines], support)
    total, total_conf = choice.cents, choice.confidence
    amounts = [a for a in support if a > 0]
    date, date_conf, date_cands = _date(lines)
    merchants = merchant_candidates(lines)
    merchant = merchants[0].value if merchants and merchants[0].score > 0 else None
    merchant_conf = 0.0
    if merchant is not None:
        runner = merchants[1].score if len(merchants) > 1 else 0.0
        merchant_conf = min(1.0, max(0.1, (merchants[0].score - max(runner, 0.0)) / 4.0 + 0.3))
    vat = _vat_rows(lines)
    total_ht = _labelled_amount(lines, _HT_LINE)
    vat_total = _labelled_amount(lines, _TVA_TOTAL)
    currency = _currency(text_upper)
    siret = None
    for line in lines:
        if re.search(r"SIRET|SIREN|SIR\s?ET", fold(line.text)):
            m = _SIRET.search(line.text)
            if m:
                siret = re.sub(r"\s", "", m.group(1))
                break
    payment, method = _payment(lines, total, choice.tendered_lines)
    category, category_conf = _category(text_upper)
    siret_cands = [Candidate("siret", siret, 1.0, -1, "after SIRET")] if siret else []
    return Extraction(
        merchant=merchant,
        date=date,
        total_cents=total,
        total_ht_cents=total_ht,
        vat_total_cents=vat_total,
        vat=vat,
        currency=currency,
        siret=siret,
        payment_cents=payment,
        payment_method=method,
        category=category,
        confidence={
            "merchant": round(merchant_conf, 3),
            "date": date_conf,
            "total": total_conf,
            "category": category_conf,
            "currency": 0.9 if currency else 0.0,
        },
        candidates=[*merchants[:5], *date_cands[:8], *choice.candidates[:12], *siret_cands],
        amount_count=sum(support.get(a, 0) for a in amounts),
        date_count=len(date_cands),
        total_lines=support.get(total, 0) if total is not None else 0,
        total_routes=choice.routes,
        total_from_sums_only=choice.from_sums_only,
        total_labelled=choice.labelled,
        total_on_payment_line_only=choice.payment_only,
        total_rounded_below=choice.rounded_below,
        outside_vat=_outside_vat(lines),
    )
