"""Run the reader in a separate process with a wall-clock limit and a memory cap.

A stuck or crashing Tesseract call, or a decoder eating memory, kills only the OCR process: the
caller gets a reading with code ``OCR_TIMEOUT`` / ``OCR_WORKER_CRASHED`` and a fresh process is
started for the next receipt.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import resource
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

import msgspec

from ocr.schemas import ReceiptReading

if TYPE_CHECKING:
    from ocr.pipeline import EngineChoice

__all__ = ("MEMORY_LIMIT_BYTES", "WALL_CLOCK_LIMIT", "OcrWorker")

WALL_CLOCK_LIMIT = 60.0
#: Address space of the OCR process (not its resident memory: ONNX Runtime and OpenMP reserve
#: far more than they touch). Peak RSS with RapidOCR loaded stays near 1 GiB
#: (bench/ocr_bench.py measures it).
MEMORY_LIMIT_BYTES = 3 * 1024 * 1024 * 1024


def _serve(conn: Connection, memory_limit: int, time_budget: float,
           engine: EngineChoice) -> None:
    """Child loop: receive bytes, answer an encoded reading (or a crash code). RapidOCR's
    models are loaded once, when the process starts, not per receipt."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    from ocr.engine import limit_threads
    from ocr.pipeline import read_receipt, rejected

    limit_threads()
    if engine != "tesseract":
        from ocr import rapid

        # A failed load is retried per receipt; the cascade then keeps Tesseract's reading.
        with contextlib.suppress(Exception):
            rapid.load()
    encoder = msgspec.msgpack.Encoder()
    while True:
        try:
            data = conn.recv_bytes()
        except EOFError:
            return
        try:
            reading = read_receipt(data, time_budget=time_budget, engine_choice=engine)
        except MemoryError:
            reading = rejected("OCR_IMAGE_TOO_LARGE")
        except Exception:  # a bug or a library crash must not take the worker down
            reading = rejected("OCR_WORKER_CRASHED")
        conn.send_bytes(encoder.encode(reading))


class OcrWorker:
    """One long-lived OCR process; :meth:`read` never blocks longer than ``timeout``."""

    def __init__(self, memory_limit: int = MEMORY_LIMIT_BYTES,
                 time_budget: float | None = None, engine: EngineChoice = "cascade") -> None:
        from ocr.pipeline import TIME_BUDGET

        self._ctx = mp.get_context("spawn")
        self.engine: EngineChoice = engine
        self._memory_limit = memory_limit
        self._time_budget = TIME_BUDGET if time_budget is None else time_budget
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._decoder = msgspec.msgpack.Decoder(ReceiptReading)

    def _start(self) -> Connection:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_serve, args=(child, self._memory_limit, self._time_budget, self.engine),
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        return parent

    @property
    def pid(self) -> int | None:
        """Process id of the current OCR process (None before the first read)."""
        return self._process.pid if self._process is not None else None

    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def read(self, data: bytes, timeout: float = WALL_CLOCK_LIMIT) -> ReceiptReading:
        """Read one receipt in the OCR process, or answer a timeout / crash code."""
        from ocr.pipeline import rejected

        conn = self._conn if self.alive() and self._conn is not None else self._start()
        try:
            conn.send_bytes(data)
            if not conn.poll(timeout):
                self._kill()
                return rejected("OCR_TIMEOUT")
            return self._decoder.decode(conn.recv_bytes())
        except (EOFError, OSError, BrokenPipeError):
            self._kill()
            return rejected("OCR_WORKER_CRASHED")

    def close(self) -> None:
        """Stop the OCR process."""
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            self._process.join(2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(2)
        self._process, self._conn = None, None

    def __enter__(self) -> OcrWorker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
