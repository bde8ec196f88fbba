"""A shop name misread by one engine, corrected by the other's letters (pure rules)."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import numpy as np

from ocr.engine import OcrLine, OcrText
from ocr.merchant_check import same_name_misread, with_spacing
from ocr.merge import MERCHANT_MARGIN, merge_readings, stronger_merchant, with_source
from ocr.schemas import RULE_VERSION, Candidate, Check, OcrFields, ReceiptReading
from ocr.strips import crop_strip


def test_a_letter_or_two_misread_is_the_same_name() -> None:
    assert same_name_misread("SANYO STATIONERY SHOP", "SANYUSTATIONERYSHOP")
    assert same_name_misread("MEGA RETAIL SDN BHD", "MEGAH RETAIL SDN BHD")  # a lost letter
    assert same_name_misread("ALK HUAT HARDWARE ENTERPRISE", "AIK HUAT HARDWARF ENTERPRISE")


def test_another_name_a_lost_double_letter_or_the_same_reading_is_not() -> None:
    assert not same_name_misread("SANYO STATIONERY SHOP", "SANYU SUPPLY SDN BHD")
    assert not same_name_misread("SEAFOOD RESTAURANT", "SEAFOD RESTAURANT")
    assert not same_name_misread("Café de l'Est", "CAFE DE L EST")  # accents and case aside
    assert not same_name_misread("TAXI G7", "TAXI G1 LYON")
    assert not same_name_misread("ABC", "ABD XYZ")  # a short name allows one change only


def test_the_first_readings_spacing_and_capitals_are_kept() -> None:
    assert with_spacing("SANYO STATIONERY SHOP", "SANYUSTATIONERYSHOP") == "SANYU STATIONERY SHOP"
    assert with_spacing("MEGA RETAIL SDN BHD", "MEGAHRETAIL SDN BHD") == "MEGAH RETAIL SDN BHD"
    assert with_spacing("AIK HUAT", "Aik HuaT") == "AIK HUAT"
    assert with_spacing("Anzel Advertising", "Angel Advertising") == "Angel Advertising"


def _reading(engine: str, merchant: str, auto: bool) -> ReceiptReading:
    r = ReceiptReading(
        rule_version=RULE_VERSION,
        status="read",
        fields=OcrFields(merchant=merchant, date="2024-03-05", total_cents=1450),
        confidence={"total": 0.7, "merchant": 0.6},
        auto_accept=auto,
        checks=[Check("payment_equals_total", True)] if auto else [],
    )
    return with_source(r, engine)


def test_the_merge_takes_rapidocrs_letters_even_when_tesseract_leads() -> None:
    first = _reading("tesseract", "TANJONGHAS BOOKCENTRE", auto=True)
    second = _reading("rapidocr", "TANJONGMAS BOOKCENTRE", auto=False)
    merged = merge_readings(first, second)
    assert "led_by_tesseract" in merged.flags
    assert merged.fields.merchant == "TANJONGMAS BOOKCENTRE"
    assert merged.fields.sources["merchant"] == "rapidocr"


def test_the_merge_keeps_the_leaders_merchant_when_the_names_differ() -> None:
    first = _reading("tesseract", "HOTEL DU CENTRE", auto=True)
    second = _reading("rapidocr", "RESTAURANT LE PORT", auto=False)
    merged = merge_readings(first, second)
    assert merged.fields.merchant == "HOTEL DU CENTRE"
    assert merged.fields.sources["merchant"] == "tesseract"


def _scored(engine: str, merchant: str, score: float, auto: bool) -> ReceiptReading:
    r = _reading(engine, merchant, auto)
    return msgspec.structs.replace(
        r, candidates=[Candidate("merchant", merchant, score, 0, "top line")])


def test_the_merge_takes_the_other_engines_name_when_it_scores_clearly_higher() -> None:
    # Tesseract read the registered name; RapidOCR garbled it and fell on the branch line.
    first = _scored("tesseract", "SELASIH EKSLUSIF SDN BHD", 5.6, auto=False)
    second = _scored("rapidocr", "Duty Free Zone (JB)", 2.2, auto=True)
    merged = merge_readings(first, second)
    assert "led_by_rapidocr" in merged.flags
    assert merged.fields.merchant == "SELASIH EKSLUSIF SDN BHD"
    assert merged.fields.sources["merchant"] == "tesseract"
    assert stronger_merchant(second, first)
    # Within the margin the leading reading's name stands.
    close = _scored("tesseract", "Laman Rimbunan Kepong", 2.2 + MERCHANT_MARGIN - 0.1, False)
    assert merge_readings(close, second).fields.merchant == "Duty Free Zone (JB)"


def test_a_strip_of_faded_grey_print_is_cut_to_its_text_not_to_a_speck() -> None:
    page = np.full((60, 400), 235, dtype=np.uint8)
    page[20:40, 100:300] = 185  # faded thermal print: grey, nowhere darker than mid-grey
    page[20:40, 5] = 30  # one dark speck at the left edge
    strip = crop_strip(page, OcrLine("99 SPEED MART S/B", 70.0, 20, 20))
    assert strip.shape[1] >= 200  # the whole line of text, not the speck
    blank = np.full((60, 400), 235, dtype=np.uint8)
    assert crop_strip(blank, OcrLine("", 0.0, 20, 20)).shape[1] == 400  # nothing to cut to


def _reread(printed: list[str], tesseract: list[str], chosen_line: int = 0,
            score: float = 5.0) -> tuple[str, bool] | None:
    """The second look on a header Tesseract read as ``tesseract`` and RapidOCR's recogniser
    reads as ``printed`` (confident), the first engine's name on ``chosen_line`` and every
    other line a weaker name."""
    from ocr.engine import OcrLine
    from ocr.merchant_check import reread_merchant
    from ocr.schemas import Candidate

    page = np.full((40 * len(printed) + 20, 600), 255, dtype=np.uint8)
    for i in range(len(printed)):
        page[20 + 40 * i : 40 + 40 * i, 40:560] = 10 * i  # each line's ink tells which it is
    lines = [OcrLine(text, 92.0, 20 + 40 * i, 20) for i, text in enumerate(tesseract)]
    chosen = Candidate("merchant", tesseract[chosen_line], score, chosen_line, "top line")
    others = [Candidate("merchant", text, -5.0, i, "top line")
              for i, text in enumerate(tesseract) if i != chosen_line]

    def read_strips(strips: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(printed[int(strip.min()) // 10], 97.0) for strip in strips]

    return reread_merchant(page, lines, chosen, read_strips, [chosen, *others])


def test_the_second_look_takes_the_names_line_as_read_again_but_not_a_collapsed_double() -> None:
    address = "12 RUE DE LA PAIX"
    assert _reread(["MAISON YAM", address], ["MAISON YEN", address]) == ("MAISON YAM", True)
    assert _reread(["SANYU STATIONERY SHOP", address], ["SANYO STATIONERY SHOP 3", address]) == (
        "SANYU STATIONERY SHOP", True)
    assert _reread(["9 SPEED MART S/B", address], ["99 SPEED MART S/B", address]) is None
    assert _reread(["BOULANGERIE DU MARCHE", address], ["BOULANGERIE DU MARCHE", address]) == (
        "BOULANGERIE DU MARCHE", False)


def test_another_line_needs_a_clear_margin_and_a_weak_line_never_wins() -> None:
    header = ["MR RIY (M) SON BUD", "MAISON ROUSSEL SARL", "12 RUE DE LA PAIX"]
    tesseract = ["RIY GARBLE", "MAISON ROUSSEL SARL", "12 RUE DE LA PAIX"]
    # The name Tesseract chose is read the same on its line: confirmed, whatever line 0 says.
    assert _reread(header, tesseract, 1, 4.0) == ("MAISON ROUSSEL SARL", False)
    # A name on another line scoring far above the first one's replaces it.
    assert _reread(["HOTEL DU LAC SARL", "12 RUE DE LA PAIX"], ["ii ::", "12 RUE DE LA PAIX"],
                   1, -2.0) == ("HOTEL DU LAC SARL", True)


def test_a_sure_name_is_read_again_alone_a_weak_one_with_the_next_best_names() -> None:
    from ocr.merchant_check import OTHER_NAMES, SURE_NAME, _lines_to_read
    from ocr.schemas import Candidate

    others = [Candidate("merchant", f"NAME {i}", 1.0 - i / 10, i, "top line") for i in range(1, 8)]
    sure = Candidate("merchant", "ORCHID TRADING SDN BHD", SURE_NAME + 1, 0, "top line")
    weak = Candidate("merchant", "ORCHID", SURE_NAME - 2, 0, "top line")
    joined = Candidate("merchant", "ORCHID TRADING SDN BHD", SURE_NAME + 1, 2, "lines joined")
    assert _lines_to_read(sure, [sure, *others], 10) == [0]
    assert _lines_to_read(weak, [weak, *others], 10) == list(range(OTHER_NAMES + 1))
    assert _lines_to_read(joined, [joined], 4) == [2, 3]  # three lines, within the header


def _band_reader(lines: list[str], seen: list[tuple[int, ...]]
                 ) -> Callable[[np.ndarray], OcrText]:
    def recognise(band: np.ndarray) -> OcrText:
        seen.append(band.shape)
        return OcrText([OcrLine(t, 95.0, 20 * i, 18) for i, t in enumerate(lines)], 9, 9, 95.0)
    return recognise


_PAGE = np.full((1000, 400), 255, np.uint8)
#: Tesseract lost the large shop name: its header starts with the payment mode.
_LOST_HEADER = [OcrLine("CASH", 90.0, 200, 20), OcrLine("No. 2 Jalan Ros", 90.0, 230, 20),
                OcrLine("Date: 12/02/2018", 90.0, 260, 20)]


def test_a_weak_name_is_replaced_by_the_name_the_whole_header_band_shows() -> None:
    from ocr.merchant_check import WEAK_NAME, read_weak_name

    chosen = Candidate("merchant", "CASH", WEAK_NAME - 1.5, 0, "top line")
    seen: list[tuple[int, ...]] = []
    found = read_weak_name(_PAGE, _LOST_HEADER, chosen, _band_reader(
        ["TEO HENG STATIONERY & BOOKS", "(001234-K)", "No. 2 Jalan Ros"], seen))
    assert found == ("TEO HENG STATIONERY & BOOKS", True)
    assert seen == [(290, 400)]  # the band ends under the header's lines, not the page


def test_a_sure_name_is_not_read_again_and_a_stamp_beside_a_weak_one_confirms_it() -> None:
    from ocr.merchant_check import WEAK_NAME, read_weak_name

    seen: list[tuple[int, ...]] = []
    sure = Candidate("merchant", "FIVE STAR CASH & CARRY", WEAK_NAME + 1.0, 0, "top line")
    assert read_weak_name(_PAGE, _LOST_HEADER, sure, _band_reader(["X"], seen)) is None
    assert seen == []
    weak = Candidate("merchant", "FIVE STAR CASH & CARRY", WEAK_NAME - 0.2, 0, "top line")
    stamped = _band_reader(["POSTED FIVE STAR CASH & CARRY", "Lot 5 Jalan Ros"], seen)
    assert read_weak_name(_PAGE, _LOST_HEADER, weak, stamped) == ("FIVE STAR CASH & CARRY", False)
