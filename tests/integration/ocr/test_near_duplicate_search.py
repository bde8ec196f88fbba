"""The near-duplicate search (a near-identical photo of a receipt already read in the
organisation) compares the new receipt's perceptual hash with a few stored ones found through
an index, not with every reading the organisation ever stored; and still finds every stored
hash within :data:`NEAR_DUPLICATE_BITS`, months apart or not."""

from __future__ import annotations

import importlib
import random
import uuid
from typing import Any

import pytest

import backend.expenses.duplicates as duplicates
from backend.expenses.readings import store_reading
from backend.expenses.tables import ReceiptReading as ReceiptReadingRow
from ocr.duplicates import NEAR_DUPLICATE_BITS, hamming
from ocr.schemas import ReceiptReading
from tests.factories import make_org

STORED = 400


def _reading(phash: str) -> ReceiptReading:
    return ReceiptReading(rule_version="test-1", status="read", perceptual_hash=phash)


def _flip(phash: str, bits: list[int]) -> str:
    value = int(phash, 16)
    for bit in bits:
        value ^= 1 << bit
    return f"{value:016x}"


async def test_a_near_identical_photo_is_found_among_many_comparing_only_a_few(
        monkeypatch: pytest.MonkeyPatch) -> None:
    org, other_org = await make_org(), await make_org()
    rng = random.Random(7)
    target = f"{rng.getrandbits(64):016x}"
    # 10 bits apart, spread over the whole hash (3 + 3 + 2 + 2): still a duplicate.
    near = _flip(target, [63, 60, 57, 47, 44, 41, 30, 20, 14, 3])
    # 11 bits apart: another receipt.
    far = _flip(target, [63, 60, 57, 47, 44, 41, 30, 28, 20, 14, 3])
    assert (hamming(target, near), hamming(target, far)) == (NEAR_DUPLICATE_BITS, 11)
    noise: list[str] = []
    while len(noise) < STORED:
        phash = f"{rng.getrandbits(64):016x}"
        if hamming(phash, target) > NEAR_DUPLICATE_BITS:
            noise.append(phash)
    for phash in noise:
        await store_reading(org.id, uuid.uuid4().hex + uuid.uuid4().hex, _reading(phash))
    near_sha, far_sha = "a" * 64, "b" * 64
    await store_reading(org.id, near_sha, _reading(near))
    await store_reading(org.id, far_sha, _reading(far))
    await store_reading(other_org.id, "c" * 64, _reading(target))  # another organisation's

    compared: list[str] = []

    def counting(a: str, b: str) -> int:
        compared.append(a)
        return hamming(a, b)

    monkeypatch.setattr(duplicates, "hamming", counting)
    found: Any = await duplicates.similar_receipts(org.id, "d" * 64, target)
    assert found == [near_sha]
    assert len(compared) <= STORED // 10, len(compared)  # ~1 % of random hashes share a band


async def test_readings_stored_before_the_bands_existed_are_found_after_the_migration() -> None:
    org = await make_org()
    target = "0123456789abcdef"
    await store_reading(org.id, "e" * 64, _reading(_flip(target, [1, 17, 33])))
    await ReceiptReadingRow.update({column: None for column in duplicates.BAND_COLUMNS}).where(
        ReceiptReadingRow.organisation == org.id)  # as stored before the migration
    assert await duplicates.similar_receipts(org.id, "f" * 64, target) == []
    backfill = importlib.import_module(
        "backend.expenses.piccolo_migrations.expenses_2026_12_06t07_54_00_000000")
    for step in (await backfill.forwards()).raw:
        await step()
    assert await duplicates.similar_receipts(org.id, "f" * 64, target) == ["e" * 64]
