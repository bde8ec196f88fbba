"""Duplicate detection helpers: exact (SHA-256), near (perceptual hash), facts key (pure)."""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image

from ocr.parsing import normalise_merchant

__all__ = ("NEAR_DUPLICATE_BITS", "dhash", "facts_key", "file_sha256", "hamming")

#: Two receipt images whose 64-bit dHashes differ in at most this many bits look the same.
NEAR_DUPLICATE_BITS = 10


def file_sha256(data: bytes) -> str:
    """Hex SHA-256 of the uploaded bytes (exact duplicate)."""
    return hashlib.sha256(data).hexdigest()


def dhash(gray: np.ndarray, size: int = 8) -> str:
    """Difference hash of a (cropped, upright) receipt: 64 bits as 16 hex digits."""
    small = Image.fromarray(gray).convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).ravel()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:0{size * size // 4}x}"


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def facts_key(merchant: str | None, date: str | None, total_cents: int | None) -> str | None:
    """'MERCHANT|YYYY-MM-DD|cents' for facts duplicates; None when a fact is missing."""
    if not merchant or not date or total_cents is None:
        return None
    return f"{normalise_merchant(merchant)}|{date}|{total_cents}"
