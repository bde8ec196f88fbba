"""One bootstrap for every process: a worker started alone (a fresh interpreter, as ``nomade
worker`` starts) holds the same registries as the app, and serves every job kind.

The bug this guards: the worker imported its job modules only, so the OCR job failed with
``KeyError: 'expense_line'`` on the synced entity it updates, and receipt thumbnails outlived
their blob (the "blob collected" hook was never registered there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

_WORKER = """
import dataclasses, json
from backend.worker import prepare_worker
from backend.composition import Registries
queue, workers = prepare_worker()
print(json.dumps({"registries": dataclasses.asdict(Registries.current()),
                  "served": {w.queue.name: sorted(w.functions) for w in workers}}))
"""

_APP = """
import dataclasses, json
from backend.app import create_app
from backend.composition import Registries
create_app()
print(json.dumps({"registries": dataclasses.asdict(Registries.current())}))
"""


def _fresh(script: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOMADE_", "PYTEST"))}
    # Nothing listens there: building the worker must not need Redis, only its address.
    env |= {"REDIS_URL": "redis://127.0.0.1:9/0", "NOMADE_ENV": "test",
            "NOMADE_SECRET_KEY": "bootstrap-test-" + "k" * 40, "NOMADE_LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_worker_started_alone_has_every_registry_the_app_has() -> None:
    worker, app = _fresh(_WORKER), _fresh(_APP)
    assert worker["registries"] == app["registries"]
    registries = worker["registries"]
    # What the scaled deployment lacked: the entity the OCR job fills, the thumbnail clean-up.
    assert {"expense_line", "mission", "expense_claim", "invoice", "purchase_order"} <= set(
        registries["entities"])
    assert "expense_line.attach_receipt" in registries["intents"]
    assert any(hook.startswith("collected:backend.expenses.receipt_images")
               for hook in registries["blob_hooks"])
    assert any(hook.startswith("completed:backend.expenses.ocr_flow")
               for hook in registries["blob_hooks"])


def test_every_queue_of_a_lone_worker_serves_every_job_kind() -> None:
    worker = _fresh(_WORKER)
    kinds = set(worker["registries"]["jobs"])
    assert {"ocr.read_receipt", "push.deliver", "sync.collect_blobs"} <= kinds
    assert set(worker["served"]) == {"nomade", "nomade-ocr"}
    for served in worker["served"].values():
        assert kinds <= set(served)
