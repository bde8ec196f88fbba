"""The Tesseract adapter: French + English, LSTM engine, one thread, a hard time limit.

Tesseract runs in-process through ``tesserocr``, built from source against Debian's
libtesseract (the PyPI wheel bundles another Tesseract whose readings differ): one API per
process, initialised once. When ``tesserocr`` cannot be imported (the build was impossible),
the ``tesseract`` command is run through ``pytesseract`` instead, with the same languages and
settings; :data:`BACKEND` names the one in use.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

import numpy as np
from PIL import Image

from ocr.errors import OcrError

__all__ = ("BACKEND", "OcrLine", "OcrText", "detect_rotation", "recognise")

LANGUAGES = "fra+eng"
CONFIG = "--oem 1 --psm 6"
#: Words at or above this confidence count as confident.
CONFIDENT_WORD = 70


def limit_threads() -> None:
    """Make Tesseract (and ONNX Runtime's OpenMP, if any) single-threaded.

    OpenMP reads this variable when the library starts its threads; the process is a dedicated
    OCR worker (see :mod:`ocr.isolation`). 0.5 s instead of 4.5 s per receipt on 2 cores.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"


limit_threads()  # before libtesseract is loaded below: OpenMP reads it once

try:
    import tesserocr as _tesserocr
except ImportError:  # pragma: no cover - the setup builds it; the subprocess is the fallback
    _tesserocr = None

#: ``"tesserocr"`` (in-process) or ``"pytesseract"`` (the ``tesseract`` command, fallback).
BACKEND = "tesserocr" if _tesserocr is not None else "pytesseract"


@dataclass(frozen=True)
class OcrLine:
    """One text line with its mean word confidence (0-100) and vertical position."""

    text: str
    confidence: float
    top: int
    height: int


@dataclass(frozen=True)
class OcrText:
    """An engine's output for one image."""

    lines: list[OcrLine]
    word_count: int
    confident_words: int
    mean_confidence: float

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class _Word:
    text: str
    confidence: float
    top: int
    height: int
    line: tuple[int, int, int]


def assemble(words: list[_Word]) -> OcrText:
    """Group words into lines (Tesseract's block / paragraph / line numbers), top to bottom."""
    grouped: dict[tuple[int, int, int], list[_Word]] = {}
    for word in words:
        if word.text.strip():
            grouped.setdefault(word.line, []).append(word)
    lines: list[OcrLine] = []
    confs: list[float] = []
    for members in grouped.values():
        line_confs = [max(0.0, w.confidence) for w in members]
        confs.extend(line_confs)
        lines.append(OcrLine(" ".join(w.text.strip() for w in members),
                             sum(line_confs) / len(line_confs),
                             min(w.top for w in members), max(w.height for w in members)))
    lines.sort(key=lambda line: line.top)
    return OcrText(
        lines=lines,
        word_count=len(confs),
        confident_words=sum(1 for c in confs if c >= CONFIDENT_WORD),
        mean_confidence=(sum(confs) / len(confs)) if confs else 0.0,
    )


# --- in-process: tesserocr ------------------------------------------------------------------

class _Orientation(TypedDict):
    """Tesseract's orientation and script detection (OSD)."""

    orient_deg: int
    orient_conf: float
    script_name: str
    script_conf: float


class _TessApi(Protocol):
    """What is used of tesserocr's ``PyTessBaseAPI`` (the package ships no types)."""

    def SetVariable(self, name: str, value: str) -> bool: ...
    def SetImage(self, image: Image.Image) -> None: ...
    def Recognize(self, timeout: int = 0) -> bool: ...
    def GetIterator(self) -> Any: ...
    def DetectOrientationScript(self) -> _Orientation | None: ...
    def Clear(self) -> None: ...


_lock = threading.Lock()
_apis: dict[str, _TessApi] = {}


def _api(kind: str) -> _TessApi:
    """The process's Tesseract API for page reading (``page``) or orientation (``osd``)."""
    api = _apis.get(kind)
    if api is None:
        assert _tesserocr is not None
        if kind == "page":
            api = _tesserocr.PyTessBaseAPI(lang=LANGUAGES, psm=_tesserocr.PSM.SINGLE_BLOCK,
                                           oem=_tesserocr.OEM.LSTM_ONLY)
        else:
            api = _tesserocr.PyTessBaseAPI(lang="osd", psm=_tesserocr.PSM.OSD_ONLY)
            api.SetVariable("min_characters_to_try", "5")
        _apis[kind] = api
    return api


def _words_in_process(gray: np.ndarray, timeout: float) -> list[_Word]:
    assert _tesserocr is not None
    ril = _tesserocr.RIL
    with _lock:
        api = _api("page")
        api.SetImage(Image.fromarray(gray))
        if not api.Recognize(timeout=max(1, int(timeout * 1000))):
            api.Clear()
            raise OcrError("OCR_TIMEOUT", {"seconds": timeout})
        words: list[_Word] = []
        iterator = api.GetIterator()
        block = par = line = 0
        if iterator is not None and not iterator.Empty(ril.WORD):
            while True:
                if iterator.IsAtBeginningOf(ril.BLOCK):
                    block, par, line = block + 1, 0, 0
                if iterator.IsAtBeginningOf(ril.PARA):
                    par, line = par + 1, 0
                if iterator.IsAtBeginningOf(ril.TEXTLINE):
                    line += 1
                text = iterator.GetUTF8Text(ril.WORD) or ""
                box = iterator.BoundingBox(ril.WORD)
                if box is not None:
                    _, y0, _, y1 = box
                    # whole numbers, as the command's TSV output prints them
                    confidence = float(int(iterator.Confidence(ril.WORD)))
                    words.append(_Word(text, confidence, int(y0), int(y1 - y0),
                                       (block, par, line)))
                if not iterator.Next(ril.WORD):
                    break
        api.Clear()
    return words


def _rotation_in_process(gray: np.ndarray) -> tuple[int, float] | None:
    with _lock:
        api = _api("osd")
        api.SetImage(Image.fromarray(gray))
        try:
            osd = api.DetectOrientationScript()
        except RuntimeError:
            osd = None
        api.Clear()
    if not osd:
        return None
    # Tesseract's 'Rotate' (degrees to turn clockwise) is the complement of the orientation.
    return (360 - int(osd["orient_deg"])) % 360, float(osd["orient_conf"])


# --- fallback: the tesseract command --------------------------------------------------------


def _as_bitmap(gray: np.ndarray) -> Image.Image:
    """The image handed to the command, stored as BMP (PNG compression costs ~40 ms)."""
    image = Image.fromarray(gray)
    image.format = "BMP"
    return image


def _words_by_command(gray: np.ndarray, timeout: float) -> list[_Word]:
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            _as_bitmap(gray), lang=LANGUAGES, config=CONFIG, timeout=timeout,
            output_type=pytesseract.Output.DICT,
        )
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise OcrError("OCR_TIMEOUT", {"seconds": timeout}) from exc
        raise
    return [
        _Word(str(word), float(data["conf"][i]), int(data["top"][i]), int(data["height"][i]),
              (data["block_num"][i], data["par_num"][i], data["line_num"][i]))
        for i, word in enumerate(data["text"])
    ]


def _rotation_by_command(gray: np.ndarray, timeout: float) -> tuple[int, float] | None:
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(
            _as_bitmap(gray), config="--psm 0 -c min_characters_to_try=5",
            timeout=timeout, output_type=pytesseract.Output.DICT,
        )
    except (RuntimeError, pytesseract.TesseractError):
        return None
    return int(osd.get("rotate", 0)), float(osd.get("orientation_conf", 0.0))


# --- the seam -------------------------------------------------------------------------------


def recognise(gray: np.ndarray, timeout: float) -> OcrText:
    """Run Tesseract on a grayscale array; raise ``OCR_TIMEOUT`` past ``timeout`` seconds."""
    if _tesserocr is not None:
        return assemble(_words_in_process(gray, timeout))
    return assemble(_words_by_command(gray, timeout))


def detect_rotation(gray: np.ndarray, timeout: float) -> tuple[int, float] | None:
    """Tesseract's orientation detection: (degrees to rotate clockwise, confidence)."""
    if _tesserocr is not None:
        return _rotation_in_process(gray)
    return _rotation_by_command(gray, timeout)
