"""Refusal codes of supplier invoices (payments, answers to a suspension), FR/EN."""

from __future__ import annotations

from kernel.errors import Problem, register_codes

__all__ = ("INVOICE_CODES",)

INVOICE_CODES = {
    "INVOICE_NOT_PAYABLE": Problem(409, "Une facture rejetée ne peut pas être payée.",
                                   "A rejected invoice cannot be paid."),
    "PAYMENT_EXCEEDS_DUE": Problem(409, "Ce paiement dépasse le montant restant dû.",
                                   "This payment is more than the amount still due."),
    "INVOICE_NOT_SUSPENDED": Problem(409, "Cette facture n'est pas suspendue : rien à compléter.",
                                     "This invoice is not suspended: nothing to complete."),
    "INVOICE_REJECTED": Problem(409, "Cette facture a été rejetée : elle ne peut plus être "
                                "complétée ; émettez une nouvelle facture.",
                                "This invoice was rejected: it can no longer be completed; "
                                "issue a new invoice."),
    "ATTACHMENT_NOT_DOCUMENT": Problem(415, "Une pièce jointe n'est ni une photo ni un PDF.",
                                       "An attachment is neither a photo nor a PDF."),
}

register_codes(INVOICE_CODES)
