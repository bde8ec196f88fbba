"""The total incl. VAT (TTC): labelled candidates, corroborated by the receipt's own sums.

A receipt states its total in several ways: the TOTAL / NET A PAYER line, the card payment line,
cash tendered minus change given (ESPECES − RENDU), and the subtotal plus tax, service and
rounding lines printed above it. OCR misreads a digit on one line, rarely the same way on all of
them: the value the routes agree on wins, and a total that only the sums give (its own line
misread) is kept for review rather than accepted.

Cash rounding (to 0.05 or coarser) prints the total, the adjustment and the rounded amount paid:
the rounded amount is the total, and the adjustment accounting for the difference is a route;
an unread rounded amount below a total off the rounding step keeps the receipt for review. The
tax's own total and the rows of the tax breakdown are not the bill's total; two section totals
adding up to the total confirm it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ocr.parsing import amount_spans, fold, plain_cents
from ocr.schemas import Candidate

__all__ = (
    "CHANGE",
    "NOT_TOTAL",
    "PAYMENT",
    "Segment",
    "TotalChoice",
    "cash_minus_change",
    "choose_total",
    "leading_digit_lost",
    "one_digit_apart",
    "rounded_total",
    "section_totals",
    "sections_above",
    "segments",
    "subtotal_plus_adjustments",
)

# --- labels (matched on folded text: upper case, no accents) ----------------------------------

_STRONG_TOTAL = re.compile(
    r"TOTAL\s*T\.?T\.?C|NET\s*A\s*PAYER|MONTANT\s*(?:TTC|A\s*PAYER|DU)|TOTAL\s*A\s*PAYER|"
    r"A\s*PAYER|AMOUNT\s*DUE|GRAND\s*TOTAL|ROUND(?:ED|ING)?\s*(?:ED\s*)?TOTAL|TOTAL\s*ROUND|"
    r"TOTAL\s*(?:\(?\s*(?:(?:GST|SST|TVA|VAT|TAX)\s*)?(?:INCL|INC\b|INCLUSIVE))|CLUSIVE\s*OF|NET+\s*TOTAL|TOTAL\s*AMOUNT|"
    r"TOTAL\s*(?:PAYABLE|DUE|SALES\s*[({[]?\s*INC)|TOTAL\s*(?:EUR|€|RM\b|\(RM\))|TOTAL\s*:|TOTAL\s*\d+\s?[.,]\s?\d\d(?!\s?%)|"
    r"AFTER\s*ADJ|TOTAL\s*TVAC|NETT|NET\s*AM(?:OUN)?T\b|TOTAL\s*AMT\b"
)
_TOTAL = re.compile(r"TOTAL|TOTA1|T0TAL|MONTANT|SOMME|AMOUNT|TTC|PAYER|DUE")
#: TOTAL with one letter misread (TOTEL, TOTAI, T0TAL, TOTA1, IOTAL).
_TOTAL_MISREAD = re.compile(r"\b(?:[TIJ1][O0]T[AE4][L1I]|T[O0]T[AE4]L\w?)\b")
#: The most specific labels of the amount to pay: they outrank a plain TOTAL.
_GRAND_TOTAL = re.compile(
    r"GRAND\s*TOTAL|PAYABLE|A\s*PAYER|AMOUNT\s*DUE|TOTAL\s*DUE|MONTANT\s*DU\b"
)
NOT_TOTAL = re.compile(
    r"SUB\s*-?\s*TOTAL|SOUS\s*-?\s*TOTAL|TOTAL\s*H\.?T|\bH\.?T\b|HORS\s*TAXE|EXCL|EXCLUDING|"
    r"\bTVA\b|\bGST\b|\bSST\b|\bTAX\b|TAXE|DISCOUNT|REMISE|\bQTY\b|QUANTIT|ITEMS?\b|ARTICLES?|"
    r"CHANGE|RENDU|MONNAIE|ESPECES|TENDERED|\bCASH\b|ROUNDING|ARRONDI|SAVING|POINTS?|DEPOSIT|"
    r"\bBALANCE\b|UNIT|PRIX\s*UNIT|\bPU\b|\bX\s*\d|\d\s*%"
)
#: The tax's own total ('TAX TOTAL: 0.34', 'TOTAL TVA'), not the amount paid.
_TAX_OWN_TOTAL = re.compile(
    r"(?:\bTAX|\bGST|\bSST|\bTVA|\bVAT)\s*TOTAL|TOTAL\s*(?:TAX|GST|SST|TVA|VAT)\b"
    r"(?!\s*\(?\s*(?:INCL|INC\b|INCLUSIVE))"
)
#: Lines that are never the total, whatever keyword they also carry.
_NEVER_TOTAL = re.compile(
    r"SUB\s*-?\s*TOTAL|SOUS\s*-?\s*TOTAL|TOTAL\s*H\.?T\b|HORS\s*TAXE|EXCL|\bQTY\b|QUANTIT|"
    r"\bITEMS?\b|ARTICLES?|DISCOUNT|REMISE|CHANGE|RENDU|MONNAIE|TENDER|ROUNDING\s*ADJ|"
    r"ADJUSTMENT|ARRONDI|SAVING|POINTS?\b|ACCEPTED\s*TOTAL|TOTAL\s*(?:RECEIVED|TENDERED)|"
    + _TAX_OWN_TOTAL.pattern
)
#: A card named on a line: 'CB' (not 'CB#', a cash bill's number), CARTE, VISA.
_CARD = r"\bCB\b(?!\s*#)|CARTE|\bVISA\b"
PAYMENT = re.compile(
    _CARD + r"|MASTER\s*CARD|MASTERCARD|\bAMEX\b|CREDIT\s*CARD|DEBIT|"
    r"CONTACTLESS|SANS\s*CONTACT|PAIEMENT|PAYMENT|REGLEMENT|PAYE\b|\bPAID\b"
)
CHANGE = re.compile(r"CHANGE|RENDU|MONNAIE|TENDERED|ESPECES|\bCASH\b")
_ROUNDING = re.compile(r"ROUNDING|ARRONDI|ROUND\s*ADJ")
#: The amount once rounded, labelled as a total ('Total After Rounding 21.40', OCR-damaged
#: 'Total AtlerCRounding'): the bill's total, not a rounding adjustment.
_TOTAL_AFTER_ROUNDING = re.compile(r"TOTAL\s*\w{0,8}\s*(?:ROUNDING|ARRONDI)")
#: The heading of the tax breakdown printed under the total ('GST SUMMARY', 'DETAIL TVA'): a
#: plain TOTAL row below it sums the tax table, not the bill.
_TAX_TABLE = re.compile(
    r"(?:GST|SST|TAX|TVA|VAT)\s*(?:SUMMARY|SUMMARI|ANALYSIS|DETAILS?|BREAKDOWN)|"
    r"(?:SUMMARY|DETAILS?|RECAP\w*|VENTILATION)\s*(?:OF\s*)?(?:DE\s*(?:LA\s*)?)?"
    r"(?:GST|SST|TAX|TVA|VAT)\b"
)
#: Words that make a total row below the tax table still the bill's total.
_BILL_TOTAL = re.compile(r"GRAND|\bNET|PAYER|\bDUE\b|PAYABLE|ROUND|INCL|TTC")

#: Money handed over (cash or card) and money given back: tendered − change = total.
_TENDERED = re.compile(
    r"\bCASH\b|ESPECES|TENDER|\bPAID\b|\bPAYMENT\b|\bRECU\b|ENCAISSE|" + _CARD + r"|"
    r"CREDIT\s*CARD"
)
_GIVEN_BACK = re.compile(r"\bCHANGE\b|RENDU|A\s*RENDRE|MONNAIE")
#: Lines that the sum from a subtotal to the total may cross, by sign.
_BASE = re.compile(
    r"SUB\s*-?\s*TOTAL|SOUS\s*-?\s*TOTAL|TOTAL\s*H\.?T\b|\bH\.?T\b|HORS\s*TAXE|EXCL"
)
_ADDED = re.compile(
    r"\bTVA\b|T\.V\.A|\bGST\b|\bVAT\b|\bSST\b|\bTAX\b|TAXE|SERVICE|\bSERV\b|POURBOIRE|\bTIPS?\b|"
    r"FRAIS|CHARGE"
)
_SUBTRACTED = re.compile(r"DISCOUNT|REMISE|RABAIS|REDUCTION|COUPON|PROMO|\bDISC\b")
_SIGNED = re.compile(r"ROUND|ARRONDI|\bADJ")
_PLAIN_TOTAL = re.compile(r"TOTAL")
_NOT_A_BASE = re.compile(r"\bQTY\b|QUANTIT|\bITEMS?\b|ARTICLES?|SAVING|POINTS?\b")

#: Score of each route by which a value reaches the total.
_ROUTE_WEIGHT = 2.5
_SUM_WINDOW = 8


@dataclass(frozen=True)
class Segment:
    """A label and the amounts printed after it; a line may hold two ('Saving 0.00 Total 7.20')."""

    line: int
    label: str
    amounts: list[int]
    plain: list[int]

    @property
    def value(self) -> int | None:
        """The amount of this segment (the last one printed), dropped decimal marks allowed."""
        if self.amounts:
            return self.amounts[-1]
        return self.plain[-1] if self.plain else None


def segments(lines: list[str]) -> list[Segment]:
    """Cut each line after an amount that a new worded label follows."""
    out: list[Segment] = []
    for index, text in enumerate(lines):
        spans = amount_spans(text)
        start = 0
        pending: list[int] = []
        for i, (_, end, cents) in enumerate(spans):
            pending.append(cents)
            rest = text[end: spans[i + 1][0]] if i + 1 < len(spans) else ""
            if re.search(r"[A-Za-z]{3}", rest):
                out.append(Segment(index, fold(text[start:end]), pending, []))
                start, pending = end, []
        tail = text[start:]
        plain = plain_cents(tail) if not pending else []
        out.append(Segment(index, fold(tail), pending, plain))
    return out


@dataclass
class TotalChoice:
    """The chosen total, how sure it is, and the sums that confirm or contradict it."""

    cents: int | None
    confidence: float
    candidates: list[Candidate]
    routes: dict[str, int] = field(default_factory=dict)
    from_sums_only: bool = False
    #: The chosen value is printed on a line labelled as the total or the payment.
    labelled: bool = False
    tendered_lines: set[int] = field(default_factory=set)
    #: The chosen value is read on a payment line only (no total line prints it): that payment
    #: line cannot also confirm it.
    payment_only: bool = False
    #: A rounding line with a non-zero or illegible adjustment is printed below every line
    #: showing the chosen total, which is not a multiple of 5 cents (cash rounding steps are
    #: 0.05 or coarser): the amount paid is the rounded one, which was not read.
    rounded_below: bool = False


def cash_minus_change(
    segs: list[Segment], printed: set[int] | frozenset[int] = frozenset()
) -> tuple[int, int, int] | None:
    """(tendered − change, index of the tendered segment, change), from a change line and the
    payment just above it.

    The amount handed over may carry any label ('Accepted total 2.00', 'Pay 20.00'): a line
    just above a non-zero change whose amount minus the change is an amount printed elsewhere
    on the receipt (``printed``) is the tendered one too.
    """
    for i, seg in enumerate(segs):
        change = seg.value
        if change is None or change < 0 or not _GIVEN_BACK.search(seg.label):
            continue
        for j in range(i - 1, max(-1, i - 4), -1):
            prev = segs[j]
            tendered = prev.value
            if tendered is None or _GIVEN_BACK.search(prev.label):
                continue
            if tendered > change and (
                _TENDERED.search(prev.label) or (change > 0 and tendered - change in printed)
            ):
                return tendered - change, j, change
            break
    return None


def subtotal_plus_adjustments(segs: list[Segment], end: int) -> tuple[list[int], int | None]:
    """Walk up from a total line: tax, service and rounding added, discounts taken off, until a
    subtotal (or an earlier total). Gives the possible sums and the subtotal they start from;
    no sum when an unknown amount line is crossed.

    OCR often drops the minus of a rounding adjustment: the printed sign comes first, then the
    other one.
    """
    acc = 0
    rounding = 0
    terms = 0
    for seg in reversed(segs[max(0, end - _SUM_WINDOW):end]):
        value = seg.value
        if value is None:
            continue
        label = _TOTAL_MISREAD.sub("TOTAL", seg.label)
        if _NOT_A_BASE.search(label) or PAYMENT.search(label) or _GIVEN_BACK.search(label):
            return [], None
        base = _BASE.search(label) or (
            _PLAIN_TOTAL.search(_TAX_OWN_TOTAL.sub("", label))
            and seg.amounts
        )
        if base:
            if not terms:
                return [], None
            sums = [value + acc + rounding, value + acc - rounding]
            return (sums[:1] if rounding == 0 else sums), value
        if _ADDED.search(label):
            acc += abs(value)
        elif _SUBTRACTED.search(label):
            acc -= abs(value)
        elif _SIGNED.search(label):
            rounding += value
        else:
            return [], None
        terms += 1
    return [], None


#: Cash rounding moves a total by at most half its step (0.05 → 0.02, 0.10 → 0.05).
_MAX_ROUNDING = 5
#: An adjustment printed as cents alone at the end of the rounding line.
_BARE_CENTS = re.compile(r"(?<![\d.,])-?\s?[.,]?0(\d)\W*$")


def rounded_total(
    segs: list[Segment], total: int, total_lines: list[int]
) -> tuple[int, bool] | None:
    """The rounded amount printed after a rounding line, when the total read is above it, and
    whether the adjustment printed on the rounding line accounts for the difference.

    Cash rounding to 0.05 or coarser prints 'TOTAL 13.58 / ROUNDING 0.02 / 13.60': the amount
    paid is the last one, a few cents away, a multiple of 5 cents, on the rounding line itself
    ('Rounding RM 13.60'), a bare amount line, a total or a payment line just below.
    """
    if total % 5 == 0 or not total_lines:
        return None
    for i, seg in enumerate(segs):
        if seg.line <= max(total_lines) or not _ROUNDING.search(seg.label):
            continue
        adjustments = {abs(v) for v in (*seg.amounts, *seg.plain) if abs(v) <= _MAX_ROUNDING}
        cents = _BARE_CENTS.search(seg.label)
        if cents and not seg.amounts:  # 'RM .02', '-.02', 'RM 02': the units digit dropped
            adjustments.add(int(cents.group(1)))
        for nxt in segs[i:i + 3]:
            value = nxt.value
            if value is None or _GIVEN_BACK.search(nxt.label):
                continue
            if value % 5 == 0 and 0 < abs(value - total) <= _MAX_ROUNDING:
                return value, abs(value - total) in adjustments
        return None
    return None


def _section_values(segs: list[Segment], before: int, total: int | None) -> list[int]:
    """The distinct amounts of TOTAL-labelled lines above line ``before`` (not a subtotal, a
    tax's own total, nor ``total`` itself): the totals of a receipt's sections."""
    values: list[int] = []
    for seg in segs:
        label = _TOTAL_MISREAD.sub("TOTAL", seg.label)
        if seg.line >= before or not seg.amounts or not _PLAIN_TOTAL.search(label) \
                or _NEVER_TOTAL.search(label) or _TAX_OWN_TOTAL.search(label):
            continue
        value = seg.amounts[-1]
        if value not in (0, total) and value not in values:
            values.append(value)
    return values


def section_totals(segs: list[Segment], total: int) -> int | None:
    """The total as the sum of two section totals printed above its last line ('Total 0 %
    supplies 14.35' + 'Total 6 % supplies incl. tax 27.09' = 'Total payable 41.44'): the sum
    when two distinct TOTAL-labelled amounts above it add up to it, or to it without its first
    digit (a stray mark read as a digit before the amount: 'Total Payable: 194.19' under
    sections of 73.52 and 20.67), else None."""
    last = max((seg.line for seg in segs if total in seg.amounts), default=-1)
    values = _section_values(segs, last, total)
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            if a + b == total or leading_digit_lost(a + b, total):
                return a + b
    return None


def sections_above(segs: list[Segment], line: int) -> int | None:
    """The sum of the two section totals above a total line whose amount is unreadable, when
    exactly two are printed there (more would leave the sum a guess)."""
    values = _section_values(segs, line, None)
    return sum(values) if len(values) == 2 else None


def leading_digit_lost(read: int, whole: int) -> bool:
    """``read`` is ``whole`` without its first digit ('1,00' for 71.00), a digit lost at the
    start of the amount (faint print, a currency mark swallowing it)."""
    text = str(whole)
    return read > 0 and len(text) >= 3 and text[1:] == str(read)


def one_digit_apart(a: int, b: int) -> bool:
    """Same number of digits, exactly one of them different (a typical OCR misreading)."""
    sa, sb = str(abs(a)), str(abs(b))
    return len(sa) == len(sb) and sum(x != y for x, y in zip(sa, sb, strict=True)) == 1


@dataclass(frozen=True)
class _TotalLine:
    """A segment labelled as a total: its keyword score and amount (None when unreadable)."""

    index: int
    line: int
    score: float
    value: int | None
    reason: str



def _total_lines(segs: list[Segment], n_lines: int) -> tuple[list[_TotalLine], list[Candidate]]:
    labelled: list[_TotalLine] = []
    payments: list[Candidate] = []
    rounding_seen = tax_table = False
    for k, seg in enumerate(segs):
        up = _TOTAL_MISREAD.sub("TOTAL", seg.label)
        if _TAX_TABLE.search(up):
            tax_table = True
        # below a tax breakdown heading, or a row of columns 'TOTAL: 20.00 1.20' (base, tax)
        table_row = (tax_table and not _BILL_TOTAL.search(up)) or (
            len(seg.amounts) >= 2 and seg.amounts[-1] < seg.amounts[0]
        )
        if _ROUNDING.search(up):
            rounding_seen = True
            if not _TOTAL_AFTER_ROUNDING.search(up):
                continue
        strong = bool(_STRONG_TOTAL.search(up) or _TOTAL_AFTER_ROUNDING.search(up))
        weak = bool(_TOTAL.search(up))
        negative = (bool(NOT_TOTAL.search(up)) and not strong) or bool(_NEVER_TOTAL.search(up))
        amounts = [a for a in seg.amounts if a > 0]
        if not amounts and (strong or weak) and not negative and k + 1 < len(segs):
            nxt = segs[k + 1]
            if nxt.line == seg.line + 1 and not re.search(r"[A-Z]{3}", nxt.label):
                amounts = [a for a in nxt.amounts if a > 0]
        value = amounts[-1] if amounts else None
        position = 0.8 * seg.line / max(1, n_lines - 1) + (1.2 if rounding_seen else 0.0)
        if (strong or weak) and not negative and not table_row \
                and (value is not None or not seg.amounts):
            score, reason = (4.0, "keyword strong") if strong else (2.5, "keyword total")
            if strong and _GRAND_TOTAL.search(up):
                score, reason = 5.0, "keyword grand total"
            labelled.append(_TotalLine(k, seg.line, round(score + position, 3), value, reason))
        if value is not None and PAYMENT.search(up) and not CHANGE.search(up) \
                and not _NEVER_TOTAL.search(up):
            payments.append(Candidate("total", str(value), 2.0, seg.line, "payment line"))
    return labelled, payments


def _tendered_route(segs: list[Segment], printed: set[int]) -> tuple[int | None, set[int]]:
    found = cash_minus_change(segs, printed)
    if found is None:
        return None, set()
    return found[0], ({segs[found[1]].line} if found[2] > 0 else set())


def choose_total(lines: list[str], support: dict[int, int]) -> TotalChoice:
    """Pick the total from labelled lines, the largest amount, repeats and the receipt's sums.

    ``support`` counts the lines printing each amount (a misread digit rarely repeats). A sum
    ending at a total line confirms the digits read there, or replaces one misread digit, or
    stands in for an unreadable amount; cash − change confirms which amount is the total.
    """
    segs = segments(lines)
    amounts = {a for seg in segs for a in seg.amounts if a > 0}
    if not amounts:
        return TotalChoice(None, 0.0, [])
    labelled, payments = _total_lines(segs, len(lines))
    cands = [Candidate("total", str(t.value), t.score, t.line, t.reason)
             for t in labelled if t.value is not None] + payments
    best_by_value: dict[int, float] = {}
    repeats: dict[int, int] = {}
    for c in cands:
        v = int(c.value)
        repeats[v] = repeats.get(v, -1) + 1
        best_by_value[v] = max(best_by_value.get(v, 0.0), c.score)
    scores = {v: s + 0.3 * min(2, repeats[v]) for v, s in best_by_value.items()}
    extra: list[Candidate] = []
    top = max(a for a in amounts if a < 10_000_000) if min(amounts) < 10_000_000 else None
    if top is not None:
        keyworded = [v for v in scores if v <= top]
        largest = top if top in scores or not keyworded else max(keyworded)
        scores[largest] = scores.get(largest, 0.0) + 1.0
        extra.append(Candidate("total", str(largest), 1.0, -1, "largest amount"))
    for value in scores:
        scores[value] += 0.8 * min(2, support.get(value, 1) - 1)
    paid, tendered = _tendered_route(segs, amounts)
    per_line: dict[int, set[int]] = {}
    for seg in segs:
        per_line.setdefault(seg.line, set()).update(seg.amounts, seg.plain)
    seen: dict[int, int] = {}  # lines printing each value, dropped decimal marks included
    for values in per_line.values():
        for value in values:
            seen[value] = seen.get(value, 0) + 1

    def credit(value: int, points: float, reason: str, base: float = 0.0) -> None:
        scores[value] = scores.get(value, base) + points
        extra.append(Candidate("total", str(value), points, -1, reason))

    sum_for: dict[int, int] = {}
    sections_for: dict[int, int] = {}
    confirmed: set[int] = set()
    for t in labelled:
        sums, base = subtotal_plus_adjustments(segs, t.index)
        if not sums:
            sections = sections_above(segs, t.line) if t.value is None else None
            if sections is not None:  # the sections stand in for an unreadable total
                credit(sections, 0.0, "sections for an unreadable total", t.score)
                sections_for[sections] = sections
            continue
        if t.value is None:  # the total line is unreadable: its sum stands in for it
            value = next((v for v in sums if v in amounts), sums[0])
            credit(value, 0.0, "sum for an unreadable total", t.score)
            sum_for[value] = value
        elif t.value in sums:
            credit(t.value, 1.0, "subtotal plus adjustments")
            sum_for[t.value] = t.value
            confirmed.add(t.value)
        else:
            # Overrule a digit read on the total line only when the sum stands on firmer
            # ground: its subtotal printed twice, or cash − change giving the same value.
            fixes = [v for v in sums
                     if one_digit_apart(v, t.value) or leading_digit_lost(t.value, v)]
            firmer = bool(fixes) and (seen.get(base or 0, 1) >= 2 or fixes[0] == paid)
            if fixes and firmer and support.get(t.value, 1) == 1 and t.value != paid:
                credit(fixes[0], 1.0, "sum repairs one digit", scores.get(t.value, t.score))
                sum_for[fixes[0]] = fixes[0]
            elif base != t.value and sums[0] != base:
                # A base equal to the total is a tax included in it ('Total Amount 8.20 /
                # GST 0.46 / Nett Total 8.20'); a sum of only zero terms is missing its tax line.
                sum_for.setdefault(t.value, sums[0])
    if paid is not None:
        misread = [v for v in scores
                   if (one_digit_apart(v, paid) or leading_digit_lost(v, paid))
                   and support.get(v, 1) == 1 and v not in confirmed]
        inherited = max((scores[v] for v in misread), default=1.0)
        credit(paid, _ROUTE_WEIGHT, "cash minus change", inherited)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, best_score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(1.0, (best_score - runner) / 4.0 + min(best_score, 6.0) / 12.0)
    rounded = rounded_total(segs, best, [c.line for c in cands if int(c.value) == best])
    rounding_route: dict[str, int] = {}
    if rounded is not None:
        if rounded[1]:  # total read above ± the adjustment printed = the rounded amount
            rounding_route["rounding_adjustment"] = rounded[0]
        best = rounded[0]
    sums_only = best not in amounts
    if sums_only:
        confidence = min(confidence, 0.5)
    routes = {} if paid is None else {"cash_minus_change": paid}
    if best in sum_for:
        routes["subtotal_plus_adjustments"] = sum_for[best]
    routes.update(rounding_route)
    sections = sections_for.get(best) or section_totals(segs, best)
    if sections is not None and sections != best and not routes:
        best, sums_only, confidence = sections, True, min(confidence, 0.5)  # digit added
    if sections is not None and not routes:
        routes["section_totals"] = sections
    payment_only = best in {int(c.value) for c in payments} and \
        best not in {t.value for t in labelled}
    shown = [c.line for c in cands if int(c.value) == best]
    rounded_below = bool(shown) and best % 5 != 0 and any(
        seg.line > max(shown) and _ROUNDING.search(seg.label) and seg.value != 0 for seg in segs
    )
    # A total line whose decimal mark OCR dropped ('GRAND TOTAL 1000') still prints the value.
    dropped_mark = any(best in segs[t.index].plain for t in labelled if t.value is None)
    return TotalChoice(best, round(max(0.0, confidence), 3), [*cands, *extra], routes,
                       sums_only, best in best_by_value or bool(rounding_route) or dropped_mark,
                       tendered, payment_only, rounded_below)
