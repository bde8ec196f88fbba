"""The documents say what the server does: every code they name exists in the error catalogue,
every code the protocol and the workflows register is documented, and the figures they quote
are the ones in the code."""

from __future__ import annotations

import re
from pathlib import Path

from backend.accounts.sessions import REFRESH_RETRY_GRACE
from backend.composition import bootstrap, route_handlers
from backend.workflow_codes import WORKFLOW_CODES
from kernel.errors import CATALOGUE
from sync.errors import SYNC_CODES
from sync.wire import MAX_PULL_LIMIT

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROTOCOL = (DOCS / "sync-protocol.md").read_text(encoding="utf-8")
WORKFLOWS = (DOCS / "workflows.md").read_text(encoding="utf-8")
# A code: an upper-case identifier with an underscore (or FORBIDDEN) inside a `code span`.
_SPAN = re.compile(r"`([^`]+)`")
_WORD = re.compile(r"\b(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|FORBIDDEN)\b")
# Upper-case names that are not codes: an invoice status, Python constants the docs cite.
_NOT_CODES = {"SERVICE_FAIT_ANNULE", "SOURCE_CODES", "SYNC_MODULES",
              # names of the generated contract (pwa/src/data/contract.gen.ts) the docs cite
              "ERROR_CODES", "INTENT_NAMES", "INTENT_VERSIONS", "SYNCED_ENTITIES",
              "WIRE_SCHEMA_VERSION"}  # a constant of sync/wire.py


def _registered() -> None:
    """Every registry and every code, as the app builds them."""
    route_handlers()
    bootstrap()


def _codes(text: str) -> set[str]:
    unfenced = re.sub(r"```\w*", "", text)  # fenced blocks would pair their backticks wrong
    return {code for span in _SPAN.findall(unfenced) for code in _WORD.findall(span)
            if not code.startswith("NOMADE_")}  # settings, not codes


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def test_every_code_the_protocol_document_names_exists() -> None:
    _registered()
    named = _codes(PROTOCOL)
    assert {"ALREADY_DECIDED", "STATE_CHANGED", "CONTENT_CHANGED"} <= named
    assert sorted(named - CATALOGUE.keys() - _NOT_CODES) == []


def test_section_8_refusals_are_the_workflow_rules_codes() -> None:
    """§8 names each refusal of the workflow rules (backend/workflow.py) and no other."""
    section = _section(PROTOCOL, "## 8. Workflow rules")
    workflow_rules = (Path(__file__).resolve().parents[2] / "backend" / "workflow.py").read_text()
    raised = set(re.findall(r'WorkflowRefusal\(\s*"([A-Z_]+)"', workflow_rules))
    assert raised, "the rules raise WorkflowRefusal with literal codes"
    named = _codes(section)
    assert raised <= named
    assert sorted(named - CATALOGUE.keys()) == []
    # approving a withdrawn (cancelled) mission is ALREADY_DECIDED, not STATE_CHANGED
    assert re.search(r"rejected ALREADY_DECIDED`.{0,120}withdr", section, re.S)
    # every intent the section gives as an example exists
    intents = set(re.findall(r"`((?:mission|expense_claim|expense_line|purchase_order|invoice)"
                             r"\.[a-z_]+)`", section))
    from sync.registry import get_mutation

    assert intents and all(get_mutation(name) is not None for name in intents), intents


def test_every_registered_protocol_and_workflow_code_is_documented() -> None:
    documented = _codes(PROTOCOL) | _codes(WORKFLOWS)
    documented |= set(_WORD.findall(WORKFLOWS))  # the intents table lists refusals bare
    missing = sorted((SYNC_CODES.keys() | WORKFLOW_CODES.keys()) - documented - _NOT_CODES)
    assert missing == []


def test_the_figures_the_documents_quote_are_the_codes() -> None:
    assert f"`limit` 1…{MAX_PULL_LIMIT}" in PROTOCOL
    auth = (DOCS / "auth-api.md").read_text(encoding="utf-8")
    assert f"**{int(REFRESH_RETRY_GRACE.total_seconds())} seconds**" in auth
    assert "seen_hash`, the" not in PROTOCOL  # decisions carry `content_hash`
