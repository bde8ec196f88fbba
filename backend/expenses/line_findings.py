"""The server's findings on an expense line about its receipts (pure: no web or database import).

Kept in the line's ``ocr`` column (``ocr.findings``) and synced with it, in the shape of the
policy findings of a claim (code, severity, FR/EN message, figures), so the phone shows them on
the line and the claims workflow copies them into a submitted claim for the manager. Codes:

- ``RECEIPTS_DIFFER``: the line adds up receipts of different kinds (a hotel and a taxi); the
  phone offers to split it into one line per receipt.
- ``RECEIPT_DATE_OUTSIDE_MISSION``: a receipt is dated outside its mission (a 2018 receipt on a
  2026 mission); the same test as the reading's review reason (``ocr.review.outside_mission``).
- ``DUPLICATE_RECEIPT``: the receipt (same file, a near-identical photo, or the same merchant,
  date and amount) is already on another line of the organisation, the agent's own or a
  colleague's (the policy check at submission uses the same code for the agent's own lines).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from backend.expenses.receipt_totals import ReceiptEntry
from backend.policy.checks import Figure, StoredFinding
from ocr.review import outside_mission

__all__ = ("DUPLICATE_REASONS", "LINE_FINDING_CODES", "Duplicate", "line_findings")

LINE_FINDING_CODES = ("DUPLICATE_RECEIPT", "RECEIPTS_DIFFER", "RECEIPT_DATE_OUTSIDE_MISSION")
DuplicateReason = Literal["same_image", "similar_image", "same_merchant_date_amount"]
DUPLICATE_REASONS: dict[str, tuple[str, str]] = {
    "same_image": ("même fichier", "same file"),
    "similar_image": ("photo presque identique", "near-identical photo"),
    "same_merchant_date_amount": (
        "même commerçant, même date, même montant",
        "same merchant, date and amount",
    ),
}


@dataclass(frozen=True)
class Duplicate:
    """A receipt of this line found on another line of the organisation."""

    sha256: str
    other_line_id: str
    reason: DuplicateReason
    colleague: bool  # the other line is another agent's


def _fr_money(cents: int | None, currency: str = "EUR") -> str:
    if cents is None:
        return "?"
    text = f"{Decimal(cents) / 100:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €" if currency == "EUR" else f"{text} {currency}"


def _en_money(cents: int | None, currency: str = "EUR") -> str:
    if cents is None:
        return "?"
    text = f"{Decimal(cents) / 100:,.2f}"
    return f"€{text}" if currency == "EUR" else f"{text} {currency}"


def _fr_day(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "?"


def _receipt_fr(entry: ReceiptEntry | None) -> str:
    merchant, cents = (entry.get("merchant"), entry.get("amount_cents")) if entry else (None, None)
    return f"{merchant or 'sans nom'} {_fr_money(cents)}"


def _receipt_en(entry: ReceiptEntry | None) -> str:
    merchant, cents = (entry.get("merchant"), entry.get("amount_cents")) if entry else (None, None)
    return f"{merchant or 'unnamed'} {_en_money(cents)}"


def _finding(code: str, fr: str, en: str, **figures: Figure) -> StoredFinding:
    return StoredFinding(code=code, severity="warning", message_fr=fr, message_en=en,
                         figures=figures)


def line_findings(
    title: str,
    entries: Sequence[ReceiptEntry],
    *,
    mission: tuple[dt.date, dt.date] | None,
    duplicates: Sequence[Duplicate] = (),
) -> list[StoredFinding]:
    """The findings on a line titled ``title`` (its merchant, else its category) from its
    receipts' ``entries`` (``backend.expenses.receipt_totals``), its mission's first and last
    day and the duplicates found for its receipts; duplicates first."""
    found: list[StoredFinding] = []
    by_sha = {e["sha256"]: e for e in entries}
    for dup in duplicates:
        entry = by_sha.get(dup.sha256)
        why_fr, why_en = DUPLICATE_REASONS[dup.reason]
        where_fr = (
            "d’un autre agent de votre organisation"
            if dup.colleague
            else "d’une autre de vos lignes"
        )
        where_en = (
            "another agent's expense line in your organisation"
            if dup.colleague
            else "another of your expense lines"
        )
        found.append(
            _finding(
                "DUPLICATE_RECEIPT",
                f"Ligne « {title} » : le justificatif {_receipt_fr(entry)} figure déjà sur "
                f"la ligne {where_fr} ({why_fr}). Retirez-le s’il a déjà été présenté.",
                f"Line “{title}”: the receipt {_receipt_en(entry)} is already on {where_en} "
                f"({why_en}). Remove it if it was already claimed.",
                sha256=dup.sha256,
                other_line_id=dup.other_line_id,
                reason=dup.reason,
                colleague=dup.colleague,
            )
        )
    if len(entries) > 1 and len({e["category"] for e in entries if e.get("category")}) > 1:
        total = sum(int(e.get("amount_cents") or 0) for e in entries)
        found.append(
            _finding(
                "RECEIPTS_DIFFER",
                f"Ligne « {title} » : {len(entries)} justificatifs de natures différentes "
                f"({' ; '.join(_receipt_fr(e) for e in entries)}) sont additionnés "
                f"({_fr_money(total)}). Séparez-la en une ligne par justificatif.",
                f"Line “{title}”: {len(entries)} receipts of different kinds "
                f"({'; '.join(_receipt_en(e) for e in entries)}) are added up "
                f"({_en_money(total)}). Split it into one line per receipt.",
                receipts=[e["sha256"] for e in entries],
                total_cents=total,
                categories=[e.get("category") for e in entries],
            )
        )
    for entry in entries:
        if mission is not None and outside_mission(entry.get("date"), mission):
            start, end = mission
            found.append(
                _finding(
                    "RECEIPT_DATE_OUTSIDE_MISSION",
                    f"Ligne « {title} » : le justificatif {_receipt_fr(entry)} est daté du "
                    f"{_fr_day(entry.get('date'))}, hors de la mission ({start:%d/%m/%Y} – "
                    f"{end:%d/%m/%Y}). Vérifiez la date ou retirez ce justificatif.",
                    f"Line “{title}”: the receipt {_receipt_en(entry)} is dated "
                    f"{entry.get('date')}, outside the mission ({start.isoformat()} – "
                    f"{end.isoformat()}). Check the date or remove this receipt.",
                    sha256=entry["sha256"],
                    date=entry.get("date"),
                    mission_start=start.isoformat(),
                    mission_end=end.isoformat(),
                )
            )
    return found
