"""Each conflict rule, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sync.conflicts import (
    FieldConflict,
    check_not_deleted,
    merge_draft,
)
from sync.outcomes import Noop, Rejected

MONEY = ("amount_cents", "currency", "vat_rate_bp", "vat_cents")
ROW = {"merchant": "SNCF", "description": "Paris", "amount_cents": 1000, "currency": "EUR",
       "vat_rate_bp": 1000, "vat_cents": 91}


def test_edit_on_fresh_base_applies_without_conflict() -> None:
    result = merge_draft(current=ROW, field_versions={"merchant": 1}, base_version=1,
                         changes={"merchant": "SNCF Connect"}, new_version=2, money_fields=MONEY)
    assert result.values == {"merchant": "SNCF Connect"}
    assert result.field_versions["merchant"] == 2
    assert result.conflicts == []


def test_text_later_arrival_wins_and_reports_loser() -> None:
    result = merge_draft(current=ROW, field_versions={"merchant": 3}, base_version=2,
                         changes={"merchant": "Taxi G7"}, new_version=4, money_fields=MONEY)
    assert result.values == {"merchant": "Taxi G7"}
    assert result.conflicts == [FieldConflict("merchant", "SNCF", "Taxi G7")]


def test_concurrent_edit_of_other_field_merges_silently() -> None:
    result = merge_draft(current=ROW, field_versions={"merchant": 3, "description": 1},
                         base_version=2, changes={"description": "Lyon"}, new_version=4,
                         money_fields=MONEY)
    assert result.values == {"description": "Lyon"}
    assert result.conflicts == []


def test_same_value_is_not_a_conflict() -> None:
    result = merge_draft(current=ROW, field_versions={"merchant": 3}, base_version=2,
                         changes={"merchant": "SNCF"}, new_version=4, money_fields=MONEY)
    assert result.values == {} and result.conflicts == []


def test_money_group_concurrent_change_is_rejected_with_both_values() -> None:
    with pytest.raises(Rejected) as caught:
        merge_draft(current=ROW, field_versions={"vat_cents": 3}, base_version=2,
                    changes={"amount_cents": 2000}, new_version=4, money_fields=MONEY)
    assert caught.value.code == "MONEY_CONFLICT"
    assert caught.value.details["server"]["amount_cents"] == 1000
    assert caught.value.details["client"]["amount_cents"] == 2000
    assert caught.value.details["client"]["vat_cents"] == 91


def test_money_group_unchanged_concurrently_applies_as_a_unit() -> None:
    result = merge_draft(current=ROW, field_versions={"amount_cents": 1}, base_version=2,
                         changes={"amount_cents": 2000, "vat_cents": 182}, new_version=3,
                         money_fields=MONEY)
    assert result.values == {"amount_cents": 2000, "vat_cents": 182}
    assert result.field_versions["amount_cents"] == result.field_versions["vat_cents"] == 3


def test_money_group_concurrent_but_identical_values_applies() -> None:
    result = merge_draft(current=ROW, field_versions={"amount_cents": 5}, base_version=2,
                         changes={"amount_cents": 1000}, new_version=6, money_fields=MONEY)
    assert result.values == {} and result.conflicts == []


def test_delete_beats_edit() -> None:
    assert check_not_deleted(datetime.now(UTC)) == Noop("ROW_DELETED")
    assert check_not_deleted(None) is None


def test_the_senders_own_earlier_change_is_not_concurrent() -> None:
    """A phone's second offline edit of the amount, on the base it last pulled, after its own
    first edit (version 2) was applied: merged, not MONEY_CONFLICT with itself."""
    current = {**ROW, "amount_cents": 5000}
    versions = dict.fromkeys(MONEY, 2)
    result = merge_draft(current=current, field_versions=versions, base_version=1,
                         changes={"amount_cents": 5200}, new_version=3, money_fields=MONEY,
                         own_fields=set(MONEY))
    assert result.values == {"amount_cents": 5200} and result.conflicts == []
    with pytest.raises(Rejected):  # another device's change of the same group still conflicts
        merge_draft(current=current, field_versions=versions, base_version=1,
                    changes={"amount_cents": 5200}, new_version=3, money_fields=MONEY)
    text = merge_draft(current=ROW, field_versions={"merchant": 2}, base_version=1,
                       changes={"merchant": "Ouigo"}, new_version=3, own_fields={"merchant"})
    assert text.values == {"merchant": "Ouigo"} and text.conflicts == []
