"""Documents a supplier sends with an answer to a suspension: photos and PDFs, recognised by
their first bytes rather than by the type the phone declared (pure: no I/O). The bytes are read
by the receipts' own sniffing (:func:`ocr.loading.sniff_format`), one rule for both."""

from __future__ import annotations

from ocr.errors import OcrError
from ocr.loading import sniff_format

__all__ = ("document_kind",)

# What a supplier may send as a document (a GIF is not one).
_DOCUMENT_KINDS = frozenset({"pdf", "jpeg", "png", "webp", "heic"})


def document_kind(head: bytes) -> str | None:
    """``"pdf"``, ``"jpeg"``, ``"png"``, ``"webp"`` or ``"heic"`` from a file's first bytes;
    None when it is none of them."""
    try:
        kind = sniff_format(head)
    except OcrError:
        return None
    return kind if kind in _DOCUMENT_KINDS else None
