"""Invoices as CSV for a spreadsheet (pure: no I/O). French: ``;`` between fields and a decimal
comma, as French spreadsheets read them; English: ``,`` and a decimal point."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from backend.invoices.schemas import InvoiceOut

__all__ = ("EXPORT_MAX", "invoices_csv")

EXPORT_MAX = 5000

_HEADERS = {
    "fr": ["Numéro", "Acheteur", "Émise le", "Montant TTC", "Montant à payer", "Statut", "Étape",
           "Échéance", "En retard", "Jours de retard", "Intérêts moratoires",
           "Indemnité forfaitaire", "Montant payé", "Payée le"],
    "en": ["Number", "Buyer", "Issued on", "Amount incl. VAT", "Amount to pay", "Status", "Stage",
           "Due", "Late", "Days late", "Late-payment interest", "Recovery indemnity",
           "Amount paid", "Paid on"],
}


def _money(cents: int, lang: str) -> str:
    euros, rest = divmod(abs(cents), 100)
    text = f"{'-' if cents < 0 else ''}{euros}.{rest:02d}"
    return text.replace(".", ",") if lang == "fr" else text


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def invoices_csv(items: Sequence[InvoiceOut], lang: str) -> str:
    """One header line, then one line per invoice, in the order given."""
    lang = "en" if lang == "en" else "fr"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow(_HEADERS[lang])
    yes, no = ("oui", "non") if lang == "fr" else ("yes", "no")
    for i in items:
        writer.writerow([
            i.number, i.buyer_name, i.issued_on.isoformat(), _money(i.amount_ttc_cents, lang),
            _money(i.amount_due_cents, lang), i.status_code, i.stage, _day(i.due_at),
            yes if i.late else no, i.days_late, _money(i.interest_cents, lang),
            _money(i.indemnity_cents, lang), _money(i.amount_paid_cents, lang), _day(i.paid_at),
        ])
    return out.getvalue()
