"""SIRET numbers: 14 digits (SIREN 9 + NIC 5) with a Luhn check digit.

La Poste is the known exception: its establishments share the SIREN 356 000 000 and their SIRET
often do not pass Luhn; they are checked instead by the sum of the 14 digits being a multiple of 5.
"""

from __future__ import annotations

__all__ = ("LA_POSTE_SIREN", "is_valid_siret", "luhn_ok", "normalise_siret")

LA_POSTE_SIREN = "356000000"


def normalise_siret(raw: str) -> str:
    """``raw`` without the spaces, dots and dashes people type between digit groups."""
    return "".join(ch for ch in raw if ch not in " .-\u00a0\u202f")


def luhn_ok(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn check (rightmost digit is the check)."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_siret(raw: str) -> bool:
    """Whether ``raw`` (spaces allowed) is a well-formed SIRET: 14 digits passing Luhn, or a La
    Poste establishment (SIREN 356000000) whose digits add up to a multiple of 5."""
    siret = normalise_siret(raw)
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()):
        return False
    if luhn_ok(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(map(int, siret)) % 5 == 0
