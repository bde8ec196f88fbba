"""Safe loading: formats sniffed by content, modes normalised, EXIF applied, limits held."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ocr.errors import OcrError
from ocr.loading import load_receipt, sniff_format
from tests.unit.ocr.samples import encode, png_declaring, text_pdf


def _arrow() -> Image.Image:
    """An asymmetric picture, so every orientation is distinguishable."""
    img = Image.new("RGB", (60, 40), "white")
    img.paste((0, 0, 0), (0, 0, 20, 10))
    img.paste((200, 0, 0), (40, 30, 60, 40))
    return img


TO_STORED = {  # how a camera stores an upright picture for each EXIF orientation
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_all_eight_exif_orientations_come_back_upright(orientation: int) -> None:
    upright = _arrow()
    op = TO_STORED[orientation]
    stored = upright if op is None else upright.transpose(op)
    exif = Image.Exif()
    exif[0x0112] = orientation
    loaded = load_receipt(encode(stored, "PNG", exif=exif))
    got = np.asarray(loaded.image, dtype=np.int16)
    assert got.shape == np.asarray(upright).shape
    assert np.abs(got - np.asarray(upright, dtype=np.int16)).mean() < 2


def test_format_is_sniffed_from_bytes_not_name() -> None:
    assert sniff_format(text_pdf([["x"]])) == "pdf"
    assert sniff_format(encode(_arrow(), "WEBP")) == "webp"
    with pytest.raises(OcrError) as err:
        sniff_format(b"BM" + b"\x00" * 100)
    assert err.value.code == "OCR_UNSUPPORTED_FORMAT"


def test_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(OcrError) as err:
        load_receipt(png_declaring(20_000, 20_000))
    assert err.value.code == "OCR_IMAGE_TOO_LARGE"


def test_sixteen_bit_image_is_scaled_to_eight_bits() -> None:
    arr = np.full((40, 60), 60000, dtype=np.uint16)
    arr[:10, :20] = 1000
    out = io.BytesIO()
    Image.fromarray(arr).save(out, format="PNG")
    loaded = load_receipt(out.getvalue())
    px = np.asarray(loaded.image)
    assert loaded.image.mode == "RGB"
    assert px[30, 50, 0] > 220 and px[0, 0, 0] < 10


def test_transparent_png_goes_on_white() -> None:
    img = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (0, 0, 10, 10))
    loaded = load_receipt(encode(img, "PNG"))
    px = np.asarray(loaded.image)
    assert px[30, 30].tolist() == [255, 255, 255]
    assert px[5, 5].tolist() == [0, 0, 0]


def test_cmyk_becomes_rgb() -> None:
    loaded = load_receipt(encode(_arrow().convert("CMYK"), "JPEG"))
    assert loaded.image.mode == "RGB"


def test_empty_and_huge_uploads() -> None:
    with pytest.raises(OcrError) as err:
        load_receipt(b"")
    assert err.value.code == "OCR_CORRUPT_FILE"
    with pytest.raises(OcrError) as err:
        load_receipt(b"\xff\xd8\xff" + b"\x00" * (26 * 1024 * 1024))
    assert err.value.code == "OCR_FILE_TOO_LARGE"
