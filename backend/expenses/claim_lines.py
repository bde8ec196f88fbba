"""What the claims workflow reads of expense lines (added by the workflows; read-only)."""

from __future__ import annotations

from datetime import date
from typing import cast
from uuid import UUID

import msgspec

from backend.expenses.rows import ExpenseLineRecord, MileagePrice, OcrSummary
from backend.expenses.tables import ExpenseLine
from backend.policy.checks import StoredFinding
from backend.policy.services import CheckedLine
from kernel.coerce import as_uuid, json_value

__all__ = ("checked_line", "lines_of_claim", "lines_of_owner", "receipt_findings")


def _decoded(line: ExpenseLineRecord) -> ExpenseLineRecord:
    receipts = line["receipts"]
    if isinstance(receipts, str | bytes):
        line["receipts"] = msgspec.json.decode(receipts)
    return line


async def lines_of_claim(claim_id: UUID, *, agent_id: UUID,
                         organisation_id: UUID) -> list[ExpenseLineRecord]:
    """The live (not deleted) lines of a claim, oldest date first: only those of the claim's
    agent in the claim's organisation count, whatever else points at the claim."""
    rows = cast(list[ExpenseLineRecord], await ExpenseLine.select().where(
        (ExpenseLine.claim_id == claim_id) & ExpenseLine.deleted_at.is_null()
        & (ExpenseLine.owner == agent_id) & (ExpenseLine.organisation == organisation_id)
    ).order_by(ExpenseLine.date).order_by(ExpenseLine.id))
    return [_decoded(r) for r in rows]


def checked_line(line: ExpenseLineRecord) -> CheckedLine:
    """A stored line as the policy checks read it."""
    price: MileagePrice = json_value(line["mileage"]) or MileagePrice()
    before = price.get("annual_km_before")
    return CheckedLine(
        id=str(line["id"]), category=line["category"], spent_on=line["date"],
        amount_cents=int(line["amount_cents"]), currency=line["currency"],
        fx_rate=line["fx_rate"], merchant=line["merchant"], vat_rate_bp=line["vat_rate_bp"],
        vat_cents=line["vat_cents"], receipts=tuple(json_value(line["receipts"]) or ()),
        km=line["km"], fiscal_hp=line["fiscal_hp"],
        annual_km_before=None if before is None else int(before))


async def lines_of_owner(owner_id: UUID, *, since: date | None = None) -> list[CheckedLine]:
    """Every live line of a person, as the policy checks read them (duplicate checks, annual
    mileage)."""
    where = (ExpenseLine.owner == owner_id) & ExpenseLine.deleted_at.is_null()
    if since is not None:
        where = where & (ExpenseLine.date >= since)
    rows = cast(list[ExpenseLineRecord], await ExpenseLine.select().where(where))
    return [checked_line(r) for r in rows]


def _kept_by_policy(finding: StoredFinding, line: ExpenseLineRecord,
                    policy_codes: set[str]) -> bool:
    """Whether a receipt finding says again what the policy checks already say of the line:
    a duplicate among the agent's own lines, or the date of a line of one receipt."""
    if finding["code"] == "DUPLICATE_RECEIPT":
        return not finding["figures"].get("colleague") and "DUPLICATE_RECEIPT" in policy_codes
    if finding["code"] == "RECEIPT_DATE_OUTSIDE_MISSION":
        return ("DATE_OUTSIDE_MISSION" in policy_codes
                and finding["figures"].get("date") == str(line["date"]))
    return False


async def receipt_findings(line: ExpenseLineRecord, *, mission: tuple[date, date] | None,
                           policy_codes: set[str]) -> list[StoredFinding]:
    """The receipt findings of a claim's line as the claim is submitted, made anew (a
    colleague may have claimed the same receipt since it was read), leaving out what the
    policy checks (``policy_codes``, the codes they found on the line) already say."""
    from backend.expenses.duplicates import receipt_duplicates
    from backend.expenses.line_findings import line_findings

    reading: OcrSummary = json_value(line["ocr"]) or OcrSummary()
    entries = [e for e in reading.get("receipts") or [] if isinstance(e, dict)]
    if not entries:
        return []
    duplicates = await receipt_duplicates(
        as_uuid(line["organisation"]), as_uuid(line["id"]), as_uuid(line["owner"]), entries)
    title = str(line.get("merchant") or line.get("category") or "")
    return [f for f in line_findings(title, entries, mission=mission, duplicates=duplicates)
            if not _kept_by_policy(f, line, policy_codes)]
