"""Duplicate helpers: exact bytes, near images, same facts."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from ocr.duplicates import NEAR_DUPLICATE_BITS, dhash, facts_key, file_sha256, hamming
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
