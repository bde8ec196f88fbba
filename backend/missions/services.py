"""Mission orders: the intents' effects, pull visibility and reads (the only code querying
the ``mission`` table)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

import msgspec

from backend import accounts, approvals, notification_flows
from backend.audit.services import record_intent
from backend.intents import compare_and_set, load, refusals
from backend.missions.rows import MissionContent, MissionRecord, StoredBooking
from backend.missions.rules import (
    DEFAULT_URGENCY_WINDOW,
    EDITABLE_STATES,
    MISSION_CIRCUIT,
    urgency,
    with_covers,
)
from backend.missions.schemas import (
    Booking,
    MissionAllowance,
    MissionCommandArgs,
    MissionCreateArgs,
    MissionDecideArgs,
    MissionEditArgs,
    MissionOut,
    MissionPage,
    MissionRow,
)
from backend.missions.tables import Mission
from backend.missions.times import MissionTimes, check_times
from backend.policy import services as policy
from backend.policy.allowances import expected_allowance, is_abroad
from backend.policy.cities import city_class_of
from backend.policy.rules import rule_set_at
from backend.workflow import content_hash
from backend.writing import Writing
from kernel.actor import Actor
from kernel.coerce import json_value
from kernel.errors import DomainError
from kernel.paging import fetch_page
from kernel.queries import all_of
from kernel.timeutil import as_utc, as_utc_or_none
from sync import MutationContext, Noop, Rejected
from sync.conflicts import merge_draft

__all__ = (
    "MissionRecord",
    "amend",
    "cancel",
    "create",
    "decide",
    "edit",
    "get_mission",
    "is_visible",
    "list_missions",
    "live_mission",
    "submit",
    "to_wire",
    "visible",
)

ENTITY = "mission"
_TIMES = ("departs_at", "returns_at")
#: What an edit may change: the value of one content field.
FieldValue = str | int | bool | date | datetime | list[StoredBooking] | None


def _bookings(raw: Any) -> list[StoredBooking]:
    return list(json_value(raw) or [])


class _DecidedContent(msgspec.Struct, frozen=True, kw_only=True):
    """What a manager decides on as its content hash covers it: the fields of
    :class:`~backend.missions.rows.MissionContent`, times in UTC."""

    purpose: str
    destination: str
    starts_on: date
    ends_on: date
    transport: str
    estimated_cost_cents: int
    bookings: list[StoredBooking]
    departs_at: datetime | None
    returns_at: datetime | None
    time_zone: str
    country: str
    advance_requested: bool


#: The fields an edit may change and the content hash covers.
CONTENT_FIELDS = _DecidedContent.__struct_fields__


def _content(row: MissionContent) -> _DecidedContent:
    # Times in one form whatever the offset they came with.
    return _DecidedContent(
        purpose=row["purpose"], destination=row["destination"], starts_on=row["starts_on"],
        ends_on=row["ends_on"], transport=row["transport"],
        estimated_cost_cents=row["estimated_cost_cents"], bookings=_bookings(row["bookings"]),
        departs_at=as_utc_or_none(row["departs_at"]),
        returns_at=as_utc_or_none(row["returns_at"]), time_zone=row["time_zone"],
        country=row["country"], advance_requested=row["advance_requested"])


async def _times_and_allowance(organisation_id: UUID, content: MissionContent
                               ) -> tuple[MissionTimes | None, MissionAllowance]:
    """Check the mission's times and compute the allowances they give under the rule set in
    force on its first day (empty without times)."""
    with refusals():
        times = check_times(starts_on=content["starts_on"], ends_on=content["ends_on"],
                            departs_at=content["departs_at"], returns_at=content["returns_at"],
                            time_zone=content["time_zone"] or "Europe/Paris")
    if times is None:
        return None, {}
    rules = rule_set_at(await policy.rule_sets_for(organisation_id), content["starts_on"])
    if rules is None:
        return times, {}
    expected = expected_allowance(
        times.local_departure, times.local_return, rules=rules,
        city_class=city_class_of(content["destination"]),
        country=content["country"] or "FR",
        advance_requested=bool(content["advance_requested"]))
    return times, with_covers(MissionAllowance(
        rule_set=rules.name, meals=expected.meals, nights=expected.nights,
        meals_cents=expected.meals_cents, lodging_cap_cents=expected.lodging_cap_cents,
        abroad_cents=expected.abroad_cents, expected_cents=expected.expected_cents,
        advance_cents=expected.advance_cents, rate_missing=expected.rate_missing,
        abroad_nights_cents=expected.abroad_nights_cents))


def _earliest(bookings: list[StoredBooking]) -> datetime | None:
    expiries = [as_utc(b["expires_at"]) for b in bookings if b.get("expires_at")]
    return min(expiries) if expiries else None


def _derived(row: MissionContent) -> dict[Any, Any]:
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
        now = datetime.now().astimezone()
        people = await approvals.deciding_for(actor.user_id, now, ENTITY)
        clause: Any = Mission.agent.is_in([actor.user_id, *people.own])
        if people.escalated:  # requests escalated to the caller (deadline passed below)
            clause = clause | (Mission.agent.is_in(people.escalated)
                               & (Mission.escalation_level >= 1))
        return clause & (Mission.organisation == actor.organisation_id)
    return None


def to_wire(row: dict[str, Any]) -> MissionRow:
    """A row as pull sends it, with its urgency computed at send time."""
    bookings = _bookings(row["bookings"])
    flag = urgency([as_utc(b["expires_at"]) for b in bookings if b.get("expires_at")],
                   now=datetime.now().astimezone())
    return msgspec.convert({
        **row, "bookings": bookings,
        # What the allowance pays (derived here for rows stored before ``covers`` existed).
        "allowance": with_covers(json_value(row.get("allowance")) or MissionAllowance()),
        "urgent": flag.urgent and row["state"] == "submitted", "booking_expired": flag.expired,
        # The lodging city class the phone checks hotel lines against (one fact, the server's).
        "city_class": city_class_of(row.get("destination") or ""),
        # Whether its allowance is the daily one abroad (the phone's hotel warning reads it).
        "abroad": is_abroad(row.get("country") or "FR")}, MissionRow)


def _booking_dicts(bookings: list[Booking]) -> list[StoredBooking]:
    stored: list[StoredBooking] = msgspec.to_builtins(bookings)
    return stored


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Rejected("DATES_INVALID", {"starts_on": starts_on.isoformat(),
                                         "ends_on": ends_on.isoformat()})


async def create(ctx: Writing, args: MissionCreateArgs) -> None:
    actor = ctx.actor
    if not actor.is_staff or actor.organisation_id is None:
        raise Rejected("FORBIDDEN", {"reason": "only_staff_create_missions"})
    _check_dates(args.starts_on, args.ends_on)
    if await Mission.exists().where(Mission.id == args.id):
        raise Rejected("ROW_EXISTS", {"id": str(args.id)})
    bookings = _booking_dicts(args.bookings)
    content = MissionContent(
        purpose=args.purpose, destination=args.destination, starts_on=args.starts_on,
        ends_on=args.ends_on, transport=args.transport,
        estimated_cost_cents=args.estimated_cost_cents, bookings=bookings,
        departs_at=args.departs_at, returns_at=args.returns_at, time_zone=args.time_zone,
        country=args.country.upper(), advance_requested=args.advance_requested)
    times, allowance = await _times_and_allowance(actor.organisation_id, content)
    if times is not None:
        content["departs_at"], content["returns_at"] = times.departs_at, times.returns_at
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


async def _load(ctx: Writing, mission_id: UUID) -> MissionRecord:
    return cast(MissionRecord, await load(Mission, mission_id, ctx.actor.organisation_id))


async def _own(ctx: Writing, mission_id: UUID) -> MissionRecord:
    row = await _load(ctx, mission_id)
    if row["agent"] != ctx.actor.user_id:
        raise Rejected("FORBIDDEN", {"reason": "not_your_mission"})
    return row


async def edit(ctx: MutationContext, args: MissionEditArgs) -> Noop | None:
    row = await _own(ctx, args.id)
    if row["state"] not in EDITABLE_STATES:
        raise Rejected("NOT_EDITABLE", {"state": row["state"]})
    changes: dict[str, FieldValue] = {
        name: getattr(args, name) for name in CONTENT_FIELDS if getattr(args, name) is not None
    }
    if args.bookings is not None:
        changes["bookings"] = _booking_dicts(args.bookings)
    if args.country is not None:
        changes["country"] = args.country.upper()
    current = row.copy()
    current["bookings"] = _bookings(row["bookings"])
    writers: dict[str, str] = json_value(row["field_clients"]) or {}
    me = str(ctx.client_id)
    merged = merge_draft(current=current, field_versions=row["field_versions"] or {},
                         base_version=args.base_version, changes=changes,
                         new_version=row["row_version"] + 1,
                         money_fields=("estimated_cost_cents",),
                         own_fields={name for name, client in writers.items() if client == me})
    if not merged.values:
        return Noop("NO_CHANGE")
    after = cast(MissionRecord, {**current, **merged.values})  # the merge keeps the fields' types
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
    values.update(_derived(cast(MissionContent, {**after, **merged.values})))
    values[Mission.allowance] = json.dumps(allowance)
    values[Mission.field_versions] = json.dumps(merged.field_versions)
    values[Mission.field_clients] = json.dumps({**writers, **dict.fromkeys(merged.values, me)})
    values[Mission.updated_at] = ctx.server_time
    await compare_and_set(Mission, dict(row), values)
    await ctx.touch(ENTITY, args.id)
    return None


async def _move(ctx: Writing, row: MissionRecord, command: str, expected: str,
                values: dict[Any, Any], seen_hash: str | None = None,
                details: dict[str, str] | None = None) -> Noop | None:
    with refusals():
        outcome = MISSION_CIRCUIT.check(command, current=row["state"], expected=expected,
                                        seen_hash=seen_hash, current_hash=row["content_hash"])
    if outcome.kind == "noop":
        return Noop("ALREADY_DECIDED" if command in ("approve", "refuse", "return")
                    else "ALREADY_DONE", {"state": row["state"]})
    values = {Mission.state: outcome.target, Mission.updated_at: ctx.server_time, **values}
    await compare_and_set(Mission, dict(row), values)
    await ctx.touch(ENTITY, row["id"])
    await record_intent(ctx, organisation_id=row["organisation"], document_type=ENTITY,
                        document_id=row["id"], action=command,
                        content_hash=row["content_hash"], details=details)
    reason = str(values.get(Mission.decision_reason, ""))
    await notification_flows.mission_moved(ctx, row, command, reason)
    return None


async def submit(ctx: Writing, args: MissionCommandArgs) -> Noop | None:
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "submit", args.expected_state,
                       {Mission.submitted_at: ctx.server_time, Mission.decision_reason: "",
                        Mission.escalation_level: 0})


async def cancel(ctx: Writing, args: MissionCommandArgs) -> Noop | None:
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "cancel", args.expected_state, {})


async def amend(ctx: Writing, args: MissionCommandArgs) -> Noop | None:
    """The agent reopens an approved mission to change it: back to draft, the approval gone,
    to be submitted again."""
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "amend", args.expected_state, {
        Mission.decided_at: None, Mission.decided_by: None, Mission.decision_reason: ""})


async def decide(ctx: Writing, args: MissionDecideArgs) -> Noop | None:
    row = await _load(ctx, args.id)
    level = int(row["escalation_level"] or 0)
    if not await approvals.can_approve_for(ctx.actor, row["agent"], ctx.server_time, level,
                                          kind=ENTITY):
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


def _out(row: MissionRecord, now: datetime) -> MissionOut:
    bookings = _bookings(row["bookings"])
    flag = urgency([as_utc(b["expires_at"]) for b in bookings if b.get("expires_at")], now=now)
    return MissionOut(
        id=row["id"], agent_id=row["agent"], unit_id=row["unit"], purpose=row["purpose"],
        destination=row["destination"], starts_on=row["starts_on"], ends_on=row["ends_on"],
        transport=row["transport"], estimated_cost_cents=row["estimated_cost_cents"],
        bookings=msgspec.convert(bookings, list[Booking]), state=row["state"],
        departs_at=as_utc_or_none(row["departs_at"]),
        returns_at=as_utc_or_none(row["returns_at"]),
        time_zone=row["time_zone"] or "Europe/Paris", country=row["country"] or "FR",
        advance_requested=bool(row["advance_requested"]),
        allowance=with_covers(json_value(row["allowance"]) or MissionAllowance()),
        content_hash=row["content_hash"], row_version=row["row_version"],
        urgent=flag.urgent and row["state"] == "submitted", booking_expired=flag.expired,
        earliest_expiry=as_utc_or_none(row["earliest_expiry"]),
        submitted_at=as_utc_or_none(row["submitted_at"]),
        escalation_level=int(row["escalation_level"] or 0),
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
    rows, total = await fetch_page(Mission, MissionRecord, all_of(conditions),
                                   (Mission.earliest_expiry, True), (Mission.created_at, False),
                                   offset=offset, limit=limit)
    return MissionPage(items=[_out(r, now) for r in rows], total=total, offset=offset,
                       limit=limit)


async def get_mission(actor: Actor, mission_id: UUID, *, now: datetime) -> MissionOut:
    """One mission ``actor`` may see (NOT_FOUND otherwise: no leak of existence)."""
    clause = await visible(actor)
    row = None if clause is None else cast(MissionRecord | None, await Mission.select().where(
        clause & (Mission.id == mission_id) & Mission.deleted_at.is_null()
    ).output(load_json=True).first())
    if row is None:
        raise DomainError("NOT_FOUND", {"id": str(mission_id)})
    return _out(row, now)


async def is_visible(actor: Actor, mission_id: UUID) -> bool:
    """Whether ``actor`` sees the mission (for the audit trail and blobs)."""
    clause = await visible(actor)
    return clause is not None and bool(
        await Mission.exists().where(clause & (Mission.id == mission_id)))


async def live_mission(organisation_id: UUID | None, mission_id: UUID) -> MissionRecord | None:
    """A live mission of the organisation (for claims, policy checks, documents), or None."""
    return cast(MissionRecord | None, await Mission.select().where(
        (Mission.id == mission_id) & (Mission.organisation == organisation_id)
        & Mission.deleted_at.is_null()).output(load_json=True).first())
