"""Lodging city class from a destination (pure data; organisations may pass it explicitly).

Communes of at least 200,000 inhabitants (INSEE legal populations) besides Paris; Grand Paris
communes other than Paris are not listed here: the agent picks the class when it applies.
"""

from __future__ import annotations

import unicodedata

__all__ = ("city_class_of",)

LARGE_CITIES = frozenset({
    "marseille", "lyon", "toulouse", "nice", "nantes", "montpellier", "strasbourg",
    "bordeaux", "lille", "rennes",
})


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


def city_class_of(destination: str) -> str:
    """``paris``, ``large_city`` or ``base`` from a free-text destination."""
    words = _plain(destination).replace("-", " ").replace(",", " ").split()
    if "paris" in words:
        return "paris"
    if any(word in LARGE_CITIES for word in words):
        return "large_city"
    return "base"
