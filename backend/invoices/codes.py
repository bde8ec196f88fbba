"""Refusal codes of supplier invoices (payments, answers to a suspension), FR/EN."""

from __future__ import annotations

from backend.errors import Problem, register_codes

__all__ = ("INVOICE_CODES",)

INVOICE_CODES = {
    "INVOICE_NOT_PAYABLE": Problem(409, "Une facture rejetée ne peut pas être payée.",
                                   "A rejected invoice cannot be paid."),
    "PAYMENT_EXCEEDS_DUE": Problem(409, "Ce paiement dépasse le montant restant dû.",
                                   "This payment is more than the amount still due."),
}

register_codes(INVOICE_CODES)
