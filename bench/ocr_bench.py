"""Receipt OCR benchmark: one command, a table beside its baseline, figures in JSON.

    uv run python bench/ocr_bench.py [--real-dir DIR] [--synthetic N] [--limit N]

Measures the pipeline (in its isolated worker, one core) and, in the same run, plain
``tesseract`` on the unprocessed image with simple regular expressions, on:
- the real scanned receipts of ``../shared/receipts/sroie-dev`` (relative to the repository);
- N synthetic French receipt photos rendered now into a temporary folder (not committed).
Writes ``bench/results/ocr.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synthetic_receipts import write_set  # noqa: E402
from ocr.evaluation import evaluate_folder, format_table  # noqa: E402
from ocr.schemas import RULE_VERSION  # noqa: E402

TARGETS = {
    "total_pct": 85.0, "date_pct": 92.0, "merchant_pct": 70.0,
    "total_pct_among_auto": 98.0, "auto_accepted_pct": 50.0,
    "cpu_median_s": 1.0, "cpu_p95_s": 3.0,
}


def _write(out: Path, results: dict[str, object]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")


def _default_real_dir() -> Path:
    """``../shared/receipts/sroie-dev`` beside the repository (or beside a worktree folder)."""
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / "receipts" / "sroie-dev"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "receipts" / "sroie-dev"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real-dir", type=Path, default=_default_real_dir())
    parser.add_argument("--synthetic", type=int, default=100, help="synthetic receipts (≥100)")
    parser.add_argument("--limit", type=int, default=None, help="first N files of each set")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--jobs", type=int, default=1,
                        help="receipts measured in parallel (CPU time stays per receipt)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ocr.json")
    args = parser.parse_args()
    results: dict[str, object] = {"rule_version": RULE_VERSION,
                                  "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    tables: list[str] = []
    sets: list[tuple[str, Path]] = []
    if args.real_dir.is_dir():
        sets.append(("real (SROIE dev)", args.real_dir.resolve()))
    else:
        print(f"real set not found at {args.real_dir}; skipping it")
    with tempfile.TemporaryDirectory(prefix="nomade-synthetic-") as tmp:
        if args.synthetic > 0:
            started = time.perf_counter()
            write_set(Path(tmp), args.synthetic)
            print(f"rendered {args.synthetic} synthetic receipts in "
                  f"{time.perf_counter() - started:.1f} s")
            sets.append(("synthetic French photos", Path(tmp)))
        for title, folder in sets:
            scores = evaluate_folder(folder, baseline=not args.no_baseline, limit=args.limit,
                                     jobs=args.jobs)
            table = format_table(title, scores)
            print(table, flush=True)
            tables.append(table)
            results[title] = {
                name: {**score.figures(), "failures": score.failures}
                for name, score in scores.items()
            }
            _write(args.out, results)  # after each set: a long run keeps what it measured
    real = results.get("real (SROIE dev)")
    if isinstance(real, dict):
        figures = real["pipeline"]
        met = {k: (figures.get(k) is not None and (
            figures[k] <= v if k.startswith("cpu") else figures[k] >= v))
            for k, v in TARGETS.items()}
        results["targets_real"] = {"targets": TARGETS, "met": met}
        print("targets on the real set:",
              ", ".join(f"{k} {'ok' if ok else 'MISSED'}" for k, ok in met.items()))
    _write(args.out, results)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
