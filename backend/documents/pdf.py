"""Mission order and expense claim as PDF pages (pure: no web or database import).

Built with fpdf2 and Debian's DejaVu fonts (accents and the euro sign); text in the reader's
language. The inputs are plain data the services gather; receipts come as JPEG renditions.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from backend.documents import labels

__all__ = ("ClaimDocument", "LineEntry", "MissionDocument", "claim_pdf", "mission_pdf")

_FONTS = Path("/usr/share/fonts/truetype/dejavu")

_WORDS: dict[str, tuple[str, str]] = {
    "mission_title": ("Ordre de mission", "Mission order"),
    "claim_title": ("État de frais", "Expense claim"),
    "agent": ("Agent", "Agent"),
    "purpose": ("Objet", "Purpose"),
    "destination": ("Destination", "Destination"),
    "dates": ("Dates", "Dates"),
    "departure": ("Départ", "Departure"),
    "return": ("Retour", "Return"),
    "transport": ("Transport", "Transport"),
    "estimate": ("Coût estimé", "Estimated cost"),
    "bookings": ("Réservations", "Bookings"),
    "state": ("État", "State"),
    "allowance": ("Indemnités calculées", "Allowances computed"),
    "meals": ("repas", "meals"),
    "nights": ("nuitées", "nights"),
    "advance": ("Avance", "Advance"),
    "lines": ("Dépenses", "Expense lines"),
    "date": ("Date", "Date"),
    "category": ("Catégorie", "Category"),
    "merchant": ("Fournisseur", "Merchant"),
    "amount": ("Montant", "Amount"),
    "total": ("Total", "Total"),
    "vat": ("dont TVA", "of which VAT"),
    "to_pay": ("Reste à payer", "Left to pay"),
    "receipts": ("Justificatifs", "Receipts"),
    "receipt_unavailable": ("justificatif non joint (pas encore envoyé ou illisible)",
                            "receipt not included (not uploaded yet or unreadable)"),
    "decision": ("Décision", "Decision"),
    "printed": ("Édité le", "Printed on"),
}


def _w(key: str, lang: str) -> str:
    fr, en = _WORDS[key]
    return en if lang == "en" else fr


def _money(cents: int, lang: str) -> str:
    value = f"{Decimal(cents) / 100:,.2f}"
    if lang == "en":
        return f"€{value}"
    return value.replace(",", " ").replace(".", ",") + " €"


def _day(value: date | datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M")
    return value.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")


@dataclass(frozen=True)
class MissionDocument:
    reference: str
    agent_name: str
    purpose: str
    destination: str
    starts_on: date
    ends_on: date
    transport: str
    estimated_cost_cents: int
    state: str
    departs_at: datetime | None = None
    returns_at: datetime | None = None
    bookings: Sequence[tuple[str, int, datetime | None]] = ()
    meals: int | None = None
    nights: int | None = None
    expected_cents: int | None = None
    advance_cents: int = 0
    decision: str = ""


@dataclass(frozen=True)
class LineEntry:
    spent_on: date
    category: str
    merchant: str
    amount_cents: int
    currency: str
    eur_cents: int
    receipts: Sequence[bytes | None] = ()  # a JPEG per receipt, None when not available
    # A mileage line's split per annual km band: (km, euros per km as text).
    mileage: Sequence[tuple[int, str]] = ()


@dataclass(frozen=True)
class ClaimDocument:
    reference: str
    title: str
    agent_name: str
    state: str
    lines: Sequence[LineEntry]
    total_cents: int
    vat_cents: int
    allowance_cents: int = 0
    advance_cents: int = 0
    decision: str = ""
    mission: MissionDocument | None = None
    findings: Sequence[str] = field(default_factory=tuple)


class _Page(FPDF):
    def __init__(self, title: str, reference: str, lang: str, printed: datetime) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(_FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(f"{title} {reference}")
        self.set_creator("Nomade")
        self._footer_text = f"{_w('printed', lang)} {_day(printed, lang)} — {reference}"
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()
        self.set_font("DejaVu", "B", 16)
        self.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"{self._footer_text} — {self.page_no()}", align="C")

    def pair(self, label: str, value: str) -> None:
        self.set_font("DejaVu", "B", 10)
        self.cell(45, 6, label)
        self.set_font("DejaVu", "", 10)
        self.multi_cell(0, 6, value or "—", new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", 12)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 10)


def _mission_part(page: _Page, m: MissionDocument, lang: str) -> None:
    page.pair(_w("agent", lang), m.agent_name)
    page.pair(_w("purpose", lang), m.purpose)
    page.pair(_w("destination", lang), m.destination)
    page.pair(_w("dates", lang), f"{_day(m.starts_on, lang)} – {_day(m.ends_on, lang)}")
    if m.departs_at is not None:
        page.pair(_w("departure", lang), _day(m.departs_at, lang))
        page.pair(_w("return", lang), _day(m.returns_at, lang))
    page.pair(_w("transport", lang), labels.transport(m.transport, lang))
    page.pair(_w("estimate", lang), _money(m.estimated_cost_cents, lang))
    page.pair(_w("state", lang), labels.mission_state(m.state, lang))
    if m.decision:
        page.pair(_w("decision", lang), m.decision)
    if m.expected_cents is not None:
        page.pair(_w("allowance", lang),
                  f"{m.meals} {_w('meals', lang)}, {m.nights} {_w('nights', lang)}: "
                  f"{_money(m.expected_cents, lang)}")
    if m.advance_cents:
        page.pair(_w("advance", lang), _money(m.advance_cents, lang))
    if m.bookings:
        page.heading(_w("bookings", lang))
        for label, fare, expires in m.bookings:
            page.multi_cell(0, 6, f"• {label}: {_money(fare, lang)}"
                            + (f" ({_day(expires, lang)})" if expires else ""),
                            new_x="LMARGIN", new_y="NEXT")


def _bytes(page: _Page) -> bytes:
    return bytes(page.output())


def mission_pdf(m: MissionDocument, *, lang: str, printed: datetime) -> bytes:
    """The mission order as a PDF."""
    page = _Page(_w("mission_title", lang), m.reference, lang, printed)
    _mission_part(page, m, lang)
    return _bytes(page)


def claim_pdf(c: ClaimDocument, *, lang: str, printed: datetime) -> bytes:
    """The expense claim, its mission, its lines and totals, then its receipts, as a PDF."""
    page = _Page(_w("claim_title", lang), c.reference, lang, printed)
    page.pair(_w("agent", lang), c.agent_name)
    page.pair(_w("purpose", lang), c.title)
    page.pair(_w("state", lang), labels.claim_state(c.state, lang))
    if c.decision:
        page.pair(_w("decision", lang), c.decision)
    if c.mission is not None:
        page.pair(_w("destination", lang), c.mission.destination)
        page.pair(_w("dates", lang), f"{_day(c.mission.starts_on, lang)} – "
                                     f"{_day(c.mission.ends_on, lang)}")
    page.heading(_w("lines", lang))
    widths = (24, 34, 72, 30, 30)
    page.set_font("DejaVu", "B", 9)
    for width, key in zip(widths, ("date", "category", "merchant", "amount", "total"),
                          strict=True):
        page.cell(width, 6, _w(key, lang) if key != "total" else "EUR", border="B")
    page.ln()
    page.set_font("DejaVu", "", 9)
    for line in c.lines:
        original = (_money(line.amount_cents, lang) if line.currency == "EUR"
                    else f"{Decimal(line.amount_cents) / 100:.2f} {line.currency}")
        for width, text in zip(widths, (_day(line.spent_on, lang),
                                        labels.category(line.category, lang),
                                        line.merchant[:40], original,
                                        _money(line.eur_cents, lang)), strict=True):
            page.cell(width, 6, text)
        page.ln()
        if line.mileage:  # the bands the line crossed, under its merchant or trip
            page.cell(sum(widths[:2]), 5, "")
            page.cell(sum(widths[2:]), 5, _split(line, lang))
            page.ln()
    page.ln(2)
    if c.allowance_cents:
        page.pair(_w("allowance", lang), _money(c.allowance_cents, lang))
    page.pair(_w("total", lang), f"{_money(c.total_cents, lang)} "
                                 f"({_w('vat', lang)} {_money(c.vat_cents, lang)})")
    if c.advance_cents:
        page.pair(_w("advance", lang), _money(c.advance_cents, lang))
        page.pair(_w("to_pay", lang), _money(c.total_cents - c.advance_cents, lang))
    for text in c.findings:
        page.multi_cell(0, 5, f"• {text}", new_x="LMARGIN", new_y="NEXT")
    _receipts(page, c, lang)
    return _bytes(page)


def _split(line: LineEntry, lang: str) -> str:
    """ "200 km × 0,32 + 300 km × 0,40" (the rates of the bands a mileage line crossed)."""
    parts = [f"{km} km × {rate.replace('.', ',') if lang == 'fr' else rate}"
             for km, rate in line.mileage]
    return " + ".join(parts)


def _receipts(page: _Page, c: ClaimDocument, lang: str) -> None:
    images = [(line, jpeg) for line in c.lines for jpeg in line.receipts]
    if not images:
        return
    page.add_page()
    page.heading(_w("receipts", lang))
    for line, jpeg in images:
        caption = f"{_day(line.spent_on, lang)} — {line.merchant} — {_money(line.eur_cents, lang)}"
        page.multi_cell(0, 6, caption, new_x="LMARGIN", new_y="NEXT")
        if jpeg is None:
            page.multi_cell(0, 6, _w("receipt_unavailable", lang), new_x="LMARGIN",
                            new_y="NEXT")
            continue
        if page.get_y() > 150:
            page.add_page()
        page.image(io.BytesIO(jpeg), h=120, keep_aspect_ratio=True)
        page.ln(4)
