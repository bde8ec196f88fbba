"""``nomade ocr FILE`` and ``nomade ocr-eval DIR`` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.cli import main
from bench.synthetic_receipts import write_set


def test_ocr_file_prints_fields_confidences_and_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_set(tmp_path / "set", count=1)
    assert main(["ocr", str(folder / "img" / "000.jpg")]) == 0
    out = json.loads(capsys.readouterr().out)
    truth = json.loads((folder / "key" / "000.json").read_text())
    assert out["status"] == "read"
    assert out["fields"]["total_cents"] == round(float(truth["total"]) * 100)
    assert set(out["confidence"]) >= {"merchant", "date", "total"}
    assert out["checks"] and out["rule_version"]


def test_ocr_file_refusal_has_a_code_and_nonzero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes")
    assert main(["ocr", str(path)]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "OCR_UNSUPPORTED_FORMAT"


def test_ocr_eval_prints_the_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_set(tmp_path / "set", count=1, start=10)
    out_json = tmp_path / "figures.json"
    assert main(["ocr-eval", str(folder), "--json", str(out_json), "--baseline"]) == 0
    table = capsys.readouterr().out
    assert "total right %" in table and "baseline" in table
    figures = json.loads(out_json.read_text())
    assert figures["pipeline"]["receipts"] == 1
    assert figures["pipeline"]["total_pct"] is not None
    assert figures["baseline"]["cpu_median_s"] is not None


def test_ocr_eval_on_a_folder_without_keys_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ocr-eval", str(tmp_path)]) == 2
    assert "img/" in capsys.readouterr().out
