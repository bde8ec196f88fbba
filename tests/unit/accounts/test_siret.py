"""SIRET numbers: Luhn check digit, with La Poste's exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backend.accounts.siret import is_valid_siret, luhn_ok
from tests.factories import siret


def test_known_good_and_bad_numbers() -> None:
    assert is_valid_siret("73282932000074")  # a real, public establishment number
    assert is_valid_siret("732 829 320 00074")  # typed with spaces
    assert not is_valid_siret("73282932000075")  # check digit off by one
    assert not is_valid_siret("7328293200007")  # 13 digits
    assert not is_valid_siret("732829320000744")  # 15 digits
    assert not is_valid_siret("7328293200007A")
    assert not is_valid_siret("")


def test_la_poste_establishments_are_checked_by_digit_sum() -> None:
    assert not luhn_ok("35600000000024")
    assert is_valid_siret("35600000000024")  # digit sum 20: a multiple of 5
    assert not is_valid_siret("35600000000002")  # neither Luhn nor a multiple of 5
    # the same digits outside La Poste's SIREN are refused
    assert not luhn_ok("12300000000024") and not is_valid_siret("12300000000024")


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_numbers_pass_and_any_single_digit_change_fails(seed: int) -> None:
    number = siret(seed)
    assert is_valid_siret(number)
    position = seed % 14
    changed = number[:position] + str((int(number[position]) + 1 + seed % 9) % 10) \
        + number[position + 1:]
    if not changed.startswith("356000000"):
        assert not is_valid_siret(changed)
