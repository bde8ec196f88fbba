"""Policy checks on expense lines, with both the 2019 and the 2023 rule sets as data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import msgspec

from backend.policy.checks import LineFacts, OtherLine, check_line, has_blocking
from backend.policy.rules import STATE_DEFAULTS, RuleSet, mileage_rate, rule_set_at

TODAY = date(2026, 3, 20)
RULES_2023 = rule_set_at(STATE_DEFAULTS, date(2026, 3, 2))
RULES_2019 = rule_set_at(STATE_DEFAULTS, date(2023, 9, 21))


def line(**changes: object) -> LineFacts:
    base = LineFacts(line_id="l1", category="other", spent_on=date(2026, 3, 2),
                     amount_cents=1000, mission_start=date(2026, 3, 1),
                     mission_end=date(2026, 3, 4))
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.code for f in findings}


def test_the_rule_set_in_force_changes_on_2023_09_22() -> None:
    assert RULES_2023 is not None and RULES_2019 is not None
    assert (RULES_2019.meal_cap_cents, RULES_2023.meal_cap_cents) == (1750, 2000)
    assert RULES_2019.lodging_caps_cents["paris"] == 11000
    assert RULES_2023.lodging_caps_cents["paris"] == 14000
    assert rule_set_at(STATE_DEFAULTS, date(2018, 1, 1)) is None


def test_meal_cap_depends_on_the_rule_set() -> None:
    meal = line(category="meal", amount_cents=1900)
    assert "MEAL_OVER_CAP" not in codes(check_line(meal, RULES_2023, today=TODAY))
    found = check_line(meal, RULES_2019, today=TODAY)
    over = next(f for f in found if f.code == "MEAL_OVER_CAP")
    assert over.severity == "warning"
    assert over.figures["cap_cents"] == 1750
    assert "17,50 €" in over.message_fr and "€17.50" in over.message_en


def test_lodging_cap_per_night_by_city_class_and_disability() -> None:
    night = line(category="lodging", amount_cents=13000)
    assert "LODGING_OVER_CAP" in codes(check_line(night, RULES_2023, today=TODAY))
    assert "LODGING_OVER_CAP" not in codes(
        check_line(replace(night, city_class="paris"), RULES_2023, today=TODAY))
    assert "LODGING_OVER_CAP" not in codes(
        check_line(replace(night, city_class="large_city", amount_cents=24000, nights=2),
                   RULES_2023, today=TODAY))
    assert "LODGING_OVER_CAP" not in codes(
        check_line(replace(night, amount_cents=15000, agent_disabled=True), RULES_2023,
                   today=TODAY))
    over = check_line(replace(night, city_class="paris", amount_cents=14500), RULES_2023,
                      today=TODAY)
    assert next(f for f in over if f.code == "LODGING_OVER_CAP").figures[
        "cap_per_night_cents"] == 14000


def test_mileage_rates_by_horsepower_and_annual_band() -> None:
    rates = RULES_2023.mileage_rates if RULES_2023 else ()
    assert mileage_rate(rates, fiscal_cv=5, annual_km=1500) == Decimal("0.32")
    assert mileage_rate(rates, fiscal_cv=7, annual_km=2001) == Decimal("0.51")
    assert mileage_rate(rates, fiscal_cv=9, annual_km=12000) == Decimal("0.32")
    trip = line(category="mileage", km=Decimal("100"), fiscal_cv=6, agent_annual_km=5000,
                amount_cents=5100)
    assert "MILEAGE_AMOUNT" not in codes(check_line(trip, RULES_2023, today=TODAY))
    wrong = check_line(replace(trip, amount_cents=6000), RULES_2023, today=TODAY)
    finding = next(f for f in wrong if f.code == "MILEAGE_AMOUNT")
    assert finding.figures["expected_cents"] == 5100
    assert "MILEAGE_DATA_MISSING" in codes(
        check_line(replace(trip, km=None), RULES_2023, today=TODAY))


def test_dates_outside_the_mission_or_in_the_future() -> None:
    assert "DATE_OUTSIDE_MISSION" in codes(
        check_line(line(spent_on=date(2026, 3, 5)), RULES_2023, today=TODAY))
    assert "DATE_IN_FUTURE" in codes(
        check_line(line(spent_on=date(2026, 3, 21), mission_end=date(2026, 3, 30)),
                   RULES_2023, today=TODAY))
    assert codes(check_line(line(), RULES_2023, today=TODAY)) == set()


def test_vat_rate_plausibility_and_sum() -> None:
    taxi = line(category="taxi", vat_rates=(Decimal("20"),))
    assert "VAT_RATE_IMPLAUSIBLE" in codes(check_line(taxi, RULES_2023, today=TODAY))
    assert "VAT_RATE_IMPLAUSIBLE" in codes(
        check_line(line(vat_rates=(Decimal("7"),)), RULES_2023, today=TODAY))
    meal = line(category="meal", amount_cents=1850, vat_rates=(Decimal("10"), Decimal("20")),
                ht_cents=1650, vat_cents=200)
    assert codes(check_line(meal, RULES_2023, today=TODAY)) == set()
    wrong = check_line(replace(meal, vat_cents=300), RULES_2023, today=TODAY)
    assert next(f for f in wrong if f.code == "VAT_SUM_MISMATCH").figures["gap_cents"] == 100


def test_duplicates_by_image_hash_or_merchant_date_amount() -> None:
    mine = line(merchant="Café de la Gare", receipt_hashes=("abc",))
    same_image = OtherLine("l2", date(2025, 1, 1), 99, "Autre", ("abc",))
    same_facts = OtherLine("l3", date(2026, 3, 2), 1000, "CAFE DE LA  GARE")
    different = OtherLine("l4", date(2026, 3, 2), 1001, "Café de la Gare")
    for other, reason in ((same_image, "same_image"), (same_facts, "same_merchant_date_amount")):
        found = check_line(mine, RULES_2023, today=TODAY, others=[other])
        assert next(f for f in found if f.code == "DUPLICATE_RECEIPT").figures["reason"] == reason
    assert "DUPLICATE_RECEIPT" not in codes(
        check_line(mine, RULES_2023, today=TODAY, others=[different, OtherLine(
            "l1", date(2026, 3, 2), 1000, "Café de la Gare")]))


def test_blocking_only_where_the_organisation_says_so() -> None:
    assert RULES_2023 is not None
    strict = msgspec.structs.replace(RULES_2023, blocking=frozenset({"MEAL_OVER_CAP"}))
    found = check_line(line(category="meal", amount_cents=2500, spent_on=date(2026, 3, 9)),
                       strict, today=TODAY)
    assert {f.code: f.severity for f in found} == {
        "MEAL_OVER_CAP": "blocking", "DATE_OUTSIDE_MISSION": "warning"}
    assert has_blocking(found)


def test_rule_sets_round_trip_as_json_data() -> None:
    encoded = msgspec.json.encode(list(STATE_DEFAULTS))
    decoded = msgspec.json.decode(encoded, type=list[RuleSet])
    assert decoded == list(STATE_DEFAULTS)


def test_no_rule_set_in_force_is_reported() -> None:
    assert "NO_RULES" in codes(check_line(line(), None, today=TODAY))


def test_city_class_from_the_destination() -> None:
    from backend.policy.cities import city_class_of

    assert city_class_of("Paris 15e") == "paris"
    assert city_class_of("Saint-Étienne") == "base"
    assert city_class_of("Lyon, Part-Dieu") == "large_city"
    assert city_class_of("Aix-en-Provence") == "base"


def test_rates_are_written_as_people_write_them() -> None:
    """A taxi at 20 % (stored as 2000 basis points) read "2E+1 %" in the stored finding."""
    from backend.policy.services import CheckedLine, line_facts

    stored = CheckedLine(id="l1", category="taxi", spent_on=date(2026, 3, 2), amount_cents=3000,
                         currency="EUR", vat_rate_bp=2000, vat_cents=500)
    facts = line_facts(stored, mission=None, annual_km=0, city_class="base")
    [finding] = [f for f in check_line(facts, RULES_2023, today=TODAY)
                 if f.code == "VAT_RATE_IMPLAUSIBLE"]
    assert "20 %" in finding.message_fr and "20 %" in finding.message_en
    assert finding.figures["rates"] == ["20"]
    odd = check_line(line(category="taxi", vat_rates=(Decimal("5.5"),)), RULES_2023, today=TODAY)
    [finding] = [f for f in odd if f.code == "VAT_RATE_IMPLAUSIBLE"]
    assert ("5,5 %" in finding.message_fr, "5.5 %" in finding.message_en) == (True, True)
    assert "E+" not in msgspec.json.encode(odd).decode()
