"""One line per receipt (une ligne par justificatif): a line holding receipts of different kinds
(a hotel and a taxi) is split, at the agent's request, into one line per receipt.

The line keeps its first receipt; each other receipt moves to a new line of the same owner and
claim (ids made on the phone), filled from that receipt's reading kept on the line. Fields the
agent typed stay on the original line; the new lines take what their receipt says. Findings
are made anew on every line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec

from backend.expenses.duplicates import receipt_duplicates
from backend.expenses.line_findings import line_findings
from backend.expenses.readings import mission_days
from backend.expenses.receipt_totals import (
    ENTRY_CONFIDENCE,
    LineValue,
    ReceiptEntry,
    combined_values,
)
from backend.expenses.rows import ExpenseLineRecord, OcrSummary
from backend.expenses.services import ENTITY
from backend.expenses.tables import ExpenseLine
from backend.policy.checks import StoredFinding
from backend.writing import Writing
from kernel.coerce import as_uuid, json_value
from sync import Noop, Outcome, Rejected, reference_blob, unreference_blob

__all__ = ("split_line",)

#: Fields a new line takes from its receipt (placeholders when it was not read yet).
_FIELDS = ("date", "amount_cents", "currency", "merchant", "category", "vat_cents", "vat_rate_bp")


def _dump(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _own_fields(row: ExpenseLineRecord) -> dict[str, LineValue]:
    """The line's values of :data:`_FIELDS`."""
    return {"date": row["date"], "amount_cents": row["amount_cents"],
            "currency": row["currency"], "merchant": row["merchant"],
            "category": row["category"], "vat_cents": row["vat_cents"],
            "vat_rate_bp": row["vat_rate_bp"]}


def _summary(
    entry: ReceiptEntry | None, findings: list[StoredFinding], filled: Sequence[str]
) -> OcrSummary:
    if entry is None:
        return {}
    return OcrSummary(
        sha256=entry["sha256"],
        status=entry["status"],
        code=entry.get("code"),
        fields={n: entry["confidence"].get(n, 0.0) for n in ENTRY_CONFIDENCE if n in filled},
        filled=sorted(filled),
        review=[],
        receipts=[entry],
        findings=findings,
    )


async def _findings(
    ctx: Writing,
    line_id: UUID,
    title: str,
    entry: ReceiptEntry | None,
    mission: tuple[dt.date, dt.date] | None,
) -> list[StoredFinding]:
    if entry is None or ctx.organisation_id is None:
        return []
    duplicates = await receipt_duplicates(ctx.organisation_id, line_id, ctx.actor.user_id, [entry])
    return line_findings(title, [entry], mission=mission, duplicates=duplicates)


async def split_line(
    ctx: Writing, row: ExpenseLineRecord, new_ids: Sequence[UUID]
) -> Outcome | None:
    """Split the line ``row`` (its owner's, live, editable: checked by the caller) into one
    line per receipt; ``new_ids`` name the new lines in the order of the receipts after the
    first. ALREADY_SPLIT when the line holds one receipt; SPLIT_COUNT_MISMATCH when the
    phone saw another number of receipts than the line holds."""
    assert ctx.organisation_id is not None
    receipts = [s for s in json_value(row["receipts"]) or [] if isinstance(s, str)]
    if len(receipts) < 2:
        return Noop("ALREADY_SPLIT", {"receipts": len(receipts)})
    if len(new_ids) != len(receipts) - 1:
        raise Rejected(
            "SPLIT_COUNT_MISMATCH", {"receipts": len(receipts), "new_lines": len(new_ids)}
        )
    reading: OcrSummary = json_value(row["ocr"]) or OcrSummary()
    entries = {e["sha256"]: e for e in reading.get("receipts") or [] if isinstance(e, dict)}
    mission = await mission_days(ctx.organisation_id, row["claim_id"])
    own = _own_fields(row)
    for new_id, sha in zip(new_ids, receipts[1:], strict=True):
        entry = entries.get(sha)
        values = combined_values([entry]) if entry is not None else {}
        fields = {name: values.get(name, own[name]) for name in _FIELDS}
        title = str(fields["merchant"] or fields["category"] or "")
        await unreference_blob(ctx.organisation_id, sha, ENTITY, row["id"])
        await reference_blob(ctx.organisation_id, sha, ENTITY, new_id)
        findings = await _findings(ctx, new_id, title, entry, mission)
        await ctx.insert(
            ENTITY,
            ExpenseLine(
                id=new_id,
                owner=ctx.actor.user_id,
                organisation=ctx.organisation_id,
                claim_id=row["claim_id"],
                description="",
                fx_rate=row["fx_rate"],
                row_version=0,
                receipts=_dump([sha]),
                _data={getattr(ExpenseLine, name): value for name, value in fields.items()},
                field_versions=_dump(dict.fromkeys(_FIELDS, 1)),
                field_sources=_dump(dict.fromkeys(_FIELDS, "ocr")),
                field_clients="{}",
                ocr=_dump(_summary(entry, findings, list(values))),
            ),
            exists=Rejected("ROW_EXISTS", {"id": str(new_id)}),
        )
    await _keep_first(ctx, row, receipts[0], entries.get(receipts[0]), mission)
    return None


async def _keep_first(
    ctx: Writing,
    row: ExpenseLineRecord,
    sha: str,
    entry: ReceiptEntry | None,
    mission: tuple[dt.date, dt.date] | None,
) -> None:
    """The original line with its first receipt only: its read fields from that receipt."""
    sources: dict[str, str] = json_value(row["field_sources"]) or {}
    versions: dict[str, int] = json_value(row["field_versions"]) or {}
    new_version = int(row["row_version"]) + 1
    values = combined_values([entry]) if entry is not None else {}
    changes = {k: v for k, v in values.items() if sources.get(k) != "user" and row.get(k) != v}
    for name in changes:
        versions[name] = new_version
    title = str(changes.get("merchant") or row["merchant"] or row["category"] or "")
    findings = await _findings(ctx, as_uuid(row["id"]), title, entry, mission)
    update: dict[Any, Any] = {getattr(ExpenseLine, k): v for k, v in changes.items()}
    update[ExpenseLine.receipts] = _dump([sha])
    update[ExpenseLine.field_versions] = _dump(versions)
    update[ExpenseLine.ocr] = _dump(
        {**(json_value(row["ocr"]) or {}), **_summary(entry, findings, list(values))}
    )
    await ctx.update(ENTITY, row["id"], update)
