"""Review reasons a person reads on the line, and two engines' readings merged by field."""

from __future__ import annotations

import datetime as dt

import pytest

from ocr.extract import Line, extract_fields
from ocr.merge import merge_readings, with_source
from ocr.review import REVIEW_MESSAGES, describe, review_reasons
from ocr.schemas import RULE_VERSION, Check, OcrFields, ReceiptReading


def reading(engine: str, *, total: int | None = 1450, date: str | None = "2024-03-05",
            merchant: str | None = "CHEZ MARCEL", auto: bool = False,
            checks: list[Check] | None = None, status: str = "read",
            code: str | None = None) -> ReceiptReading:
    r = ReceiptReading(
        rule_version=RULE_VERSION, status=status, code=code,  # type: ignore[arg-type]
        fields=OcrFields(merchant=merchant, date=date, total_cents=total, currency="EUR"),
        confidence={"total": 0.7, "date": 0.6, "merchant": 0.5, "currency": 0.9},
        checks=checks or [], auto_accept=auto)
    return with_source(r, engine)


@pytest.mark.parametrize(
    ("check", "code"),
    [
        ("vat_rows_sum_to_total", "OCR_REVIEW_SUM"),
        ("ht_plus_vat_equals_total", "OCR_REVIEW_SUM"),
        ("vat_rate_legal", "OCR_REVIEW_VAT_RATE"),
        ("vat_equals_base_times_rate", "OCR_REVIEW_VAT_AMOUNT"),
        ("siret_luhn", "OCR_REVIEW_SIRET"),
        ("payment_equals_total", "OCR_REVIEW_PAYMENT"),
    ],
)
def test_the_failed_check_is_named(check: str, code: str) -> None:
    r = reading("tesseract", checks=[Check(check, False), Check("total_printed_twice", True)])
    assert review_reasons(r) == [code]
    assert "OCR_REVIEW_TOTAL_UNCONFIRMED" not in review_reasons(r)


def test_not_a_receipt_and_unreadable_say_so() -> None:
    assert review_reasons(reading("tesseract", status="rejected", code="OCR_NOT_A_RECEIPT")) \
        == ["OCR_REVIEW_NOT_A_RECEIPT"]
    assert review_reasons(reading("tesseract", status="rejected", code="OCR_CORRUPT_FILE")) \
        == ["OCR_REVIEW_UNREADABLE"]


def test_date_outside_the_mission_even_when_accepted() -> None:
    r = reading("tesseract", auto=True, date="2024-03-09")
    assert review_reasons(r) == []
    mission = (dt.date(2024, 3, 1), dt.date(2024, 3, 5))
    assert review_reasons(r, mission) == ["OCR_REVIEW_DATE_OUTSIDE_MISSION"]
    assert review_reasons(reading("tesseract", auto=True, date="2024-03-05"), mission) == []


def test_missing_fields_and_an_unconfirmed_total() -> None:
    assert review_reasons(reading("tesseract", total=None, date=None)) == [
        "OCR_REVIEW_TOTAL_MISSING", "OCR_REVIEW_DATE_MISSING"]
    assert review_reasons(reading("tesseract")) == ["OCR_REVIEW_TOTAL_UNCONFIRMED"]


def test_every_reason_has_french_and_english_words() -> None:
    for code, (fr, en) in REVIEW_MESSAGES.items():
        assert code.startswith("OCR_REVIEW_") and fr and en and fr != en
    assert describe(["OCR_REVIEW_SUM"], "fr")[0].startswith("Les montants")
    assert describe(["OCR_REVIEW_SUM"], "en")[0].startswith("The amounts")


def test_agreeing_fields_are_marked_both_and_missing_ones_filled() -> None:
    first = reading("tesseract", merchant=None)
    second = reading("rapidocr", auto=True, checks=[Check("payment_equals_total", True)])
    merged = merge_readings(first, second)
    assert merged.engine == "tesseract+rapidocr"
    assert merged.auto_accept
    assert merged.fields.sources["total_cents"] == "both"
    assert merged.fields.sources["merchant"] == "rapidocr"
    assert merged.confidence["total"] > 0.7


def test_the_better_checked_reading_leads_where_they_differ() -> None:
    first = reading("tesseract", total=1850, checks=[Check("vat_rows_sum_to_total", False)])
    second = reading("rapidocr", total=1450, checks=[Check("vat_rows_sum_to_total", True)])
    merged = merge_readings(first, second)
    assert merged.fields.total_cents == 1450
    assert merged.fields.sources["total_cents"] == "rapidocr"
    assert merged.fields.sources["date"] == "both"
    assert "led_by_rapidocr" in merged.flags


def test_two_confident_engines_that_disagree_leave_it_to_a_person() -> None:
    first = reading("tesseract", total=1850, auto=True)
    second = reading("rapidocr", total=1450, auto=True)
    merged = merge_readings(first, second)
    assert not merged.auto_accept
    assert "OCR_REVIEW_ENGINES_DISAGREE" in review_reasons(merged)


def test_a_refused_second_reading_leaves_the_first_standing() -> None:
    first = reading("tesseract")
    second = reading("rapidocr", status="rejected", code="OCR_NOT_A_RECEIPT", total=None)
    assert merge_readings(first, second) is first


def _lines(text: str) -> list[Line]:
    return [Line(t) for t in text.strip().splitlines()]


HOTEL = """
HOTEL DU CENTRE
SIRET 732 829 320 00074
Le 12/03/2024 a 10:11
Nuitee x2 a 95,00   190,00
Taxe de sejour x2   5,00
TOTAL TTC  195,00
TVA 10% sur 172,73  17,27
CB  195,00
"""


def test_hotel_bill_with_tourist_tax_adds_up() -> None:
    from ocr.checks import decide_auto_accept, run_checks

    ex = extract_fields(_lines(HOTEL))
    assert ex.total_cents == 19500
    assert ex.outside_vat == {"tourist_tax": 500}
    checks = run_checks(ex)
    assert all(c.ok is not False for c in checks), checks
    assert decide_auto_accept(ex, checks, 90.0)


def test_restaurant_tip_outside_the_vat_table_adds_up() -> None:
    from ocr.checks import run_checks

    ex = extract_fields(_lines("""
CHEZ MARCEL
Le 05/03/2024 12:45
2 Plat du jour   36,00
Pourboire   2,00
TOTAL TTC   38,00
TOTAL HT   32,73
TOTAL TVA   3,27
CB   38,00
"""))
    assert ex.outside_vat == {"tip": 200}
    by_name = {c.name: c.ok for c in run_checks(ex)}
    assert by_name["ht_plus_vat_equals_total"] is True


def test_sums_that_miss_by_more_than_the_tourist_tax_still_fail() -> None:
    from ocr.checks import run_checks

    ex = extract_fields(_lines(HOTEL.replace("TOTAL TTC  195,00", "TOTAL TTC  198,00")
                               .replace("CB  195,00", "CB  198,00")))
    by_name = {c.name: c.ok for c in run_checks(ex)}
    assert by_name["vat_rows_sum_to_total"] is False


def test_the_review_notification_names_the_failed_check() -> None:
    from notifications.messages import render

    data = {"merchant": "HÔTEL DU CENTRE", "review_fr": describe(["OCR_REVIEW_SUM"], "fr")[0],
            "review_en": describe(["OCR_REVIEW_SUM"], "en")[0]}
    assert render("ocr_needs_review", data, "fr").body.startswith("Les montants")
    assert render("ocr_needs_review", data, "en").body.startswith("The amounts")
    assert "certitude" in render("ocr_needs_review", {"merchant": "X"}, "fr").body
