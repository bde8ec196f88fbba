"""Safe loading of what a phone can send: sniff by magic bytes, bound bytes and pixels.

Every failure becomes an :class:`~ocr.errors.OcrError` with a stable code; nothing decodes
more pixels than :data:`MAX_PIXELS` (Pillow's decompression-bomb warning is an error here).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps

from ocr.errors import OcrError

__all__ = ("MAX_BYTES", "MAX_PIXELS", "LoadedReceipt", "load_receipt", "sniff_format")

MAX_BYTES = 25 * 1024 * 1024
#: A 50 MP phone photo passes; larger declared sizes are refused before decoding.
MAX_PIXELS = 64_000_000
#: Longest side kept after loading; OCR needs far less and memory stays bounded.
WORKING_SIDE = 3000
PDF_TEXT_MIN_CHARS = 40

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class LoadedReceipt:
    """A decoded page: an 8-bit RGB image, the PDF text layer if any, and flags."""

    image: Image.Image
    source_format: str
    text_layer: str | None = None
    flags: list[str] = field(default_factory=list)


def sniff_format(data: bytes) -> str:
    """Name the container from its magic bytes (the file name is never trusted)."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"
    ):
        return "heic"
    raise OcrError("OCR_UNSUPPORTED_FORMAT", {"magic": head[:8].hex()})


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Any mode (CMYK, 16-bit, alpha, palette) → 8-bit RGB on a white background."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(image, dtype=np.uint32)
        peak = int(arr.max()) if arr.size else 0
        shift = 8 if peak > 255 else 0
        if image.mode == "I" and peak > 65535:
            shift = max(0, peak.bit_length() - 8)
        gray = (arr >> shift).clip(0, 255).astype(np.uint8)
        return Image.fromarray(gray).convert("RGB")
    if image.mode == "F":
        arr = np.asarray(image, dtype=np.float32)
        top = float(arr.max()) or 1.0
        return Image.fromarray((arr / top * 255).clip(0, 255).astype(np.uint8)).convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _bounded(image: Image.Image) -> Image.Image:
    """Shrink to :data:`WORKING_SIDE`; a JPEG drafted at 1/2..1/8 scale may stay up to a
    quarter larger (the pipeline shrinks it to what OCR needs anyway, in grayscale)."""
    side = max(image.size)
    if side > WORKING_SIDE * 1.25:
        scale = WORKING_SIDE / side
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        # Bilinear in Pillow is antialiased when shrinking: as sharp as Lanczos for OCR here,
        # at half the time on a 35 MP scan.
        return image.resize(size, Image.Resampling.BILINEAR)
    return image


def _open_raster(data: bytes, fmt: str) -> LoadedReceipt:
    flags: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise OcrError("OCR_IMAGE_TOO_LARGE", {"width": width, "height": height})
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)
                flags.append("animated_first_frame")
            if fmt == "jpeg":
                # Decode large JPEGs at 1/2..1/8 scale directly: less time and memory. Draft
                # keeps both sides at least as large as asked: ask for the bounded size.
                shrink = min(1.0, WORKING_SIDE / max(width, height))
                image.draft("RGB", (math.ceil(width * shrink), math.ceil(height * shrink)))
            image.load()
            orientation = image.getexif().get(0x0112, 1)
            if orientation not in (1, None):
                image = ImageOps.exif_transpose(image)
                flags.append(f"exif_orientation_{orientation}")
        except OcrError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise OcrError("OCR_IMAGE_TOO_LARGE", {"reason": str(exc)[:200]}) from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
            raise OcrError("OCR_CORRUPT_FILE", {"reason": str(exc)[:200]}) from exc
    return LoadedReceipt(_bounded(_normalise_mode(image)), fmt, None, flags)


def _open_pdf(data: bytes) -> LoadedReceipt:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise OcrError("OCR_PDF_ENCRYPTED") from exc
        raise OcrError("OCR_CORRUPT_FILE", {"reason": str(exc)[:200]}) from exc
    try:
        flags: list[str] = []
        if len(pdf) == 0:
            raise OcrError("OCR_CORRUPT_FILE", {"reason": "no page"})
        if len(pdf) > 1:
            flags.append("multi_page_first_used")
        page = pdf[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0 or width * height > 14400 * 14400:
            raise OcrError("OCR_CORRUPT_FILE", {"reason": "page size"})
        textpage = page.get_textpage()
        text = textpage.get_text_range() or ""
        textpage.close()
        # Render so the longest side is about 2000 px (≈ 240 dpi for an A4 page).
        scale = min(2000 / max(width, height), 6.0)
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil().convert("RGB")
        bitmap.close()
        page.close()
    finally:
        pdf.close()
    usable = text if len("".join(text.split())) >= PDF_TEXT_MIN_CHARS else None
    if usable is not None:
        flags.append("pdf_text_layer")
    return LoadedReceipt(image, "pdf", usable, flags)


def _open_heic(data: bytes) -> LoadedReceipt:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return _open_raster(data, "heic")


def load_receipt(data: bytes) -> LoadedReceipt:
    """Decode the first page of an uploaded receipt, or raise :class:`OcrError`."""
    if len(data) > MAX_BYTES:
        raise OcrError("OCR_FILE_TOO_LARGE", {"bytes": len(data), "limit": MAX_BYTES})
    if not data:
        raise OcrError("OCR_CORRUPT_FILE", {"reason": "empty"})
    fmt = sniff_format(data)
    if fmt == "pdf":
        return _open_pdf(data)
    if fmt == "heic":
        return _open_heic(data)
    return _open_raster(data, fmt)
