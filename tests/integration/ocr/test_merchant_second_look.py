"""RapidOCR reads again the header and the date line of a reading Tesseract got accepted: a
misread letter or digit is corrected, an agreeing field confirmed, a longer name on that line
or another date never swapped in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import rapid
from ocr.date_check import reread_date
from ocr.engine import OcrLine
from ocr.merchant_check import reread_merchant
from ocr.schemas import Candidate

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _header(rows: list[str]) -> tuple[np.ndarray, list[OcrLine]]:
    """A receipt header printed in black on white, with each row's place as an engine gives."""
    if not FONT.exists():
        pytest.skip("DejaVu fonts missing")  # pragma: no cover - the setup installs them
    font = ImageFont.truetype(str(FONT), 34)
    image = Image.new("L", (900, 70 * len(rows) + 40), 255)
    draw = ImageDraw.Draw(image)
    lines = []
    for i, row in enumerate(rows):
        top = 20 + 70 * i
        draw.text((60, top), row, font=font, fill=0)
        lines.append(OcrLine(row, 92.0, top + 4, 34))
    return np.asarray(image), lines


def _misread(lines: list[OcrLine], i: int, text: str) -> list[OcrLine]:
    """``lines`` with line ``i`` as Tesseract misread it (same place, full confidence)."""
    out = list(lines)
    out[i] = OcrLine(text, 95.0, lines[i].top, lines[i].height)
    return out


def _chosen(name: str, score: float = 5.0, line: int = 0) -> Candidate:
    return Candidate("merchant", name, score, line, "top line")


def test_a_letter_tesseract_misread_is_corrected() -> None:
    gray, lines = _header(["SANYU STATIONERY SHOP", "NO. 31G JALAN SETIA"])
    misread = _misread(lines, 0, "SANYO STATIONERY SHOP")
    found = reread_merchant(gray, misread, _chosen("SANYO STATIONERY SHOP"), rapid.read_strips)
    assert found == ("SANYU STATIONERY SHOP", True)


def test_letters_misread_on_the_names_line_take_the_second_reading() -> None:
    gray, lines = _header(["MAISON YAM", "12 RUE DE LA PAIX", "75002 PARIS"])
    misread = _misread(lines, 0, "MAISON YEN")
    found = reread_merchant(gray, misread, _chosen("MAISON YEN"), rapid.read_strips)
    assert found == ("MAISON YAM", True)


def test_an_agreeing_reading_confirms_the_name() -> None:
    gray, lines = _header(["BOULANGERIE DU MARCHE", "12 RUE DE LA PAIX"])
    found = reread_merchant(gray, lines, _chosen("BOULANGERIE DU MARCHE"), rapid.read_strips)
    assert found == ("BOULANGERIE DU MARCHE", False)


def test_a_longer_name_read_on_that_line_changes_nothing_without_a_clear_margin() -> None:
    gray, lines = _header(["GRAND HOTEL MODERNE", "12 RUE DE LA PAIX"])
    wrong = _misread(lines, 0, "CAFE DE LA GARE")
    assert reread_merchant(gray, wrong, _chosen("CAFE DE LA GARE", 9.0), rapid.read_strips) is None


def test_a_digit_tesseract_misread_in_the_date_is_corrected() -> None:
    gray, lines = _header(["BOULANGERIE DU MARCHE", "Date: 27/09/2017 15:32"])
    misread = _misread(lines, 1, "Date: 27/09/2015 15:32")
    assert reread_date(gray, misread, "2015-09-27", 1, rapid.read_strips) == ("2017-09-27", True)
    assert reread_date(gray, lines, "2017-09-27", 1, rapid.read_strips) == ("2017-09-27", False)


def test_another_date_read_on_that_line_changes_nothing() -> None:
    gray, lines = _header(["BOULANGERIE DU MARCHE", "Date: 27/09/2017 15:32"])
    wrong = _misread(lines, 1, "Date: 12/03/2017 15:32")
    assert reread_date(gray, wrong, "2017-03-12", 1, rapid.read_strips) is None
