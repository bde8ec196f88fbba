"""Command-line entry points wired by ``backend.cli``: ``nomade ocr`` and ``nomade ocr-eval``."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from ocr.evaluation import evaluate_folder, format_table
from ocr.isolation import OcrWorker

__all__ = ("ocr_eval", "ocr_file")


def ocr_file(path: str) -> int:
    """Print the reading of one file as JSON (fields, confidences, checks); 0 when read."""
    data = Path(path).read_bytes()
    with OcrWorker() as worker:
        reading = worker.read(data)
    print(msgspec.json.format(msgspec.json.encode(reading), indent=2).decode())
    return 0 if reading.status == "read" else 2


def ocr_eval(directory: str, json_out: str | None = None, baseline: bool = False,
             limit: int | None = None, jobs: int = 1) -> int:
    """Print the accuracy/latency table of a SROIE-like folder; optionally write JSON."""
    folder = Path(directory)
    if not (folder / "img").is_dir() or not (folder / "key").is_dir():
        print(f"{folder}: expected img/ and key/ folders")
        return 2
    by_engine = evaluate_folder(folder, baseline=baseline, limit=limit, jobs=jobs)
    # The product's reader (the cascade) is reported as "pipeline"; bench/ocr_bench.py
    # compares the engines one by one.
    scores = {name if name == "baseline" else "pipeline": score
              for name, score in by_engine.items()}
    print(format_table(str(folder), scores))
    if json_out:
        payload = {
            name: {**score.figures(), "failures": score.failures}
            for name, score in scores.items()
        }
        Path(json_out).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return 0
