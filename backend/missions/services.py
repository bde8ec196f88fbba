"""Mission orders: the intents' effects, pull visibility and reads (the only code querying
the ``mission`` table)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from backend import accounts, approvals, notification_flows
from backend.accounts.actor import Actor
from backend.audit.services import record_intent
from backend.coerce import json_value
from backend.errors import DomainError
from backend.intents import compare_and_set, load, refusals
from backend.missions.rules import DEFAULT_URGENCY_WINDOW, EDITABLE_STATES, MISSION_CIRCUIT, urgency
from backend.missions.schemas import (
    Booking,
    MissionCommandArgs,
    MissionCreateArgs,
    MissionDecideArgs,
    MissionEditArgs,
    MissionOut,
    MissionPage,
)
from backend.missions.tables import Mission
from backend.missions.times import MissionTimes, check_times
from backend.paging import fetch_page
from backend.policy import services as policy
from backend.policy.allowances import expected_allowance
from backend.policy.cities import city_class_of
from backend.policy.rules import rule_set_at
from backend.queries import all_of
from backend.timeutil import as_utc, as_utc_or_none
from backend.workflow import content_hash
from sync import MutationContext, Noop, Rejected
from sync.conflicts import merge_draft

__all__ = (
    "amend",
    "cancel",
    "create",
    "decide",
    "edit",
    "get_mission",
    "is_visible",
    "list_missions",
    "mission_row",
    "submit",
    "to_wire",
    "visible",
)

ENTITY = "mission"
CONTENT_FIELDS = ("purpose", "destination", "starts_on", "ends_on", "transport",
                  "estimated_cost_cents", "bookings", "departs_at", "returns_at", "time_zone",
                  "country", "advance_requested")
_TIMES = ("departs_at", "returns_at")


def _bookings(raw: Any) -> list[dict[str, Any]]:
    return list(json_value(raw) or [])


def _content(row: dict[str, Any]) -> dict[str, Any]:
    content = {name: row.get(name) for name in CONTENT_FIELDS}
    content["bookings"] = _bookings(row["bookings"])
    for name in _TIMES:  # one form whatever the offset it came with
        content[name] = as_utc_or_none(content[name])
    return content


async def _times_and_allowance(organisation_id: UUID, content: dict[str, Any]
                               ) -> tuple[MissionTimes | None, dict[str, Any]]:
    """Check the mission's times and compute the allowances they give under the rule set in
    force on its first day (an empty dict without times)."""
    with refusals():
        times = check_times(starts_on=content["starts_on"], ends_on=content["ends_on"],
                            departs_at=content.get("departs_at"),
                            returns_at=content.get("returns_at"),
                            time_zone=content.get("time_zone") or "Europe/Paris")
    if times is None:
        return None, {}
    rules = rule_set_at(await policy.rule_sets_for(organisation_id), content["starts_on"])
    if rules is None:
        return times, {}
    expected = expected_allowance(
        times.local_departure, times.local_return, rules=rules,
        city_class=city_class_of(content["destination"]),
        country=content.get("country") or "FR",
        advance_requested=bool(content.get("advance_requested")))
    return times, {"rule_set": rules.name, **dataclasses.asdict(expected)}


def _earliest(bookings: list[dict[str, Any]]) -> datetime | None:
    expiries = [as_utc(b["expires_at"]) for b in bookings if b.get("expires_at")]
    return min(expiries) if expiries else None


def _derived(row: dict[str, Any]) -> dict[Any, Any]:
    bookings = _bookings(row["bookings"])
    return {Mission.content_hash: content_hash(_content(row)),
            Mission.earliest_expiry: _earliest(bookings)}


async def visible(actor: Actor) -> Any:
    """What ``actor`` sees: their own missions; a manager also those they decide on now
    (delegations included); back-office and admin their whole organisation."""
    if actor.role in ("back_office", "admin"):
        return Mission.organisation == actor.organisation_id
    if actor.role == "agent":
        return (Mission.agent == actor.user_id) & (Mission.organisation == actor.organisation_id)
    if actor.role == "manager":
        people = await approvals.approvees_of(actor.user_id, datetime.now().astimezone())
        return Mission.agent.is_in([actor.user_id, *people]) & (
            Mission.organisation == actor.organisation_id)
    return None


def to_wire(row: dict[str, Any]) -> dict[str, Any]:
    """A row as pull sends it, with its urgency computed at send time."""
    bookings = _bookings(row["bookings"])
    row = {**row, "allowance": json_value(row.get("allowance")) or {}}
    flag = urgency([as_utc(b["expires_at"]) for b in bookings if b.get("expires_at")],
                   now=datetime.now().astimezone())
    out = {k: v for k, v in row.items() if k not in ("field_versions", "field_clients")}
    out["bookings"] = bookings
    out["urgent"] = flag.urgent and row["state"] == "submitted"
    out["booking_expired"] = flag.expired
    return msgspec.to_builtins(out)  # type: ignore[no-any-return]


def _booking_dicts(bookings: list[Booking]) -> list[dict[str, Any]]:
    return msgspec.to_builtins(bookings)  # type: ignore[no-any-return]


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Rejected("DATES_INVALID", {"starts_on": starts_on.isoformat(),
                                         "ends_on": ends_on.isoformat()})


async def create(ctx: MutationContext, args: MissionCreateArgs) -> None:
    actor = ctx.actor
    if not actor.is_staff or actor.organisation_id is None:
        raise Rejected("FORBIDDEN", {"reason": "only_staff_create_missions"})
    _check_dates(args.starts_on, args.ends_on)
    if await Mission.exists().where(Mission.id == args.id):
        raise Rejected("ROW_EXISTS", {"id": str(args.id)})
    bookings = _booking_dicts(args.bookings)
    content = {"purpose": args.purpose, "destination": args.destination,
               "starts_on": args.starts_on, "ends_on": args.ends_on,
               "transport": args.transport, "estimated_cost_cents": args.estimated_cost_cents,
               "bookings": bookings, "departs_at": args.departs_at,
               "returns_at": args.returns_at, "time_zone": args.time_zone,
               "country": args.country.upper(), "advance_requested": args.advance_requested}
    times, allowance = await _times_and_allowance(actor.organisation_id, content)
    if times is not None:
        content.update(departs_at=times.departs_at, returns_at=times.returns_at)
    await Mission.insert(Mission(
        id=args.id, organisation=actor.organisation_id, agent=actor.user_id, unit=actor.unit_id,
        agent_name=await accounts.full_name_of(actor.user_id), purpose=args.purpose,
        destination=args.destination, starts_on=args.starts_on,
        ends_on=args.ends_on, transport=args.transport,
        estimated_cost_cents=args.estimated_cost_cents, bookings=json.dumps(bookings),
        departs_at=content["departs_at"], returns_at=content["returns_at"],
        time_zone=args.time_zone, country=content["country"],
        advance_requested=args.advance_requested, allowance=json.dumps(allowance),
        state="draft", content_hash=content_hash(_content(content)),
        earliest_expiry=_earliest(bookings), created_at=ctx.server_time,
        updated_at=ctx.server_time,
    ))
    await ctx.touch(ENTITY, args.id)


async def _own(ctx: MutationContext, mission_id: UUID) -> dict[str, Any]:
    row = await load(Mission, mission_id, ctx.actor.organisation_id)
    if row["agent"] != ctx.actor.user_id:
        raise Rejected("FORBIDDEN", {"reason": "not_your_mission"})
    return row


async def edit(ctx: MutationContext, args: MissionEditArgs) -> Noop | None:
    row = await _own(ctx, args.id)
    if row["state"] not in EDITABLE_STATES:
        raise Rejected("NOT_EDITABLE", {"state": row["state"]})
    changes: dict[str, Any] = {
        name: getattr(args, name) for name in CONTENT_FIELDS if getattr(args, name) is not None
    }
    if "bookings" in changes:
        changes["bookings"] = _booking_dicts(changes["bookings"])
    if "country" in changes:
        changes["country"] = changes["country"].upper()
    current = {**row, "bookings": _bookings(row["bookings"])}
    writers: dict[str, str] = json_value(row["field_clients"]) or {}
    me = str(ctx.client_id)
    merged = merge_draft(current=current, field_versions=row["field_versions"] or {},
                         base_version=args.base_version, changes=changes,
                         new_version=row["row_version"] + 1,
                         money_fields=("estimated_cost_cents",),
                         own_fields={name for name, client in writers.items() if client == me})
    if not merged.values:
        return Noop("NO_CHANGE")
    after = {**current, **merged.values}
    _check_dates(after["starts_on"], after["ends_on"])
    times, allowance = await _times_and_allowance(row["organisation"], after)
    if times is not None:
        for name in _TIMES:
            if name in merged.values:
                merged.values[name] = getattr(times, name)
    for conflict in merged.conflicts:
        ctx.conflict(conflict.field, conflict.lost, conflict.kept)
    values: dict[Any, Any] = {
        getattr(Mission, name): (json.dumps(value) if name == "bookings" else value)
        for name, value in merged.values.items()
    }
    values.update(_derived({**after, **merged.values}))
    values[Mission.allowance] = json.dumps(allowance)
    values[Mission.field_versions] = json.dumps(merged.field_versions)
    values[Mission.field_clients] = json.dumps({**writers, **dict.fromkeys(merged.values, me)})
    values[Mission.updated_at] = ctx.server_time
    await compare_and_set(Mission, row, values)
    await ctx.touch(ENTITY, args.id)
    return None


async def _move(ctx: MutationContext, row: dict[str, Any], command: str, expected: str,
                values: dict[Any, Any], seen_hash: str | None = None,
                details: dict[str, Any] | None = None) -> Noop | None:
    with refusals():
        outcome = MISSION_CIRCUIT.check(command, current=row["state"], expected=expected,
                                        seen_hash=seen_hash, current_hash=row["content_hash"])
    if outcome.kind == "noop":
        return Noop("ALREADY_DECIDED" if command in ("approve", "refuse", "return")
                    else "ALREADY_DONE", {"state": row["state"]})
    values = {Mission.state: outcome.target, Mission.updated_at: ctx.server_time, **values}
    await compare_and_set(Mission, row, values)
    await ctx.touch(ENTITY, row["id"])
    await record_intent(ctx, organisation_id=row["organisation"], document_type=ENTITY,
                        document_id=row["id"], action=command,
                        content_hash=row["content_hash"], details=details)
    reason = str(values.get(Mission.decision_reason, ""))
    ctx.after_commit(lambda: notification_flows.mission_moved(ctx, row, command, reason))
    return None


async def submit(ctx: MutationContext, args: MissionCommandArgs) -> Noop | None:
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "submit", args.expected_state,
                       {Mission.submitted_at: ctx.server_time, Mission.decision_reason: ""})


async def cancel(ctx: MutationContext, args: MissionCommandArgs) -> Noop | None:
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "cancel", args.expected_state, {})


async def amend(ctx: MutationContext, args: MissionCommandArgs) -> Noop | None:
    """The agent reopens an approved mission to change it: back to draft, the approval gone,
    to be submitted again."""
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "amend", args.expected_state, {
        Mission.decided_at: None, Mission.decided_by: None, Mission.decision_reason: ""})


async def decide(ctx: MutationContext, args: MissionDecideArgs) -> Noop | None:
    row = await load(Mission, args.id, ctx.actor.organisation_id)
    if not await approvals.can_approve_for(ctx.actor, row["agent"], ctx.server_time):
        raise Rejected("FORBIDDEN", {"reason": "not_an_approver"})
    if args.decision != "approve" and not args.reason.strip():
        raise Rejected("REASON_REQUIRED", {"decision": args.decision})
    return await _move(
        ctx, row, args.decision, args.expected_state,
        {Mission.decided_at: ctx.server_time, Mission.decided_by: ctx.actor.user_id,
         Mission.decision_reason: args.reason.strip()},
        seen_hash=args.content_hash,
        details={"reason": args.reason.strip()} if args.reason else None,
    )


# --- reads -----------------------------------------------------------------------------------


def _out(row: dict[str, Any], now: datetime) -> MissionOut:
    bookings = _bookings(row["bookings"])
    flag = urgency([as_utc(b["expires_at"]) for b in bookings if b.get("expires_at")], now=now)
    return MissionOut(
        id=row["id"], agent_id=row["agent"], unit_id=row["unit"], purpose=row["purpose"],
        destination=row["destination"], starts_on=row["starts_on"], ends_on=row["ends_on"],
        transport=row["transport"], estimated_cost_cents=row["estimated_cost_cents"],
        bookings=msgspec.convert(bookings, list[Booking]), state=row["state"],
        departs_at=as_utc_or_none(row.get("departs_at")),
        returns_at=as_utc_or_none(row.get("returns_at")),
        time_zone=row.get("time_zone") or "Europe/Paris", country=row.get("country") or "FR",
        advance_requested=bool(row.get("advance_requested")),
        allowance=json_value(row.get("allowance")) or {},
        content_hash=row["content_hash"], row_version=row["row_version"],
        urgent=flag.urgent and row["state"] == "submitted", booking_expired=flag.expired,
        earliest_expiry=as_utc_or_none(row["earliest_expiry"]),
        submitted_at=as_utc_or_none(row["submitted_at"]),
        decided_at=as_utc_or_none(row["decided_at"]), decided_by=row["decided_by"],
        decision_reason=row["decision_reason"],
    )


async def list_missions(actor: Actor, *, state: str | None = None, agent_id: UUID | None = None,
                        urgent_only: bool = False, starts_from: date | None = None,
                        starts_until: date | None = None, offset: int = 0, limit: int = 50,
                        now: datetime) -> MissionPage:
    """The missions ``actor`` may see, filtered and paged (urgent first, then newest)."""
    clause = await visible(actor)
    if clause is None:
        return MissionPage(items=[], total=0, offset=offset, limit=limit)
    conditions = [clause, Mission.deleted_at.is_null()]
    if state:
        conditions.append(Mission.state == state)
    if agent_id:
        conditions.append(Mission.agent == agent_id)
    if starts_from:
        conditions.append(Mission.starts_on >= starts_from)
    if starts_until:
        conditions.append(Mission.starts_on <= starts_until)
    if urgent_only:
        conditions += [Mission.state == "submitted",
                       Mission.earliest_expiry <= now + DEFAULT_URGENCY_WINDOW]
    rows, total = await fetch_page(Mission, all_of(conditions), (Mission.earliest_expiry, True),
                                   (Mission.created_at, False), offset=offset, limit=limit)
    return MissionPage(items=[_out(r, now) for r in rows], total=total, offset=offset, limit=limit)


async def get_mission(actor: Actor, mission_id: UUID, *, now: datetime) -> MissionOut:
    """One mission ``actor`` may see (NOT_FOUND otherwise: no leak of existence)."""
    clause = await visible(actor)
    row = None if clause is None else await Mission.select().where(
        clause & (Mission.id == mission_id) & Mission.deleted_at.is_null()
    ).output(load_json=True).first()
    if row is None:
        raise DomainError("NOT_FOUND", {"id": str(mission_id)})
    return _out(row, now)


async def is_visible(actor: Actor, mission_id: UUID) -> bool:
    """Whether ``actor`` sees the mission (for the audit trail and blobs)."""
    clause = await visible(actor)
    return clause is not None and bool(
        await Mission.exists().where(clause & (Mission.id == mission_id)))


async def mission_row(organisation_id: UUID | None, mission_id: UUID) -> dict[str, Any] | None:
    """A live mission of the organisation (for claims and policy checks), or None."""
    row: dict[str, Any] | None = await Mission.select().where(
        (Mission.id == mission_id) & (Mission.organisation == organisation_id)
        & Mission.deleted_at.is_null()).output(load_json=True).first()
    return row
