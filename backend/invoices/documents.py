"""Documents a supplier sends with an answer to a suspension: photos and PDFs, recognised by
their first bytes rather than by the type the phone declared (pure: no I/O)."""

from __future__ import annotations

__all__ = ("document_kind",)

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")


def document_kind(head: bytes) -> str | None:
    """``"pdf"``, ``"jpeg"``, ``"png"``, ``"webp"`` or ``"heic"`` from a file's first bytes;
    None when it is none of them."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic"
    return None
