"""One bootstrap for every process: a worker started alone (a fresh interpreter, as ``nomade
worker`` starts) holds the same registries as the app, and serves every job kind; importing a
module registers nothing, only ``composition.bootstrap`` does.

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
import json
from backend.worker import prepare_worker
from backend.composition import Registries
from kernel.errors import CATALOGUE
queue, workers = prepare_worker()
print(json.dumps({"registries": Registries.installed().names(), "codes": sorted(CATALOGUE),
                  "served": {w.queue.name: sorted(w.functions) for w in workers}}))
"""

_APP = """
import json
from backend.app import create_app
from backend.composition import Registries
from kernel.errors import CATALOGUE
create_app()
print(json.dumps({"registries": Registries.installed().names(), "codes": sorted(CATALOGUE)}))
"""

_CONTRACT = """
import json
from backend.contract import generated_typescript
from backend.composition import Registries
from kernel.errors import CATALOGUE
generated_typescript()
print(json.dumps({"registries": Registries.installed().names(), "codes": sorted(CATALOGUE)}))
"""

# Every module that declares something, imported (with the app's routes and the worker) as a
# process would before start-up: the registries stay empty until bootstrap() installs them.
_IMPORTS_ONLY = """
import importlib, json
from backend.composition import Registries, bootstrap, registering_modules, route_handlers
import backend.worker
route_handlers()
for name in registering_modules():
    importlib.import_module(name)
before = Registries.installed().names()
bootstrap()
print(json.dumps({"before": before, "after": Registries.installed().names()}))
"""

# What lower packages ask of higher ones through ports (backend.composition.connect_ports):
# before start-up asking raises; after it, a lone worker answers.
_PORTS = """
import asyncio, json
from backend.expenses.claim_rules import claim_rules
from notifications.people import active_languages
def asked():
    try:
        claim_rules()
        asyncio.run(active_languages([]))
    except RuntimeError:
        return False
    return True
before = asked()
from backend.worker import prepare_worker
prepare_worker()
print(json.dumps({"before": before, "after": asked()}))
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


def test_importing_every_domain_module_registers_nothing_until_bootstrap() -> None:
    found = _fresh(_IMPORTS_ONLY)
    assert found["before"] == {name: [] for name in found["after"]}
    assert "expense_line.create" in found["after"]["intents"]
    assert "ocr.read_receipt" in found["after"]["jobs"]
    assert found["after"]["organisation_scopes"] and found["after"]["documents"]


def test_a_worker_started_alone_has_every_registry_the_app_has() -> None:
    worker, app, contract = _fresh(_WORKER), _fresh(_APP), _fresh(_CONTRACT)
    assert worker["registries"] == app["registries"] == contract["registries"]
    # The error catalogue is filled as each code module is imported (constant data, imported
    # by the modules raising those codes): every process still holds the same codes.
    assert worker["codes"] == app["codes"] == contract["codes"]
    assert {"BLOB_PENDING", "MONEY_CONFLICT", "ALREADY_DECIDED"} <= set(app["codes"])
    registries = worker["registries"]
    # What the scaled deployment lacked: the entity the OCR job fills, the thumbnail clean-up.
    assert {"expense_line", "mission", "expense_claim", "invoice", "purchase_order"} <= set(
        registries["entities"])
    assert "expense_line.attach_receipt" in registries["intents"]
    assert any(hook.startswith("collected:backend.expenses.receipt_images")
               for hook in registries["blob_hooks"])
    assert any(hook.startswith("held:backend.expenses.ocr_flow")
               for hook in registries["blob_hooks"])


def test_every_queue_of_a_lone_worker_serves_every_job_kind() -> None:
    worker = _fresh(_WORKER)
    kinds = set(worker["registries"]["jobs"])
    assert {"ocr.read_receipt", "push.deliver", "sync.collect_blobs"} <= kinds
    assert set(worker["served"]) == {"nomade", "nomade-ocr"}
    for served in worker["served"].values():
        assert kinds <= set(served)


def test_a_lone_worker_has_the_ports_connected() -> None:
    # The OCR job asks claims' rules through expenses' port; a push asks people's languages.
    assert _fresh(_PORTS) == {"before": False, "after": True}
