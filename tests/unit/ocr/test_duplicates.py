"""Duplicate helpers: exact bytes, near images, same facts."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageFilter

from ocr.duplicates import (
    HASH_BANDS,
    NEAR_DUPLICATE_BITS,
    dhash,
    facts_key,
    file_sha256,
    hamming,
    hash_bands,
    near_bands,
)
from tests.unit.ocr.samples import receipt_image


def _gray(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"))


def test_exact_duplicate_by_bytes() -> None:
    assert file_sha256(b"abc") == file_sha256(b"abc")
    assert file_sha256(b"abc") != file_sha256(b"abd")


def test_same_receipt_photographed_again_is_near_but_another_receipt_is_not() -> None:
    a, _ = receipt_image(3, 0)
    again = a.resize((a.width * 9 // 10, a.height * 9 // 10)).filter(ImageFilter.GaussianBlur(1))
    other, _ = receipt_image(9, 0)
    ha, h_again, h_other = dhash(_gray(a)), dhash(_gray(again)), dhash(_gray(other))
    assert len(ha) == 16
    assert hamming(ha, h_again) <= NEAR_DUPLICATE_BITS
    assert hamming(ha, h_other) > hamming(ha, h_again)
    assert hamming(ha, h_other) > NEAR_DUPLICATE_BITS


def test_facts_key_ignores_case_and_punctuation_of_the_merchant() -> None:
    assert facts_key("Chez Marcel.", "2024-03-05", 1450) == facts_key("CHEZ MARCEL", "2024-03-05",
                                                                      1450)
    assert facts_key("Chez Marcel", "2024-03-05", 1450) != facts_key("Chez Marcel", "2024-03-05",
                                                                     1451)
    assert facts_key(None, "2024-03-05", 1450) is None


def test_every_hash_within_the_near_distance_shares_a_near_band_and_most_others_do_not() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        a = rng.getrandbits(64)
        flipped = rng.sample(range(64), rng.randint(0, NEAR_DUPLICATE_BITS))
        b = a ^ sum(1 << bit for bit in flipped)
        ha, hb = f"{a:016x}", f"{b:016x}"
        assert any(band in near for band, near in zip(hash_bands(hb), near_bands(ha),
                                                       strict=True)), (ha, hb)
    assert len(near_bands("0" * 16)) == HASH_BANDS
    assert all(len(near) == 1 + 16 + 120 for near in near_bands("0123456789abcdef"))
    unrelated = [f"{rng.getrandbits(64):016x}" for _ in range(5000)]
    near = near_bands("0123456789abcdef")
    shared = sum(any(band in n for band, n in zip(hash_bands(h), near, strict=True))
                 for h in unrelated)
    assert shared < len(unrelated) // 50  # ~0.8 % share a band by chance: the index narrows
