"""Printed words for the codes a document carries (category, state, transport), in French and
English; an unknown code prints as itself (pure: no web or database import)."""

from __future__ import annotations

__all__ = ("category", "claim_state", "mission_state", "transport")

_CATEGORIES = {
    "train": ("Train", "Train"), "plane": ("Avion", "Plane"),
    "taxi": ("Taxi / VTC", "Taxi / ride"),
    "public_transport": ("Transports en commun", "Public transport"),
    "fuel": ("Carburant", "Fuel"), "tolls": ("Péage", "Tolls"),
    "parking": ("Stationnement", "Parking"),
    "mileage": ("Indemnités km", "Mileage"), "meal": ("Repas", "Meal"),
    "lodging": ("Hébergement", "Lodging"), "other": ("Autre", "Other"),
}
# A mission (ordre de mission) is feminine in French, an expense claim (état de frais) not.
_MISSION_STATES = {
    "draft": ("Brouillon", "Draft"), "submitted": ("Envoyée pour validation", "Submitted"),
    "approved": ("Validée", "Approved"), "refused": ("Refusée", "Refused"),
    "returned": ("À corriger", "Returned for changes"), "cancelled": ("Annulée", "Cancelled"),
}
_CLAIM_STATES = {
    "draft": ("Brouillon", "Draft"), "submitted": ("Envoyé pour validation", "Submitted"),
    "approved": ("Validé", "Approved"), "refused": ("Refusé", "Refused"),
    "returned": ("À corriger", "Returned for changes"), "paid": ("Payé", "Paid"),
}
_TRANSPORTS = {
    "train": ("Train", "Train"), "plane": ("Avion", "Plane"),
    "car": ("Véhicule personnel", "Own car"),
    "public_transport": ("Transports en commun", "Public transport"), "boat": ("Bateau", "Boat"),
    "other": ("Autre", "Other"),
}


def _word(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    fr, en = table.get(code, (code, code))
    return en if lang == "en" else fr


def category(code: str, lang: str) -> str:
    return _word(_CATEGORIES, code, lang)


def mission_state(code: str, lang: str) -> str:
    return _word(_MISSION_STATES, code, lang)


def claim_state(code: str, lang: str) -> str:
    return _word(_CLAIM_STATES, code, lang)


def transport(code: str, lang: str) -> str:
    return _word(_TRANSPORTS, code, lang)
