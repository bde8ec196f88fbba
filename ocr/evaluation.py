"""Accuracy and latency measure on a folder laid out like SROIE (``img/`` + ``key/``).

Scores: total (as a number), date (as a date), merchant (normalised), VAT amounts when the key
has them; share auto-accepted and total accuracy among those; CPU time and wall time per
receipt (median, p95), peak resident memory of the measuring process. ``engines`` picks the
readers (``tesseract``, ``rapidocr``, ``cascade``), each measured in processes of its own;
``baseline=True`` adds plain ``tesseract`` on the unprocessed image with simple regular
expressions, measured in the same run. ``text_cache`` keeps each engine's text per image on
disk: a second run re-reads it instead of running the engines, so parser changes are measured
in seconds (its accuracy figures are valid, its CPU figures are not).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import re
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypedDict

from ocr.parsing import find_dates, normalise_merchant
from ocr.schemas import ReceiptReading

__all__ = ("Score", "baseline_read", "evaluate_folder", "format_table")

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf")


def truth_total(text: str) -> int | None:
    """'RM 9.00' / '$9.00' / '9,00' → 900."""
    cleaned = re.sub(r"[^\d.,-]", "", text)
    if "." in cleaned and "," in cleaned:  # '1,007.50' or '1.007,50': drop the thousands mark
        thousands = "," if cleaned.rfind(".") > cleaned.rfind(",") else "."
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    try:
        return int((Decimal(cleaned) * 100).to_integral_value())
    except InvalidOperation:
        return None


def truth_date(text: str) -> str | None:
    found = find_dates(text)
    return found[0][0].isoformat() if found else None


class Failure(TypedDict, total=False):
    """A receipt read wrong: names and flags only (the ground truth is not copied out)."""

    file: str
    wrong_total_auto_accepted: bool
    wrong: list[str]
    code: str | None
    auto: bool | None


class Figures(TypedDict):
    """One reader's figures over a folder (percentages; None when nothing to count)."""

    receipts: int
    total_pct: float | None
    date_pct: float | None
    merchant_pct: float | None
    vat_pct: float | None
    auto_accepted_pct: float | None
    total_pct_among_auto: float | None
    rejected: int
    second_engine_pct: float | None
    peak_rss_mib: int | None
    cpu_median_s: float | None
    cpu_p95_s: float | None
    wall_median_s: float | None
    wall_p95_s: float | None


class TruthVat(TypedDict):
    amount: int | str


class TruthKey(TypedDict, total=False):
    """A receipt's ground truth (``key/<stem>.json``): total and date as printed, company."""

    total: str
    date: str
    company: str
    vat: list[TruthVat]


class _CachedText(TypedDict):
    """An engine's text as cached on disk: lines as (text, confidence, top, height)."""

    lines: list[tuple[str, float, int, int]]
    words: int
    confident: int
    mean: float


@dataclass
class Score:
    """Counts for one reader on one folder."""

    name: str
    n: int = 0
    total: int = 0
    date: int = 0
    merchant: int = 0
    vat_n: int = 0
    vat: int = 0
    auto: int = 0
    auto_total: int = 0
    rejected: int = 0
    peak_rss_mib: float = 0.0
    second_engine: int = 0
    #: Per receipt, in folder order: whether a second engine ran (the cascade's).
    second_ran: list[bool] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    #: Per receipt: CPU seconds of the second look (header and date lines of an accepted
    #: cascade reading).
    second_look_cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def figures(self) -> Figures:
        def pct(a: int, b: int) -> float | None:
            return round(100.0 * a / b, 1) if b else None

        def q(values: list[float], p: float) -> float | None:
            if not values:
                return None
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 3)

        return {
            "receipts": self.n,
            "total_pct": pct(self.total, self.n),
            "date_pct": pct(self.date, self.n),
            "merchant_pct": pct(self.merchant, self.n),
            "vat_pct": pct(self.vat, self.vat_n),
            "auto_accepted_pct": pct(self.auto, self.n),
            "total_pct_among_auto": pct(self.auto_total, self.auto),
            "rejected": self.rejected,
            "second_engine_pct": pct(self.second_engine, self.n),
            "peak_rss_mib": round(self.peak_rss_mib) if self.peak_rss_mib else None,
            "cpu_median_s": round(statistics.median(self.cpu), 3) if self.cpu else None,
            "cpu_p95_s": q(self.cpu, 0.95),
            "wall_median_s": round(statistics.median(self.wall), 3) if self.wall else None,
            "wall_p95_s": q(self.wall, 0.95),
        }


_B_AMOUNT = re.compile(r"(\d+)[.,](\d{2})\b")
_B_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")


def baseline_read(path: Path, timeout: float = 60.0) -> tuple[str | None, str | None, int | None]:
    """Plain tesseract on the unprocessed image, then simple regexes: (merchant, date, total)."""
    import pytesseract
    from PIL import Image

    from ocr.engine import limit_threads

    limit_threads()
    try:
        with Image.open(path) as image:
            text = pytesseract.image_to_string(image, lang="fra+eng", config="--oem 1",
                                               timeout=timeout)
    except RuntimeError:
        return None, None, None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    merchant = lines[0] if lines else None
    date = None
    m = _B_DATE.search(text)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        if 1 <= mo <= 12 and 1 <= d <= 31:
            date = f"{y:04d}-{mo:02d}-{d:02d}"
    total = None
    for line in reversed(lines):
        if "total" in line.lower():
            amounts = _B_AMOUNT.findall(line)
            if amounts:
                total = int(amounts[-1][0]) * 100 + int(amounts[-1][1])
                break
    if total is None:
        amounts = [int(a) * 100 + int(b) for a, b in _B_AMOUNT.findall(text)]
        total = max(amounts) if amounts else None
    return merchant, date, total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _score(score: Score, key: TruthKey, name: str, merchant: str | None, date: str | None,
           total: int | None, reading: ReceiptReading | None) -> None:
    score.n += 1
    gt_total = truth_total(str(key.get("total", "")))
    ok_total = total is not None and total == gt_total
    ok_date = date is not None and date == truth_date(str(key.get("date", "")))
    ok_merchant = merchant is not None and normalise_merchant(merchant) == normalise_merchant(
        str(key.get("company", ""))
    )
    if reading is not None and reading.auto_accept and not ok_total:
        score.failures.append({"file": name, "wrong_total_auto_accepted": True})
    score.total += ok_total
    score.date += ok_date
    score.merchant += ok_merchant
    if "vat" in key and reading is not None:
        score.vat_n += 1
        want = sorted(int(row["amount"]) for row in key["vat"])
        got = sorted(r.amount_cents or 0 for r in reading.fields.vat)
        score.vat += want == got
    if reading is not None:
        score.rejected += reading.status == "rejected"
        if reading.auto_accept:
            score.auto += 1
            score.auto_total += ok_total
    if not (ok_total and ok_date and ok_merchant):
        # Names and flags only: the ground truth of a third-party set is not copied out.
        wrong = [f for f, ok in (("total", ok_total), ("date", ok_date),
                                 ("merchant", ok_merchant)) if not ok]
        score.failures.append({
            "file": name, "wrong": wrong,
            "code": reading.code if reading else None,
            "auto": reading.auto_accept if reading else None,
        })


#: Wall-clock budget per receipt while measuring: on a shared, overloaded machine the product's
#: budget would cut receipts whose CPU time is small; CPU time per receipt is what is reported.
MEASURE_BUDGET = 120.0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure_one(path: Path, engine: str, baseline: bool
                 ) -> tuple[ReceiptReading, float, float, tuple[Any, ...]]:
    """One reader (and optionally the baseline) on one file, in a pool process (one core)."""
    from ocr.pipeline import read_receipt

    started = time.perf_counter()
    reading = read_receipt(path.read_bytes(), time_budget=MEASURE_BUDGET,
                           engine_choice=engine)  # type: ignore[arg-type]
    wall = time.perf_counter() - started
    rss = _peak_rss_mib()
    base: tuple[Any, ...] = ()
    if baseline:
        started, cpu0 = time.perf_counter(), _children_cpu()
        merchant, date, total = baseline_read(path)
        base = (merchant, date, total, time.perf_counter() - started, _children_cpu() - cpu0)
    return reading, wall, rss, base


def _cached(function: Callable[..., Any], name: str, folder: Path, reuse: bool,
            encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> Callable[..., Any]:
    """``function(gray, timeout)`` remembered on disk by the image's bytes (and reused from
    there only when ``reuse``: a measuring run writes the cache without reading it)."""
    import numpy as np

    def wrapper(gray: np.ndarray, timeout: float) -> Any:
        key = hashlib.sha256(gray.tobytes() + str(gray.shape).encode()).hexdigest()[:32]
        file = folder / f"{name}-{key}.json"
        if reuse and file.exists():
            return decode(json.loads(file.read_text(encoding="utf-8")))
        value = function(gray, timeout)
        file.write_text(json.dumps(encode(value)), encoding="utf-8")
        return value

    return wrapper


def _cached_strips(function: Callable[..., Any], folder: Path, reuse: bool
                   ) -> Callable[..., Any]:
    """The second look (merchant and date strips read by RapidOCR) remembered like the pages."""

    def wrapper(strips: list[Any]) -> Any:
        digest = hashlib.sha256()
        for strip in strips:
            digest.update(strip.tobytes() + str(strip.shape).encode())
        file = folder / f"strips-{digest.hexdigest()[:32]}.json"
        if reuse and file.exists():
            return [tuple(row) for row in json.loads(file.read_text(encoding="utf-8"))]
        value = function(strips)
        file.write_text(json.dumps(value), encoding="utf-8")
        return value

    return wrapper


def _init_pool(text_cache: str | None = None, reuse: bool = True) -> None:
    from ocr import engine, rapid

    engine.limit_threads()
    if text_cache is None:
        return
    folder = Path(text_cache)
    folder.mkdir(parents=True, exist_ok=True)

    def encode(text: engine.OcrText) -> _CachedText:
        return {"lines": [(ln.text, ln.confidence, ln.top, ln.height) for ln in text.lines],
                "words": text.word_count, "confident": text.confident_words,
                "mean": text.mean_confidence}

    def decode(raw: _CachedText) -> engine.OcrText:
        return engine.OcrText([engine.OcrLine(*ln) for ln in raw["lines"]], raw["words"],
                              raw["confident"], raw["mean"])

    # Before ocr.pipeline is imported: its default recogniser is bound at import.
    engine.recognise = _cached(engine.recognise, "tesseract", folder, reuse, encode, decode)
    rapid.recognise = _cached(rapid.recognise, "rapidocr", folder, reuse, encode, decode)
    rapid.read_strips = _cached_strips(rapid.read_strips, folder, reuse)
    engine.detect_rotation = _cached(
        engine.detect_rotation, "osd", folder, reuse, lambda v: v,
        lambda v: tuple(v) if v is not None else None)


def evaluate_folder(folder: Path, baseline: bool = False, limit: int | None = None,
                    jobs: int = 1, engines: tuple[str, ...] = ("cascade",),
                    only: Callable[[str], bool] | None = None,
                    text_cache: Path | None = None, reuse_text: bool = True
                    ) -> dict[str, Score]:
    """Run each engine choice (and optionally the baseline) on a folder.

    Each engine runs in a pool of its own (so its peak memory is its own), each receipt with
    one thread; CPU time per receipt is measured inside the pool process, so ``jobs > 1``
    shortens the run without changing it much. ``only`` keeps the files whose stem it accepts.
    """
    from concurrent.futures import ProcessPoolExecutor

    images = sorted(p for p in (folder / "img").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    images = [p for p in images if (folder / "key" / f"{p.stem}.json").exists()
              and (only is None or only(p.stem))]
    if limit is not None:
        images = images[:limit]
    keys: dict[Path, TruthKey] = {
        p: json.loads((folder / "key" / f"{p.stem}.json").read_text(encoding="utf-8"))
        for p in images}
    scores: dict[str, Score] = {}
    base = Score("baseline")
    ctx = mp.get_context("spawn")
    cache = str(text_cache) if text_cache is not None else None
    for index, engine in enumerate(engines):
        score = scores.setdefault(engine, Score(engine))
        with_base = baseline and index == 0
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_pool,
                                 initargs=(cache, reuse_text)) as pool:
            futures = [pool.submit(_measure_one, path, engine, with_base) for path in images]
            for path, future in zip(images, futures, strict=True):
                reading, wall, rss, base_result = future.result()
                score.wall.append(wall)
                score.cpu.append(reading.timings_ms.get("cpu", 0) / 1000)
                score.second_look_cpu.append(
                    reading.timings_ms.get("second_look_cpu", 0) / 1000)
                score.peak_rss_mib = max(score.peak_rss_mib, rss)
                score.second_engine += "+" in reading.engine
                score.second_ran.append("+" in reading.engine)
                f = reading.fields
                _score(score, keys[path], path.name, f.merchant, f.date, f.total_cents, reading)
                if with_base:
                    merchant, date, total, b_wall, b_cpu = base_result
                    base.wall.append(b_wall)
                    base.cpu.append(b_cpu)
                    _score(base, keys[path], path.name, merchant, date, total, None)
    return {**scores, "baseline": base} if baseline else scores


ROWS = (
    ("total right %", "total_pct"),
    ("date right %", "date_pct"),
    ("merchant right %", "merchant_pct"),
    ("VAT amounts right %", "vat_pct"),
    ("auto-accepted %", "auto_accepted_pct"),
    ("total right among auto %", "total_pct_among_auto"),
    ("refused with a code", "rejected"),
    ("second engine ran %", "second_engine_pct"),
    ("peak RSS MiB (process)", "peak_rss_mib"),
    ("CPU s/receipt median", "cpu_median_s"),
    ("CPU s/receipt p95", "cpu_p95_s"),
    ("wall s/receipt median", "wall_median_s"),
    ("wall s/receipt p95", "wall_p95_s"),
)


def format_table(title: str, scores: dict[str, Score]) -> str:
    """A plain-text table: one row per figure, one column per reader."""
    figures = {name: s.figures() for name, s in scores.items()}
    n = next(iter(figures.values()))["receipts"] if figures else 0
    header = f"{title} ({n} receipts)"
    cols = list(figures)
    out = [header, f"{'':28}" + "".join(f"{c:>12}" for c in cols)]
    for label, key in ROWS:
        cells = []
        for c in cols:
            v = figures[c].get(key)
            cells.append(f"{'-' if v is None else v:>12}")
        out.append(f"{label:28}" + "".join(cells))
    return "\n".join(out)
