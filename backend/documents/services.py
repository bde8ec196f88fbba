"""Gather what a printed mission order or expense claim shows, for someone who may see it
(the agent, their approvers, the back-office): visibility is the documents' own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from backend.claims import services as claims
from backend.documents.pdf import ClaimDocument, LineEntry, MissionDocument, claim_pdf, mission_pdf
from backend.expenses.claim_lines import lines_of_claim
from backend.expenses.receipt_images import receipt_image
from backend.missions import services as missions
from backend.missions.rows import MissionRecord, StoredBooking
from backend.missions.schemas import MissionAllowance
from backend.policy.services import eur_cents_of
from kernel.actor import Actor
from kernel.coerce import json_value
from kernel.errors import DomainError
from kernel.timeutil import as_utc_or_none

__all__ = ("claim_document", "mission_document")


def _mission(row: MissionRecord) -> MissionDocument:
    allowance: MissionAllowance = json_value(row["allowance"]) or MissionAllowance()
    bookings: list[StoredBooking] = json_value(row["bookings"]) or []
    return MissionDocument(
        reference=str(row["id"])[:8].upper(), agent_name=row.get("agent_name") or "",
        purpose=row["purpose"], destination=row["destination"], starts_on=row["starts_on"],
        ends_on=row["ends_on"], transport=row["transport"],
        estimated_cost_cents=int(row["estimated_cost_cents"] or 0), state=row["state"],
        departs_at=as_utc_or_none(row.get("departs_at")),
        returns_at=as_utc_or_none(row.get("returns_at")),
        bookings=[(b.get("label", ""), int(b.get("fare_cents") or 0),
                   as_utc_or_none(b.get("expires_at")))
                  for b in bookings],
        meals=allowance.get("meals"), nights=allowance.get("nights"),
        expected_cents=allowance.get("expected_cents"),
        advance_cents=int(allowance.get("advance_cents") or 0),
        decision=row.get("decision_reason") or "")


async def mission_document(actor: Actor, mission_id: UUID, *, lang: str) -> bytes:
    """The mission order as a PDF (NOT_FOUND for someone who may not see it)."""
    if not await missions.is_visible(actor, mission_id):
        raise DomainError("NOT_FOUND", {"id": str(mission_id)})
    row = await missions.live_mission(actor.organisation_id, mission_id)
    if row is None:
        raise DomainError("NOT_FOUND", {"id": str(mission_id)})
    return mission_pdf(_mission(row), lang=lang, printed=datetime.now(UTC))


async def _receipt(actor: Actor, line_id: UUID, sha256: str) -> bytes | None:
    try:
        return (await receipt_image(actor, line_id, sha256, "image")).content
    except DomainError:  # not uploaded yet, unreadable, or the renderer busy: say so instead
        return None


async def claim_document(actor: Actor, claim_id: UUID, *, lang: str) -> bytes:
    """The expense claim with its mission, lines, totals and receipts as a PDF."""
    claim = await claims.get_claim(actor, claim_id)  # NOT_FOUND unless visible
    if actor.organisation_id is None:
        raise DomainError("NOT_FOUND", {"id": str(claim_id)})
    mission = await missions.live_mission(actor.organisation_id, claim.mission_id)
    rows = await lines_of_claim(claim_id, agent_id=claim.agent_id,
                                organisation_id=actor.organisation_id)
    lines = []
    for line in sorted(rows, key=lambda r: (r["date"] or date.min, str(r["id"]))):
        receipts = [await _receipt(actor, line["id"], sha) for sha in line["receipts"] or []]
        lines.append(LineEntry(
            spent_on=line["date"], category=line["category"], merchant=line["merchant"] or "",
            amount_cents=int(line["amount_cents"]), currency=line["currency"] or "EUR",
            eur_cents=eur_cents_of(int(line["amount_cents"]), line["currency"] or "EUR",
                                   line["fx_rate"]),
            receipts=receipts, mileage=[(int(p["km"]), str(p["euros_per_km"])) for p in (
                json_value(line.get("mileage")) or {}).get("parts", [])]))
    findings = [str(f.get("message_en" if lang == "en" else "message_fr", ""))
                for f in claim.findings]
    document = ClaimDocument(
        reference=str(claim.id)[:8].upper(), title=claim.title,
        agent_name=(mission["agent_name"] if mission else "") or "", state=claim.state, lines=lines,
        total_cents=claim.total_cents, vat_cents=claim.vat_cents,
        allowance_cents=claim.allowance_cents, advance_cents=claim.advance_cents,
        decision=claim.decision_reason, mission=_mission(mission) if mission else None,
        findings=findings)
    return claim_pdf(document, lang=lang, printed=datetime.now(UTC))
