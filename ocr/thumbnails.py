"""Receipt renditions: a small JPEG of a receipt to show beside the fields read from it.

Pure and blocking (no I/O): call it off the event loop. Decoding goes through
:func:`ocr.loading.load_receipt`, so a rendition obeys the reader's limits (bytes, pixels,
decompression bombs, magic-byte sniffing), applies the EXIF orientation, flattens any mode to
RGB on white and renders the first page of a PDF.
"""

from __future__ import annotations

import io
from typing import Literal

from PIL import Image

from ocr.loading import load_receipt

__all__ = ("RENDITION_SIDES", "Rendition", "render_rendition")

Rendition = Literal["thumbnail", "image"]
#: Longest side, in pixels, of each rendition: a thumbnail beside the fields; the image a
#: user opens full screen to check them (a phone screen at 2x-3x density).
RENDITION_SIDES: dict[Rendition, int] = {"thumbnail": 480, "image": 1600}
_QUALITY: dict[Rendition, int] = {"thumbnail": 80, "image": 85}


def render_rendition(data: bytes, rendition: Rendition) -> bytes:
    """JPEG bytes of ``rendition`` of the receipt, its longest side at most the rendition's
    side (never enlarged); raises :class:`ocr.errors.OcrError` for a file that cannot be shown."""
    loaded = load_receipt(data)
    image = loaded.image
    side = RENDITION_SIDES[rendition]
    if max(image.size) > side:
        scale = side / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=_QUALITY[rendition], optimize=True, progressive=True)
    return out.getvalue()
