"""Pull: the rows an actor may see that changed since their cookie, in one read snapshot.

Cursor per organisation: every visible row with ``sync_version <= v`` was sent. Pages walk
each (organisation, entity) by ``(sync_version, id)``; a row changed while a client pages
moves past the page position and comes again later, so the last page leaves the client at
the snapshot of that page. Resets (see ``Reset.reason``) restart entities from zero and ask
the client to replace its base rows of those entities with the pages that follow.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.querystring import QueryString

from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.reads import reading_once
from sync.cookie import Cookie, OrgCursor, decode_cookie, encode_cookie
from sync.prebuilt import acks_query, page_query, probe_query
from sync.push import _ack_from_row, require_current_schema
from sync.registry import EntitySpec, clause_fingerprint, entities, visible_organisations
from sync.storage import current_epoch, pull_header, read_transaction
from sync.wire import MAX_PULL_LIMIT, MIN_CLIENT_SCHEMA, Ack, PatchOp, PullResponse, Reset

__all__ = ("MAX_PULL_LIMIT", "MIN_CLIENT_SCHEMA", "WIRE_SCHEMA_VERSION", "pull")

WIRE_SCHEMA_VERSION = 1  # bump when to_wire shapes change: clients then reset to a snapshot


async def pull(actor: Actor, client_id: UUID, cookie_text: str | None, limit: int,
               schema_version: int) -> PullResponse:
    """One page of changes for ``actor`` since ``cookie_text``."""
    require_current_schema(schema_version)
    cookie = None
    if cookie_text:
        cookie = decode_cookie(cookie_text)
        if cookie is None:
            raise DomainError("COOKIE_INVALID")
    specs = entities()
    while True:
        async with read_transaction():
            orgs = await visible_organisations(actor)
            with reading_once():  # several entities ask the same of the hierarchy
                clauses = {name: _compiled(await spec.where(actor))
                           for name, spec in specs.items()}
            probes = _probes(cookie, orgs, specs, clauses)
            epoch, client, versions, found = await pull_header(
                client_id, orgs, [query for _, query in probes])
            if epoch is not None:
                last_seq = _last_seq(actor, client)
                unchanged = {key for index, (key, _) in enumerate(probes) if index not in found}
                cookie, has_more, acks, patch, reset = await _in_snapshot(
                    client_id, cookie, epoch, orgs, versions, last_seq, specs, clauses,
                    unchanged, limit)
                break
        await current_epoch()  # the very first pull creates it, outside the read-only snapshot
    if not has_more:
        cookie.a = last_seq
    return PullResponse(cookie=encode_cookie(cookie), has_more=has_more, last_seq=last_seq,
                        acks=acks, patch=patch, reset=reset)


Probe = tuple[tuple[UUID, str, int], Any]


def _probes(cookie: Cookie | None, orgs: list[UUID], specs: dict[str, EntitySpec],
            clauses: dict[str, QueryString | None]) -> list[Probe]:
    """For each entity at rest in the cookie (at version 0 without one): a select of one
    visible row changed since, asked in the pull's first statement, so that the entities
    without changes cost no query of their own (an incremental pull usually finds one entity
    changed; a start-up sync, entities with no row yet)."""
    probes: list[Probe] = []
    for org in orgs:
        cursor = OrgCursor() if cookie is None else cookie.o.get(org.hex, OrgCursor())
        for name, spec in specs.items():
            position = cursor.p.get(name, [cursor.v, None])
            clause = clauses[name]
            if clause is None or position[1] is not None:
                continue
            probes.append(((org, name, int(position[0])),
                           probe_query(spec.table, org, int(position[0]), clause)))
    return probes


def _compiled(clause: Any) -> QueryString | None:
    """The clause's querystring, built once: the fingerprint, probes and pages share it."""
    return None if clause is None else clause.querystring


def _last_seq(actor: Actor, client: tuple[UUID, int] | None) -> int:
    """The client's last processed seq (0 for a new client); CLIENT_TAKEN if not the actor's."""
    if client is None:
        return 0
    if client[0] != actor.user_id:
        raise DomainError("CLIENT_TAKEN")
    return client[1]


async def _in_snapshot(client_id: UUID, cookie_in: Cookie | None, epoch: str,
                       orgs: list[UUID], versions: dict[UUID, tuple[int, int]], last_seq: int,
                       specs: dict[str, EntitySpec], clauses: dict[str, QueryString | None],
                       unchanged: set[tuple[UUID, str, int]], limit: int
                       ) -> tuple[Cookie, bool, list[Ack], list[PatchOp], Reset | None]:
    fingerprints = {name: clause_fingerprint(c) for name, c in clauses.items()}
    cookie, reset = _plan(cookie_in, epoch, orgs, versions, fingerprints)
    patch: list[PatchOp] = []
    has_more = False
    for org in orgs:
        version, _ = versions[org]
        cursor = cookie.o.setdefault(org.hex, OrgCursor())
        complete = True
        for name, spec in specs.items():
            position = cursor.p.get(name, [cursor.v, None])
            if position[1] is None and (position[0] >= version
                                        or (org, name, int(position[0])) in unchanged):
                cursor.p[name] = [version, None]  # nothing visible changed since: at rest
                continue
            room = limit - len(patch)
            if room <= 0 and (has_more or not complete):
                cursor.p[name] = position
                complete = False
                continue
            # a full page that may be the last: check the rest is empty (LIMIT 1) rather than
            # make the client come back for an empty page
            ops, next_position = await _page(spec, clauses[name], org, position, version,
                                             max(room, 0))
            patch.extend(ops)
            cursor.p[name] = [version, None] if next_position is None else next_position
            complete = complete and next_position is None
        if complete:
            cursor.v, cursor.p = version, {}
        else:
            has_more = True
    acks = await _acks_since(client_id, cookie.a, last_seq)
    return cookie, has_more, acks, patch, reset


def _plan(cookie: Cookie | None, epoch: str, orgs: list[UUID],
          versions: dict[UUID, tuple[int, int]], fingerprints: dict[str, str]
          ) -> tuple[Cookie, Reset | None]:
    """Decide the reset, if any, and restart the entities it covers from zero."""
    names = list(fingerprints)
    reason = ""
    scope: list[str] = []
    if cookie is None:
        reason, scope = "initial", names
        cookie = Cookie(e=epoch, s=WIRE_SCHEMA_VERSION)
    elif cookie.e != epoch or any(
        cookie.o.get(org.hex, OrgCursor()).v > versions[org][0] for org in orgs
    ):
        reason, scope = "epoch_changed", names
    elif cookie.s < WIRE_SCHEMA_VERSION:
        reason, scope = "schema_too_old", names
    elif any(0 < cookie.o.get(org.hex, OrgCursor()).v < versions[org][1] for org in orgs):
        reason, scope = "horizon", names
    elif set(cookie.o) - {org.hex for org in orgs}:
        reason, scope = "visibility_changed", names
    else:
        changed = [n for n in names if cookie.h.get(n) != fingerprints[n]]
        if changed:
            reason, scope = "visibility_changed", changed
    if reason:
        if reason != "visibility_changed" or len(scope) == len(names):
            cookie = Cookie(e=epoch, s=WIRE_SCHEMA_VERSION, a=cookie.a)
        else:
            for cursor in cookie.o.values():
                for name in scope:
                    cursor.p[name] = [0, None]
    cookie.e, cookie.s, cookie.h = epoch, WIRE_SCHEMA_VERSION, dict(fingerprints)
    reset = Reset(scope=scope, reason=reason) if reason else None  # type: ignore[arg-type]
    return cookie, reset


async def _page(spec: EntitySpec, clause: QueryString | None, org: UUID, position: list[Any],
                version: int, room: int) -> tuple[list[PatchOp], list[Any] | None]:
    """Rows of one entity after ``position``; returns the ops and the next position (None: done)."""
    if clause is None:
        return [], None
    pk = spec.table._meta.primary_key
    after_sv, after_id = int(position[0]), position[1]
    key = None
    if after_id:
        key = UUID(after_id) if pk.value_type is UUID else after_id
    rows = await page_query(spec.table, org, after_sv, key, version, clause, room + 1)
    more = len(rows) > room
    if more and room == 0:
        return [], [int(position[0]), position[1]]
    rows = rows[:room]
    ops = [_op(spec, row) for row in rows]
    if more:
        last = rows[-1]
        return ops, [int(last["sync_version"]), str(last[pk._meta.name])]
    return ops, None


def _op(spec: EntitySpec, row: dict[str, Any]) -> PatchOp:
    row_id = str(row[spec.table._meta.primary_key._meta.name])
    if row["deleted_at"] is not None:
        return PatchOp(op="del", entity=spec.name, id=row_id, row_version=int(row["row_version"]))
    return PatchOp(op="put", entity=spec.name, id=row_id, row_version=int(row["row_version"]),
                   data=spec.to_wire(row))


async def _acks_since(client_id: UUID, after: int, last_seq: int) -> list[Ack]:
    if last_seq <= after:
        return []
    rows = await acks_query(client_id, after, last_seq)
    return [_ack_from_row(r) for r in rows]


