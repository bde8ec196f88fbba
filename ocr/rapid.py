"""The RapidOCR adapter: PaddleOCR PP-OCRv6 small models on ONNX Runtime, CPU, one thread.

RapidOCR 3.x ships its detection, recognition and orientation models inside the wheel
(``rapidocr/models``); they are named here and checked to exist, so nothing is ever downloaded
(RapidOCR would otherwise fetch a missing model). The engine is loaded once per process, on first
use (~1.5 s of CPU, ~0.4 GiB), and reused for every receipt. Text boxes come back one per
printed segment; they are put together into lines (same baseline, left to right) so the parser
sees the lines Tesseract would give.

Models: PaddleOCR (PaddlePaddle authors), Apache-2.0; RapidOCR (RapidAI), Apache-2.0.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from ocr.engine import CONFIDENT_WORD, OcrLine, OcrText
from ocr.errors import OcrError

__all__ = ("MODEL_FILES", "is_loaded", "load", "model_dir", "read_strips", "recognise")

#: The model files the wheel ships and the adapter uses (det, rec, text-line orientation).
MODEL_FILES = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
#: Longest side RapidOCR works on (its own default); the prepared image is rarely larger.
MAX_SIDE = 2000

_lock = threading.Lock()
_engine: Any = None


def model_dir() -> Path:
    """Where the wheel keeps its models."""
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


def is_loaded() -> bool:
    """Whether this process has built its engine already."""
    return _engine is not None


def load() -> Any:
    """The process's RapidOCR engine, built on first call from the shipped models only."""
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr import RapidOCR

            params: dict[str, str | int] = {
                "Global.log_level": "error",
                "Global.max_side_len": MAX_SIDE,
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                # One line per recognition call: a batch is padded to its widest line, and
                # receipts mix short and long lines (~10 % less recognition CPU, same text).
                "Rec.rec_batch_num": 1,
            }
            for key, name in MODEL_FILES.items():
                path = model_dir() / name
                if not path.is_file():  # never let RapidOCR download a replacement
                    raise OcrError("OCR_WORKER_CRASHED", {"missing_model": name})
                params[key] = str(path)
            _engine = RapidOCR(params=params)
        return _engine


def _lines(boxes: list[tuple[float, float, float, float, str, float]]) -> list[OcrLine]:
    """Segments ``(top, bottom, left, right, text, score)`` → lines, top to bottom.

    A segment joins the line whose vertical middle it straddles and that holds nothing where it
    stands horizontally; else it starts a new line.
    """
    rows: list[list[tuple[float, float, float, float, str, float]]] = []
    for box in sorted(boxes, key=lambda b: (b[0] + b[1]) / 2):
        top, bottom, left, right = box[:4]
        middle = (top + bottom) / 2
        for row in rows:
            row_top = float(np.median([b[0] for b in row]))
            row_bottom = float(np.median([b[1] for b in row]))
            row_middle = (row_top + row_bottom) / 2
            overlaps = any(left < b[3] - 2 and b[2] + 2 < right for b in row)
            if row_top <= middle <= row_bottom and top <= row_middle <= bottom and not overlaps:
                row.append(box)
                break
        else:
            rows.append([box])
    lines: list[OcrLine] = []
    for row in rows:
        row.sort(key=lambda b: b[2])
        text = " ".join(b[4].strip() for b in row if b[4].strip())
        if not text:
            continue
        score = 100.0 * sum(b[5] for b in row) / len(row)
        top = int(min(b[0] for b in row))
        lines.append(OcrLine(text, score, top, int(max(b[1] for b in row)) - top))
    lines.sort(key=lambda line: line.top)
    return lines


def recognise(gray: np.ndarray, timeout: float) -> OcrText:
    """Read a grayscale array with RapidOCR; ``OCR_TIMEOUT`` when less than a second is left.

    ONNX Runtime cannot be interrupted: the OCR process's wall-clock limit
    (:mod:`ocr.isolation`) bounds a run that overstays.
    """
    if timeout < 1.0:
        raise OcrError("OCR_TIMEOUT", {"seconds": timeout})
    engine = load()
    started = time.perf_counter()
    result = engine(np.ascontiguousarray(np.dstack([gray, gray, gray])))
    if time.perf_counter() - started > timeout:
        raise OcrError("OCR_TIMEOUT", {"seconds": timeout})
    boxes: list[tuple[float, float, float, float, str, float]] = []
    if result is not None and result.boxes is not None and result.txts is not None:
        for box, text, score in zip(result.boxes, result.txts, result.scores or (), strict=False):
            quad = np.asarray(box, dtype=np.float32)
            boxes.append((float(quad[:, 1].min()), float(quad[:, 1].max()),
                          float(quad[:, 0].min()), float(quad[:, 0].max()),
                          str(text), float(score)))
    lines = _lines(boxes)
    words = [(len(b[4].split()), b[5]) for b in boxes if b[4].strip()]
    count = sum(n for n, _ in words)
    confident = sum(n for n, s in words if 100 * s >= CONFIDENT_WORD)
    mean = 100.0 * sum(n * s for n, s in words) / count if count else 0.0
    return OcrText(lines, count, confident, mean)


def read_strips(strips: list[np.ndarray]) -> list[tuple[str, float]]:
    """Recognition alone (no detection) on grayscale strips that each hold one printed line:
    ``(text, confidence 0-100)`` per strip. A few strips cost a fraction of a page."""
    if not strips:
        return []
    from rapidocr.ch_ppocr_rec import TextRecInput

    recogniser = load()._load_rec_model()  # the engine's own recogniser, built once
    images = [np.ascontiguousarray(np.dstack([s, s, s])) for s in strips]
    out = recogniser(TextRecInput(img=images, return_word_box=False))
    texts = out.txts or ()
    return [(str(t), 100.0 * float(s)) for t, s in zip(texts, out.scores, strict=False)]
