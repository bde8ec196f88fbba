"""Duplicate detection helpers: exact (SHA-256), near (perceptual hash), facts key (pure)."""

from __future__ import annotations

import hashlib
from itertools import combinations

import numpy as np
from PIL import Image

from ocr.parsing import normalise_merchant

__all__ = ("HASH_BANDS", "NEAR_DUPLICATE_BITS", "dhash", "facts_key", "file_sha256", "hamming",
           "hash_bands", "near_bands")

#: Two receipt images whose 64-bit dHashes differ in at most this many bits look the same.
NEAR_DUPLICATE_BITS = 10
#: A 64-bit hash cut in 4 bands of 16 bits: two hashes at most 10 bits apart differ in at most
#: 10 // 4 = 2 bits in one band at least (pigeonhole), so the stored hashes worth comparing are
#: those with one band among the ~137 values within 2 bits of the new hash's (an index lookup).
HASH_BANDS = 4
_BAND_BITS = 64 // HASH_BANDS
_BAND_RADIUS = NEAR_DUPLICATE_BITS // HASH_BANDS


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


def hash_bands(phash: str) -> tuple[int, ...]:
    """The hash's :data:`HASH_BANDS` bands of 16 bits, most significant first."""
    value, mask = int(phash, 16), (1 << _BAND_BITS) - 1
    return tuple((value >> (_BAND_BITS * (HASH_BANDS - 1 - i))) & mask for i in range(HASH_BANDS))


def near_bands(phash: str) -> tuple[frozenset[int], ...]:
    """For each band, the values within 2 bits of the hash's: a hash at most
    :data:`NEAR_DUPLICATE_BITS` away has its band among them in one band at least."""
    flips = [sum(1 << b for b in bits) for k in range(_BAND_RADIUS + 1)
             for bits in combinations(range(_BAND_BITS), k)]
    return tuple(frozenset(band ^ flip for flip in flips) for band in hash_bands(phash))
