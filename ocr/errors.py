"""Stable error codes of the receipt reader, with their French and English messages.

The pipeline is pure: it raises :class:`OcrError` with one of :data:`MESSAGES`' codes; the
backend registers the same codes in its catalogue (``kernel.errors.register_codes``).
"""

from __future__ import annotations

from typing import TypedDict

__all__ = ("MESSAGES", "OcrError")

#: code -> (HTTP status, French message, English message)
MESSAGES: dict[str, tuple[int, str, str]] = {
    "OCR_FILE_TOO_LARGE": (
        413, "Fichier trop volumineux pour un justificatif.", "File too large for a receipt."
    ),
    "OCR_IMAGE_TOO_LARGE": (
        413,
        "Image trop grande (trop de pixels) ; envoyez une photo plus petite.",
        "Image too large (too many pixels); send a smaller photo.",
    ),
    "OCR_UNSUPPORTED_FORMAT": (
        415,
        "Format non pris en charge : envoyez un JPEG, PNG, WebP, HEIC ou PDF.",
        "Unsupported format: send a JPEG, PNG, WebP, HEIC or PDF.",
    ),
    "OCR_CORRUPT_FILE": (
        422,
        "Fichier illisible ou incomplet ; renvoyez-le.",
        "Unreadable or truncated file; send it again.",
    ),
    "OCR_PDF_ENCRYPTED": (
        422,
        "PDF protégé par mot de passe ; envoyez une version non protégée.",
        "Password-protected PDF; send an unprotected copy.",
    ),
    "OCR_NOT_A_RECEIPT": (
        422,
        "Ceci ne ressemble pas à un justificatif ; saisissez la dépense à la main.",
        "This does not look like a receipt; enter the expense by hand.",
    ),
    "OCR_RETAKE_BLURRY": (
        422,
        "Photo floue : reprenez-la, bien à plat et nette.",
        "Blurred photo: retake it, flat and sharp.",
    ),
    "OCR_RETAKE_DARK": (
        422,
        "Photo trop sombre : reprenez-la avec plus de lumière.",
        "Photo too dark: retake it with more light.",
    ),
    "OCR_MULTIPLE_RECEIPTS": (
        422,
        "Plusieurs justificatifs sur la photo : photographiez-les un par un.",
        "Several receipts in the photo: take them one at a time.",
    ),
    "OCR_TIMEOUT": (
        422,
        "Lecture trop longue : saisissez la dépense à la main ou reprenez la photo.",
        "Reading took too long: enter the expense by hand or retake the photo.",
    ),
    "OCR_WORKER_CRASHED": (
        503,
        "Le lecteur de justificatifs a échoué ; nouvel essai automatique.",
        "The receipt reader failed; it will retry automatically.",
    ),
}


class OcrDetails(TypedDict, total=False):
    """What an :class:`OcrError` says besides its code (each code sets the keys it names)."""

    reason: str  # why the file or image was refused, in a word or the library's message
    seconds: float  # the time budget that ran out
    missing_model: str
    contrast: float
    blank: float
    ink: float
    brightness: float
    sharpness: float
    count: int  # receipts found on one photo
    words: int  # confident words read
    magic: str  # the file's first bytes, in hex
    width: int
    height: int
    bytes: int
    limit: int


class OcrError(Exception):
    """A receipt that cannot be read, with a stable code from :data:`MESSAGES`."""

    def __init__(self, code: str, details: OcrDetails | None = None) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown OCR error code {code}")
        super().__init__(code)
        self.code = code
        self.details = details or {}
