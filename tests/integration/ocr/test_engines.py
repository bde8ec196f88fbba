"""The two text engines as installed: which Tesseract binding runs, RapidOCR's shipped models
read a receipt with the network cut, the cascade, and a failing second engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from ocr import engine, pipeline, rapid
from ocr.pipeline import read_receipt
from tests.unit.ocr.samples import encode, receipt_image

REPO = Path(__file__).resolve().parents[3]
IN_CI = os.environ.get("CI", "").lower() == "true"
BUDGET = 120.0


def test_tesseract_runs_in_process_on_debians_library() -> None:
    import tesserocr

    assert engine.BACKEND == "tesserocr"
    assert tesserocr.tesseract_version().startswith("tesseract 5.3")  # Debian 12's, not a wheel's


def test_in_process_tesseract_reads_what_the_command_reads() -> None:
    image, _ = receipt_image(3, 1)
    flat = pipeline.prepare(pipeline.preprocess.to_gray(image), [])
    in_process = engine.assemble(engine._words_in_process(flat, 60))
    command = engine.assemble(engine._words_by_command(flat, 60))
    assert in_process.text == command.text
    assert in_process.mean_confidence == command.mean_confidence


def test_rapidocr_version_and_models_are_the_pinned_ones() -> None:
    assert version("rapidocr") == "3.10.0"
    assert version("onnxruntime") == "1.23.2"
    for name in rapid.MODEL_FILES.values():
        assert (rapid.model_dir() / name).stat().st_size > 500_000, name


_OFFLINE = """
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from ocr.pipeline import read_receipt
reading = read_receipt(open(sys.argv[1], "rb").read(), 120.0, "rapidocr")
print(json.dumps({"status": reading.status, "total": reading.fields.total_cents,
                  "engine": reading.engine, "loaded": "rapidocr_load" in reading.timings_ms}))
"""


def test_rapidocr_loads_and_reads_with_the_network_cut(tmp_path: Path) -> None:
    image, total = receipt_image(3, 0)
    path = tmp_path / "receipt.jpg"
    path.write_bytes(encode(image))
    done = subprocess.run([sys.executable, "-c", _OFFLINE, str(path)], cwd=REPO,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"status": "read", "total": total, "engine": "rapidocr", "loaded": True}


@pytest.mark.parametrize("choice", ["tesseract", "rapidocr", "cascade"])
def test_each_engine_choice_reads_a_photographed_receipt(choice: str) -> None:
    image, total = receipt_image(8, 1)
    reading = read_receipt(encode(image), BUDGET, choice)  # type: ignore[arg-type]
    assert reading.status == "read", reading.code
    assert reading.fields.total_cents == total
    assert reading.engine.startswith("rapidocr" if choice == "rapidocr" else "tesseract")
    assert reading.fields.sources["total_cents"] in ("tesseract", "rapidocr", "both")


def test_cascade_asks_rapidocr_only_when_tesseract_is_not_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image, total = receipt_image(3, 0)
    data = encode(image)
    accepted = read_receipt(data, BUDGET, "tesseract")
    assert accepted.auto_accept  # a clean French bill: Tesseract's reading is enough
    cascade = read_receipt(data, BUDGET, "cascade")
    assert cascade.engine == "tesseract"
    # RapidOCR read the merchant's line again (a strip, not the page) and agreed
    assert cascade.fields.merchant == accepted.fields.merchant
    assert cascade.fields.sources["merchant"] == "both"
    assert "merchant_confirmed_by_rapidocr" in cascade.flags
    monkeypatch.setattr(pipeline, "decide_auto_accept", lambda *a: False)
    doubted = read_receipt(data, BUDGET, "cascade")
    assert doubted.engine == "tesseract+rapidocr"
    assert doubted.fields.total_cents == total
    assert doubted.fields.sources["total_cents"] == "both"


def test_a_failing_second_engine_falls_back_to_the_first_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image, total = receipt_image(3, 0)
    monkeypatch.setattr(pipeline, "decide_auto_accept", lambda *a: False)

    def broken(gray: object, timeout: float) -> engine.OcrText:
        raise RuntimeError("onnxruntime exploded")

    monkeypatch.setattr(rapid, "recognise", broken)
    reading = read_receipt(encode(image), BUDGET, "cascade")
    assert reading.status == "read"
    assert reading.fields.total_cents == total
    assert reading.engine == "tesseract"
    assert "second_engine_failed" in reading.flags
    assert reading.review  # not accepted: the reasons say what to check


def test_a_second_engine_out_of_time_keeps_the_first_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ocr.errors import OcrError

    image, total = receipt_image(3, 0)
    monkeypatch.setattr(pipeline, "decide_auto_accept", lambda *a: False)

    def slow(gray: object, timeout: float) -> engine.OcrText:
        raise OcrError("OCR_TIMEOUT", {"seconds": timeout})

    monkeypatch.setattr(rapid, "recognise", slow)
    reading = read_receipt(encode(image), BUDGET, "cascade")
    assert reading.status == "read"
    assert reading.fields.total_cents == total


def test_the_ocr_process_loads_rapidocr_once_not_per_receipt() -> None:
    from ocr.isolation import OcrWorker

    image, total = receipt_image(3, 0)
    with OcrWorker(time_budget=BUDGET, engine="rapidocr") as worker:
        readings = [worker.read(encode(image), timeout=150.0) for _ in range(2)]
        pid = worker.pid
        assert worker.alive()
    assert [r.fields.total_cents for r in readings] == [total, total]
    assert all(r.engine == "rapidocr" for r in readings)
    # Loaded when the OCR process started: no receipt paid for it, and the process stayed.
    assert all("rapidocr_load" not in r.timings_ms for r in readings)
    assert pid is not None
