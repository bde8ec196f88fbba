"""Why a reading needs a person's look: which check failed, as stable codes with FR/EN words.

A reading that is not auto-accepted says what to look at ("the amounts do not add up to the
total", "the SIRET number is not valid"…) instead of a vague "some fields could not be read".
The pipeline computes the reasons it can see alone; the backend adds the date-outside-mission
reason, which needs the mission's dates (:func:`review_reasons` with ``mission``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ocr.schemas import ReceiptReading

__all__ = ("REVIEW_MESSAGES", "describe", "outside_mission", "review_reasons")

#: code → (French, English), in the order a person should look at them.
REVIEW_MESSAGES: dict[str, tuple[str, str]] = {
    "OCR_REVIEW_NOT_A_RECEIPT": (
        "Ce document ne ressemble pas à un justificatif : saisissez la dépense à la main.",
        "This does not look like a receipt: enter the expense by hand.",
    ),
    "OCR_REVIEW_UNREADABLE": (
        "Le justificatif n'a pas pu être lu : saisissez les champs ou reprenez la photo.",
        "The receipt could not be read: type the fields or retake the photo.",
    ),
    "OCR_REVIEW_TOTAL_MISSING": (
        "Montant total introuvable sur le justificatif : saisissez-le.",
        "No total found on the receipt: type it in.",
    ),
    "OCR_REVIEW_DATE_MISSING": (
        "Date introuvable sur le justificatif : saisissez-la.",
        "No date found on the receipt: type it in.",
    ),
    "OCR_REVIEW_SUM": (
        "Les montants ne s'additionnent pas : HT + TVA (+ taxe de séjour, pourboire) ≠ total. "
        "Vérifiez le total.",
        "The amounts do not add up: excl. VAT + VAT (+ tourist tax, tip) ≠ total. "
        "Check the total.",
    ),
    "OCR_REVIEW_PAYMENT": (
        "Le montant payé (carte, espèces) diffère du total lu. Vérifiez le total.",
        "The amount paid (card, cash) differs from the total read. Check the total.",
    ),
    "OCR_REVIEW_VAT_RATE": (
        "Taux de TVA inconnu en France (20 %, 10 %, 5,5 %, 2,1 %). Vérifiez la TVA.",
        "VAT rate not used in France (20 %, 10 %, 5.5 %, 2.1 %). Check the VAT.",
    ),
    "OCR_REVIEW_VAT_AMOUNT": (
        "Le montant de TVA ne correspond pas à la base × le taux. Vérifiez la TVA.",
        "The VAT amount does not match base × rate. Check the VAT.",
    ),
    "OCR_REVIEW_SIRET": (
        "Numéro SIRET invalide (clé de contrôle fausse) : vérifiez-le.",
        "Invalid SIRET number (wrong check digit): check it.",
    ),
    "OCR_REVIEW_DATE_OUTSIDE_MISSION": (
        "La date du justificatif est en dehors des dates de la mission.",
        "The receipt's date is outside the mission's dates.",
    ),
    "OCR_REVIEW_ENGINES_DISAGREE": (
        "Les deux lectures du justificatif diffèrent sur le total ou la date : vérifiez-les.",
        "The two readings of the receipt differ on the total or the date: check them.",
    ),
    "OCR_REVIEW_TOTAL_UNCONFIRMED": (
        "Total lu sans pouvoir le recouper (ni tableau de TVA, ni paiement concordant) : "
        "vérifiez-le.",
        "Total read but not confirmed by a VAT table or a matching payment: check it.",
    ),
}

_SUM_CHECKS = ("ht_plus_vat_equals_total", "vat_rows_sum_to_total",
               "subtotal_plus_adjustments_equals_total", "cash_minus_change_equals_total",
               "rounding_adjustment_equals_total", "section_totals_equals_total")
_BY_CHECK = {
    **dict.fromkeys(_SUM_CHECKS, "OCR_REVIEW_SUM"),
    "payment_equals_total": "OCR_REVIEW_PAYMENT",
    "vat_rate_legal": "OCR_REVIEW_VAT_RATE",
    "vat_equals_base_times_rate": "OCR_REVIEW_VAT_AMOUNT",
    "siret_luhn": "OCR_REVIEW_SIRET",
}


def outside_mission(date: str | None, mission: tuple[dt.date, dt.date] | None) -> bool:
    """Whether a receipt dated ``date`` (ISO) falls outside the mission's first and last day
    (False when either is unknown)."""
    if mission is None or not date:
        return False
    return not mission[0] <= dt.date.fromisoformat(date) <= mission[1]


def review_reasons(
    reading: ReceiptReading, mission: tuple[dt.date, dt.date] | None = None
) -> list[str]:
    """The reasons to look at ``reading``, most important first; ``mission`` is the mission's
    first and last day, when the receipt belongs to one. A date outside it is a reason even on
    an auto-accepted reading."""
    found: set[str] = set()
    if reading.status != "read":
        found.add("OCR_REVIEW_NOT_A_RECEIPT" if reading.code == "OCR_NOT_A_RECEIPT"
                  else "OCR_REVIEW_UNREADABLE")
    else:
        f = reading.fields
        if f.total_cents is None:
            found.add("OCR_REVIEW_TOTAL_MISSING")
        if f.date is None:
            found.add("OCR_REVIEW_DATE_MISSING")
        found.update(_BY_CHECK[c.name] for c in reading.checks
                     if c.ok is False and c.name in _BY_CHECK)
        if "engines_disagree" in reading.flags:
            found.add("OCR_REVIEW_ENGINES_DISAGREE")
        if not reading.auto_accept and not found:
            found.add("OCR_REVIEW_TOTAL_UNCONFIRMED")
        if outside_mission(f.date, mission):
            found.add("OCR_REVIEW_DATE_OUTSIDE_MISSION")
    return [code for code in REVIEW_MESSAGES if code in found]


def describe(codes: list[str], language: Literal["fr", "en"]) -> list[str]:
    """The reasons in plain words, in ``language``."""
    index = 0 if language == "fr" else 1
    return [REVIEW_MESSAGES[code][index] for code in codes if code in REVIEW_MESSAGES]
