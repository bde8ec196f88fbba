"""The receipt reader: bytes → :class:`~ocr.schemas.ReceiptReading` (pure, in-process).

Run it through :mod:`ocr.isolation` in services: that adds a wall-clock limit and a memory cap.
"""

from __future__ import annotations

import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import cv2
import msgspec
import numpy as np

from ocr import engine, header, preprocess, rapid
from ocr.checks import decide_auto_accept, run_checks
from ocr.date_check import reread_date
from ocr.duplicates import dhash, file_sha256
from ocr.errors import OcrError
from ocr.extract import Extraction, Line, extract_fields
from ocr.loading import load_receipt
from ocr.merchant_check import read_weak_name, reread_merchant
from ocr.merge import BOTH, merge_readings, with_source
from ocr.parsing import find_amounts, find_dates, fold
from ocr.review import review_reasons
from ocr.schemas import RULE_VERSION, OcrFields, ReceiptReading

__all__ = ("ENGINES", "TIME_BUDGET", "EngineChoice", "read_receipt")

#: ``tesseract`` alone, ``rapidocr`` alone, or ``cascade``: Tesseract, then RapidOCR only when
#: Tesseract's reading is not auto-accepted, the two merged field by field.
EngineChoice = Literal["tesseract", "rapidocr", "cascade"]
ENGINES: tuple[EngineChoice, ...] = ("tesseract", "rapidocr", "cascade")
Recognise = Callable[[np.ndarray, float], engine.OcrText]

#: Wall-clock seconds of Tesseract allowed for one receipt (all passes together). A receipt
#: needs 1-2 s of CPU; the margin is for shared, overloaded machines, not for slow inputs
#: (noise and blank pages are refused before OCR).
TIME_BUDGET = 30.0
#: Below these, the first pass is doubted and orientation is checked once.
DOUBT_MEAN_CONFIDENCE = 62.0
DOUBT_CONFIDENT_WORDS = 12
#: Share of ink pixels above which the picture is noise or a photo, not printed text.
MAX_INK_SHARE = 0.18
_ANCHOR = re.compile(r"TOTAL|TTC|TVA|MONTANT|PAYER|AMOUNT|CASH|CARTE|\bCB\b|DATE|MERCI|THANK")


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the Tesseract command, when it is
    the fallback, runs as a child)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@dataclass
class _Clock:
    start: float
    marks: dict[str, int]
    cpu_start: float = field(default_factory=_cpu_seconds)

    def mark(self, name: str) -> None:
        self.marks[name] = round((time.perf_counter() - self.start) * 1000)
        self.marks["cpu"] = round((_cpu_seconds() - self.cpu_start) * 1000)

    def left(self, budget: float) -> float:
        return budget - (time.perf_counter() - self.start)


def _rotate(gray: np.ndarray, degrees: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(gray, codes[degrees]) if degrees in codes else gray


def _reads_like_a_receipt(text: str) -> bool:
    """Upright receipt text has money amounts and a date or a total keyword; text read
    upside down is often confident gibberish without them."""
    lines = text.splitlines()
    has_amount = any(find_amounts(line) for line in lines)
    has_anchor = any(find_dates(line) for line in lines) or bool(_ANCHOR.search(fold(text)))
    return has_amount and has_anchor


def _quality(text: engine.OcrText) -> float:
    bonus = 20.0 if _reads_like_a_receipt(text.text) else 0.0
    return text.confident_words + text.mean_confidence / 10.0 + bonus


def prepare(gray: np.ndarray, flags: list[str]) -> np.ndarray:
    """Gate, crop, deskew, scale and flatten: the image Tesseract will read."""
    preprocess.quality_gate(preprocess.measure_quality(gray))
    gray, _ = preprocess.shrink_early(gray)
    quads = preprocess.find_receipt_quads(gray)
    gray, cropped = preprocess.crop_receipt(gray, quads)
    if cropped:
        flags.append("cropped")
    h, w = gray.shape
    if w > 1.4 * h and cropped:
        gray = _rotate(gray, 90)  # receipts are tall; orientation is confirmed by OCR below
        flags.append("rotated_landscape")
    gray, angle = preprocess.deskew(gray)
    if angle:
        flags.append(f"deskewed_{angle:+.1f}")
    gray, trimmed = preprocess.trim_dark_margins(gray)
    if trimmed:
        flags.append("dark_margins_trimmed")
    gray, _ = preprocess.scale_for_ocr(gray)
    flat = preprocess.flatten_light(gray)
    ink = preprocess.ink_share(flat)
    if ink > MAX_INK_SHARE:
        raise OcrError("OCR_NOT_A_RECEIPT", {"reason": "texture", "ink": round(ink, 3)})
    return flat


def recognise_upright(
    gray: np.ndarray, clock: _Clock, flags: list[str], budget: float = TIME_BUDGET,
    recognise: Recognise = engine.recognise,
) -> tuple[engine.OcrText, np.ndarray]:
    """OCR once; when unsure, ask orientation detection and retry once rotated."""
    first = recognise(gray, max(1.0, clock.left(budget)))
    clock.mark("ocr")
    if (
        first.mean_confidence >= DOUBT_MEAN_CONFIDENCE
        and first.confident_words >= DOUBT_CONFIDENT_WORDS
        and _reads_like_a_receipt(first.text)
    ):
        return first, gray
    if first.word_count < 3 or clock.left(budget) < 3.0:
        return first, gray
    detected = engine.detect_rotation(gray, timeout=min(3.0, clock.left(budget)))
    degrees = detected[0] if detected and detected[1] >= 1.0 else 180
    if degrees == 0:
        return first, gray
    turned = _rotate(gray, degrees)
    try:
        second = recognise(turned, max(3.0, clock.left(budget)))
    except OcrError:
        return first, gray
    clock.mark("ocr_retry")
    if _quality(second) > _quality(first) * 1.1:
        flags.append(f"rotated_{degrees}")
        return second, turned
    return first, gray


def _reading(
    ex: Extraction, raw: str, ocr_confidence: float, flags: list[str], clock: _Clock,
    sha: str, phash: str | None,
) -> ReceiptReading:
    checks = run_checks(ex)
    fields = OcrFields(
        merchant=ex.merchant, date=ex.date, total_cents=ex.total_cents,
        total_ht_cents=ex.total_ht_cents, vat_total_cents=ex.vat_total_cents, vat=ex.vat,
        currency=ex.currency, siret=ex.siret, payment_cents=ex.payment_cents,
        payment_method=ex.payment_method, category=ex.category,
    )
    confidence = dict(ex.confidence)
    by_name = {c.name: c.ok for c in checks}
    if ex.vat:
        vat_ok = by_name.get("vat_rows_sum_to_total") or by_name.get("ht_plus_vat_equals_total")
        confidence["vat"] = 0.9 if vat_ok else 0.4
    if ex.siret is not None:
        confidence["siret"] = 0.95 if by_name.get("siret_luhn") else 0.2
    if ex.payment_cents is not None:
        confidence["payment"] = 0.9 if by_name.get("payment_equals_total") else 0.4
    scale = min(1.0, ocr_confidence / 90.0)
    confidence = {k: round(v * scale, 3) for k, v in confidence.items()}
    auto = decide_auto_accept(ex, checks, ocr_confidence)
    clock.mark("total")
    return ReceiptReading(
        rule_version=RULE_VERSION, status="read", fields=fields, confidence=confidence,
        checks=checks, auto_accept=auto, flags=list(flags), raw_text=raw,
        candidates=ex.candidates, timings_ms=dict(clock.marks), sha256=sha,
        perceptual_hash=phash,
    )


def rejected(code: str, sha: str | None = None, flags: list[str] | None = None,
             timings: dict[str, int] | None = None, raw: str = "") -> ReceiptReading:
    """A reading that carries only an error code (nothing guessed)."""
    return ReceiptReading(rule_version=RULE_VERSION, status="rejected", code=code, sha256=sha,
                          flags=flags or [], timings_ms=timings or {}, raw_text=raw)


def _read_text(
    text: engine.OcrText, flags: list[str], clock: _Clock, sha: str, phash: str
) -> ReceiptReading:
    ex = extract_fields([Line(line.text, line.confidence) for line in text.lines])
    if text.confident_words < 4 or ex.amount_count == 0:
        raise OcrError("OCR_NOT_A_RECEIPT", {"words": text.confident_words})
    return _reading(ex, text.text, text.mean_confidence, flags, clock, sha, phash)


def _tesseract(prepared: np.ndarray, clock: _Clock, flags: list[str], budget: float,
               sha: str) -> tuple[ReceiptReading, np.ndarray, engine.OcrText]:
    text, upright = recognise_upright(prepared, clock, flags, budget)
    if clock.left(budget) > 3.0:
        text, reread = header.reread_header(upright, text, clock.left(budget))
        if reread:
            flags.append("header_reread")
            clock.mark("ocr_header")
    try:
        reading = _read_text(text, flags, clock, sha, dhash(upright))
    except OcrError as exc:
        clock.mark("total")
        reading = rejected(exc.code, sha, flags, clock.marks, text.text)
    return with_source(reading, "tesseract"), upright, text


def _rapidocr(gray: np.ndarray, clock: _Clock, flags: list[str], budget: float, sha: str,
              upright_known: bool) -> ReceiptReading:
    if not rapid.is_loaded():
        rapid.load()
        clock.mark("rapidocr_load")
    if upright_known:
        text = rapid.recognise(gray, clock.left(budget))
        clock.mark("ocr")
    else:
        text, gray = recognise_upright(gray, clock, flags, budget, rapid.recognise)
    return with_source(_read_text(text, flags, clock, sha, dhash(gray)), "rapidocr")


def _second_look(first: ReceiptReading, upright: np.ndarray, text: engine.OcrText,
                 clock: _Clock, budget: float) -> ReceiptReading:
    """An accepted reading's header lines and date line read again by RapidOCR's recogniser
    alone, the whole header band under a weak name (:mod:`ocr.merchant_check`,
    :mod:`ocr.date_check`): letters or a digit Tesseract
    misread are corrected, an agreeing field is marked as read by both. A bonus: without time
    or on failure the reading stands."""
    on_merchant = first.read_from("merchant", first.fields.merchant)
    on_date = first.read_from("date", first.fields.date)
    if (on_merchant is None and on_date is None) or clock.left(budget) < 3.0:
        return first
    try:
        if not rapid.is_loaded():
            rapid.load()
            clock.mark("rapidocr_load")
        cpu = _cpu_seconds()
        band_left = clock.left(budget)
        name = None if on_merchant is None else read_weak_name(
            upright, text.lines, on_merchant, lambda band: rapid.recognise(band, band_left)
        ) or reread_merchant(upright, text.lines, on_merchant, rapid.read_strips,
                             first.candidates)
        day = None if on_date is None else reread_date(
            upright, text.lines, on_date.value, on_date.line, rapid.read_strips)
    except Exception:  # the second look is a bonus: its failure never loses the reading
        return msgspec.structs.replace(first, flags=[*first.flags, "second_engine_failed"])
    timings = {**first.timings_ms, "second_look_cpu": round((_cpu_seconds() - cpu) * 1000)}
    timings["cpu"] = timings.get("cpu", 0) + timings["second_look_cpu"]
    fields, flags = first.fields, list(first.flags)
    for name_of_field, found in (("merchant", name), ("date", day)):
        if found is None:
            continue
        value, changed = found
        sources = {**fields.sources, name_of_field: "rapidocr" if changed else BOTH}
        fields = msgspec.structs.replace(fields, **{name_of_field: value}, sources=sources)
        flags.append(f"{name_of_field}_corrected_by_rapidocr" if changed
                     else f"{name_of_field}_confirmed_by_rapidocr")
    return msgspec.structs.replace(first, fields=fields, flags=flags, timings_ms=timings)


def _cascade(prepared: np.ndarray, budget: float, sha: str, flags: list[str],
             clock: _Clock) -> ReceiptReading:
    """Tesseract; RapidOCR only when Tesseract's reading is not auto-accepted; merged. A failing
    second engine leaves the first reading standing."""
    first, upright, text = _tesseract(prepared, clock, list(flags), budget, sha)
    if first.auto_accept:
        return _second_look(first, upright, text, clock, budget)
    second_clock = _Clock(time.perf_counter(), {})
    try:
        second = _rapidocr(upright, second_clock, list(flags), max(1.0, clock.left(budget)),
                           sha, upright_known=True)
    except OcrError as exc:
        second_clock.mark("total")
        second = rejected(exc.code, sha, flags, second_clock.marks)
    except Exception:  # the second engine is a bonus: its failure never loses the first
        return msgspec.structs.replace(first, flags=[*first.flags, "second_engine_failed"])
    merged = merge_readings(first, with_source(second, "rapidocr"))
    merged.timings_ms["cpu"] = first.timings_ms.get("cpu", 0) + second_clock.marks.get("cpu", 0)
    return merged


def read_receipt(data: bytes, time_budget: float = TIME_BUDGET,
                 engine_choice: EngineChoice = "cascade") -> ReceiptReading:
    """Read one uploaded receipt; every refusal is a reading with a stable ``code``.

    ``time_budget`` bounds the wall-clock seconds given to the engines for this receipt;
    ``engine_choice`` is one of :data:`ENGINES`.
    """
    reading = _read(data, time_budget, engine_choice)
    return msgspec.structs.replace(reading, review=review_reasons(reading))


def _read(data: bytes, time_budget: float, engine_choice: EngineChoice) -> ReceiptReading:
    clock = _Clock(time.perf_counter(), {})
    sha = file_sha256(data)
    flags: list[str] = []
    try:
        loaded = load_receipt(data)
        flags.extend(loaded.flags)
        clock.mark("load")
        gray = preprocess.to_gray(loaded.image)
        if loaded.text_layer is not None:
            lines = [Line(t.strip(), 95.0) for t in loaded.text_layer.splitlines() if t.strip()]
            ex = extract_fields(lines)
            return _reading(ex, loaded.text_layer, 95.0, flags, clock, sha, dhash(gray))
        prepared = prepare(gray, flags)
        clock.mark("prepare")
        if engine_choice == "tesseract":
            return _tesseract(prepared, clock, flags, time_budget, sha)[0]
        if engine_choice == "rapidocr":
            return _rapidocr(prepared, clock, flags, time_budget, sha, upright_known=False)
        return _cascade(prepared, time_budget, sha, flags, clock)
    except OcrError as exc:
        clock.mark("total")
        return rejected(exc.code, sha, flags, clock.marks)
