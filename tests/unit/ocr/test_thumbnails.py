"""Receipt renditions: small, upright, JPEG, under the reader's loading limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ocr.errors import OcrError
from ocr.thumbnails import RENDITION_SIDES, render_rendition
from tests.unit.ocr.samples import encode, encrypted_pdf, png_declaring, text_pdf


def _portrait_stored_sideways() -> bytes:
    """A portrait receipt (1200 × 2000, dark top band) as a phone stores it: pixels rotated,
    EXIF orientation 6 saying "turn me 90° clockwise"."""
    upright = Image.new("RGB", (1200, 2000), "white")
    upright.paste((0, 0, 0), (0, 0, 1200, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(upright.transpose(Image.Transpose.ROTATE_90), "JPEG", exif=exif)


def test_thumbnail_is_a_small_upright_jpeg() -> None:
    thumb = Image.open(io.BytesIO(render_rendition(_portrait_stored_sideways(), "thumbnail")))
    assert thumb.format == "JPEG"
    assert thumb.size == (288, 480)  # portrait again, longest side 480
    assert thumb.getpixel((144, 20)) < (60, 60, 60)  # the dark band is at the top
    assert thumb.getpixel((144, 460)) > (200, 200, 200)


def test_image_rendition_is_bounded_and_small_files_are_not_enlarged() -> None:
    big = Image.open(io.BytesIO(render_rendition(_portrait_stored_sideways(), "image")))
    assert max(big.size) == RENDITION_SIDES["image"]
    small = Image.open(io.BytesIO(render_rendition(
        encode(Image.new("RGBA", (100, 50), (0, 0, 0, 0)), "PNG"), "thumbnail")))
    assert small.size == (100, 50) and small.mode == "RGB"


def test_a_pdf_receipt_is_rendered() -> None:
    thumb = Image.open(io.BytesIO(render_rendition(text_pdf([["RESTAURANT", "TOTAL 12,50"]]),
                                                   "thumbnail")))
    assert thumb.size == (240, 480)  # the page is 300 × 600 pt


@pytest.mark.parametrize(("data", "code"), [
    (b"not an image at all", "OCR_UNSUPPORTED_FORMAT"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "OCR_CORRUPT_FILE"),
    (png_declaring(20_000, 20_000), "OCR_IMAGE_TOO_LARGE"),
    (encrypted_pdf(), "OCR_PDF_ENCRYPTED"),
])
def test_files_that_cannot_be_shown_raise_the_reader_codes(data: bytes, code: str) -> None:
    with pytest.raises(OcrError) as error:
        render_rendition(data, "thumbnail")
    assert error.value.code == code
