"""The phone's generated contract (pwa/src/data/contract.gen.ts): fresh, and faithful."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

import msgspec
import pytest

from kernel.errors import Problem
from sync.contract import GENERATED_PATH, REGENERATE, _ts_type, render_typescript
from sync.registry import MutationSpec
from sync.wire import SyncedRow

ROOT = Path(__file__).resolve().parents[3]


async def _handler(ctx: object, args: object) -> None:
    return None


class _Leg(msgspec.Struct, forbid_unknown_fields=True):
    """One leg: ``mode`` as the user picked it."""

    mode: Literal["train", "car"]
    km: Annotated[int, msgspec.Meta(ge=0)] | None = None


class _TripArgs(msgspec.Struct, forbid_unknown_fields=True):
    id: UUID
    legs: list[_Leg]
    note: str = ""


def _specs() -> dict[str, MutationSpec]:
    return {"trip.plan": MutationSpec("trip.plan", 2, _TripArgs, _handler)}


def test_committed_contract_matches_the_registries() -> None:
    """Regenerated in a fresh process (no test-only intents or codes), it equals the file."""
    fresh = subprocess.run(
        [sys.executable, "-c",
         "from backend.cli import main; raise SystemExit(main(['contract', '--stdout']))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    committed = (ROOT / GENERATED_PATH).read_text(encoding="utf-8")
    assert fresh == committed, f"{GENERATED_PATH} is stale: run `{REGENERATE}` and commit it"


def test_interfaces_follow_the_argument_structs() -> None:
    text = render_typescript(_specs(), {})
    assert ("export interface _TripArgs {\n  id: string;\n  legs: Array<_Leg>;\n"
            "  note?: string;\n}") in text
    assert '  mode: "car" | "train";\n  km?: number | null;\n' in text
    assert '  "trip.plan": _TripArgs;' in text
    assert '  "trip.plan": 2,' in text


def test_error_codes_are_data_with_both_languages() -> None:
    text = render_typescript(_specs(), {"B_CODE": Problem(409, "Déjà « fait ».", "Done."),
                                        "A_CODE": Problem(400, "Non.", "No.")})
    assert '  | "A_CODE"\n  | "B_CODE";' in text
    assert '  B_CODE: { status: 409, fr: "Déjà « fait ».", en: "Done." },' in text
    assert text.index("A_CODE: {") < text.index("B_CODE: {")


class _TripRow(SyncedRow, kw_only=True):
    """A trip as pull sends it."""

    id: UUID
    legs: list[_Leg]
    ends_at: datetime | None


class _NoteRow(SyncedRow, kw_only=True):
    body: str


def test_synced_rows_are_typed_and_listed_sorted() -> None:
    text = render_typescript(_specs(), {}, {"trip": _TripRow, "note": _NoteRow})
    assert ("export interface _TripRow {\n  id: string;\n  legs: Array<_Leg>;\n"
            "  ends_at: string | null;\n}") in text
    assert text.count("export interface _Leg {") == 1  # shared with the intent's arguments
    assert 'export interface SyncedRows {\n  "note": _NoteRow;\n  "trip": _TripRow;\n}' in text
    assert ('SYNCED_ENTITIES = [\n  "note",\n  "trip",\n] as const satisfies readonly '
            '(keyof SyncedRows)[];') in text


def test_output_does_not_depend_on_registration_order() -> None:
    other = {"a.z": MutationSpec("a.z", 1, _Leg, _handler), **_specs()}
    again = dict(reversed(list(other.items())))
    assert render_typescript(other, {}) == render_typescript(again, {})


def test_an_unknown_schema_is_refused_rather_than_typed_loosely() -> None:
    with pytest.raises(ValueError, match="inline object"):
        _ts_type({"type": "object", "properties": {"x": {"type": "integer"}}})
    with pytest.raises(ValueError, match="no TypeScript type"):
        _ts_type({"type": "tuple"})
