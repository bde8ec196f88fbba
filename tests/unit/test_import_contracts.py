"""The import contracts of pyproject.toml ([tool.importlinter]): they hold on today's code, and
each kind would catch the import it forbids (a domain reading another's tables, ocr importing
the server, the platform importing a domain, a lower layer importing a higher one, a cycle
between top-level packages)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from copy import deepcopy
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.protected import ProtectedContract
from importlinter.domain.contract import Contract

ROOT = Path(__file__).resolve().parents[2]
CONFIG: dict[str, Any] = tomllib.loads(
    (ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
SESSION = {k: v for k, v in CONFIG.items() if k != "contracts"}
LAYERS = ("The house in layers: server, workflows, domains, domain kernel, adapters and accounts,"
          " platform")
PLATFORM = "The platform imports no domain (nor sync, notifications)"
TOP = "Top-level packages in layers: backend, then sync and notifications, then kernel"
KINDS: dict[str, type[Contract]] = {
    "forbidden": ForbiddenContract, "layers": LayersContract, "protected": ProtectedContract}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    configure()
    return grimp.build_graph(*SESSION["root_packages"], cache_dir=None)


def test_every_import_contract_holds() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert f"Contracts: {len(CONFIG['contracts'])} kept, 0 broken." in done.stdout


def _kept(graph: grimp.ImportGraph, name: str) -> bool:
    (options,) = [c for c in CONFIG["contracts"] if c["name"] == name]
    contract = KINDS[options["type"]](name=name, session_options=SESSION,
                                      contract_options=options)
    return bool(contract.check(deepcopy(graph), verbose=False).kept)


@pytest.mark.parametrize(("importer", "imported", "contract"), [
    ("backend.orders.mutations", "backend.accounts.tables",
     "Only accounts reads the accounts tables"),
    ("backend.flows", "backend.invoices.tables", "Only invoices reads the invoices tables"),
    ("backend.claims.services", "backend.expenses.tables",
     "Only expenses reads the expenses tables"),
    ("backend.expenses.services", "sync.tables", "Only sync reads the sync tables"),
    ("ocr.pipeline", "kernel.settings", "ocr is pure: it imports nothing of the server"),
    ("kernel.errors", "backend.claims.services",
     "The platform imports no domain (nor sync, notifications)"),
    ("kernel.queries", "sync.storage", "The platform imports no domain (nor sync, notifications)"),
    ("backend.missions.services", "backend.composition", LAYERS),
    ("backend.composition", "backend.app", LAYERS),
    ("backend.accounts.services", "backend.claims.services", LAYERS),
    ("backend.audit.services", "backend.invoices.services", LAYERS),
    ("backend.policy.services", "backend.claims.rules", LAYERS),
    ("backend.missions.services", "backend.claims.services", LAYERS),
    ("backend.intents", "backend.expenses.services", LAYERS),
    ("backend.notification_flows", "backend.flows", LAYERS),
    ("sync.push", "notifications.services", LAYERS),
    ("sync.push", "backend.accounts.services", LAYERS),
    ("backend.claims.services", "backend.flows", LAYERS),
    ("backend.orders.mutations", "backend.flows", LAYERS),
    ("backend.expenses.mutations", "backend.claims.services", LAYERS),
    ("sync.pull", "backend.accounts.services", TOP),
    ("notifications.tables", "backend.accounts.tables", TOP),
    ("kernel.jobs", "sync.jobs", TOP),
    ("kernel.errors", "backend.accounts.codes", PLATFORM),
])
def test_a_forbidden_import_breaks_its_contract(graph: grimp.ImportGraph, importer: str,
                                                imported: str, contract: str) -> None:
    assert _kept(graph, contract)
    planted = deepcopy(graph)
    planted.add_import(importer=importer, imported=imported)
    assert not _kept(planted, contract)
