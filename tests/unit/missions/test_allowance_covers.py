"""What a mission's allowance pays instead of receipts (``covers``): one function, read by the
claim's totals (``allowance_share``) and sent to the phone on the mission row."""

from __future__ import annotations

from backend.claims.rules import allowance_share
from backend.missions.rules import allowance_covers, with_covers
from backend.missions.schemas import MissionAllowance

FRANCE = MissionAllowance(rule_set="state-2023", meals=5, nights=2, meals_cents=10000,
                          lodging_cap_cents=24000, abroad_cents=0, expected_cents=34000,
                          advance_cents=0, rate_missing=False, abroad_nights_cents=0)
BERLIN: MissionAllowance = {**FRANCE, "meals_cents": 0, "lodging_cap_cents": 0,
                             "abroad_cents": 26100, "expected_cents": 26100,
                             "abroad_nights_cents": 15600}
TOKYO: MissionAllowance = {**FRANCE, "meals_cents": 0, "lodging_cap_cents": 0,
                           "expected_cents": 0, "rate_missing": True}


def test_meals_in_france_meals_and_nights_abroad_nothing_without_a_rate() -> None:
    assert allowance_covers(FRANCE) == ["meal"]
    assert allowance_covers(BERLIN) == ["meal", "lodging"]
    # Abroad with no daily rate for the country: nothing computed, every line at cost.
    assert allowance_covers(TOKYO) == []
    # No times or no rule set: the allowance is empty.
    assert allowance_covers(MissionAllowance()) == []


def test_the_claims_share_pays_exactly_what_the_mission_says_it_covers() -> None:
    for allowance in (FRANCE, BERLIN, TOKYO, MissionAllowance()):
        share = allowance_share(allowance)
        assert share.covers == set(allowance_covers(allowance)), allowance
        assert share.computed == bool(allowance_covers(allowance)), allowance
    # Abroad without a lodging receipt the nights' share is withheld, the meals still covered.
    unproven = allowance_share(BERLIN, lodging_proven=False)
    assert (unproven.covers, unproven.allowance_cents) == (
        frozenset({"meal", "lodging"}), 26100 - 15600)


def test_a_row_stored_without_covers_gets_it_at_send_time() -> None:
    assert "covers" not in TOKYO
    assert with_covers(TOKYO) == {**TOKYO, "covers": []}
    assert with_covers(BERLIN)["covers"] == ["meal", "lodging"]
    stale: MissionAllowance = {**FRANCE, "covers": ["meal", "lodging"]}  # the figures decide
    assert with_covers(stale)["covers"] == ["meal"]
    assert with_covers(MissionAllowance()) == {}  # nothing computed: nothing to say
