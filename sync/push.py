"""Push: apply a client's intents, one transaction each, with stored acks.

Per intent: lock the client row; ``seq <= last_seq`` → the stored ack; a gap → SEQ_GAP with
the expected seq; otherwise run the handler. Rejected/noop roll the handler's effects back
(the transaction is rolled back and a second one records the ack) but store the ack and
advance ``last_seq``; a transient failure rolls everything back and stops the batch (503 +
Retry-After). Touched rows are stamped with the organisation's new version just before commit.

Each applied intent writes its outbox rows in its last statement (``kernel.unit_of_work``: a
poke per organisation it changed, the jobs its handler asked for, e.g. ``push.deliver`` after
a notification); the batch runs them once, after its last commit (each organisation poked at
its newest version), and the worker's outbox sweep runs those a crash left behind.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from kernel import metrics
from kernel.actor import Actor
from kernel.coerce import as_uuid, json_value
from kernel.db import is_transient_database_error
from kernel.errors import CATALOGUE, DomainError
from kernel.requests import find_nul, nul_refusal
from kernel.unit_of_work import OutboxEntry, deliver
from sync.finish import ack_lead
from sync.pokes import Poke
from sync.registry import MutationContext, Noop, Rejected, Transient, get_mutation
from sync.storage import intent_transaction, is_postgres
from sync.storage import uuid_param as _param
from sync.tables import ConflictLog, SyncAck, SyncClient
from sync.wire import MIN_CLIENT_SCHEMA, Ack, AckMessage, AckStatus, ConflictReport, MutationIn

__all__ = ("MAX_MUTATIONS", "MAX_PUSH_BYTES", "Poke", "apply_batch", "apply_intent",
           "require_current_schema")

log = logging.getLogger("nomade.sync.push")
MAX_MUTATIONS = 500
MAX_PUSH_BYTES = 4 * 1024 * 1024

def _name(item: MutationIn) -> str:
    """The intent's name as stored and echoed (PostgreSQL cannot hold a NUL character)."""
    return item.name.replace("\x00", "")


def _message(code: str | None) -> AckMessage | None:
    problem = CATALOGUE.get(code or "")
    return AckMessage(fr=problem.fr, en=problem.en) if problem else None


def require_current_schema(schema_version: int) -> None:
    """409 SCHEMA_TOO_OLD for an app older than the server accepts (push and pull alike)."""
    if schema_version < MIN_CLIENT_SCHEMA:
        raise DomainError("SCHEMA_TOO_OLD", {"min_schema_version": MIN_CLIENT_SCHEMA})


async def apply_batch(actor: Actor, client_id: UUID, schema_version: int, app_version: str,
                      mutations: list[MutationIn], poke: Poke) -> tuple[list[Ack], int]:
    """Apply ``mutations`` in order; returns the acks and the client's last processed seq.

    The committed intents' effects run once, after the batch (also when it stops early):
    each organisation is poked at its newest version (through ``poke``), so a listener pulls
    once rather than once per intent. An outdated app (SCHEMA_TOO_OLD) gets nothing applied.
    """
    require_current_schema(schema_version)
    acks: list[Ack] = []
    last_seq = None
    effects: list[OutboxEntry] = []
    try:
        for item in mutations:
            ack, last_seq = await apply_intent(actor, client_id, item, effects,
                                               schema_version=schema_version,
                                               app_version=app_version)
            acks.append(ack)
    finally:
        try:
            await deliver(effects, poke=poke)
        except Exception:
            log.warning("effects after push not run; the outbox sweep runs them", exc_info=True)
    if last_seq is None:
        last_seq = await client_last_seq(actor, client_id)
    return acks, last_seq


async def client_last_seq(actor: Actor, client_id: UUID) -> int:
    """The client's last processed seq (0 for a new client); CLIENT_TAKEN if not the actor's."""
    row = await SyncClient.select(SyncClient.user, SyncClient.last_seq).where(
        SyncClient.id == client_id).first()
    if row is None:
        return 0
    if as_uuid(row["user"]) != actor.user_id:
        raise DomainError("CLIENT_TAKEN")
    return int(row["last_seq"])


async def _client_position(actor: Actor, client_id: UUID, seq: int, schema_version: int,
                           app_version: str) -> int | None:
    """Inside the intent's transaction, when the opening compare-and-set did not move
    ``last_seq``: lock the client row and say where the client stands.

    Returns ``None`` when ``seq`` may be applied (a new client's first intent: its row is
    created), else the current ``last_seq`` (a retry or a gap); CLIENT_TAKEN if the client is
    another user's.
    """
    param = _param(client_id)
    query = 'SELECT "user", last_seq FROM sync_client WHERE id = {}'
    query = query + " FOR UPDATE" if is_postgres() else query
    rows = await SyncClient.raw(query, param)
    if not rows:
        if seq != 1:
            return 0
        # The same first batch may arrive twice at once: the second insert waits for the
        # first transaction and does nothing; that request then finds the row like a retry.
        created = await SyncClient.insert(SyncClient(
            id=client_id, user=actor.user_id, device=actor.device_id, last_seq=1,
            schema_version=schema_version, app_version=app_version[:64],
        )).on_conflict(action="DO NOTHING").returning(SyncClient.id)
        if created:
            return None
        rows = await SyncClient.raw(query, param)
    if as_uuid(rows[0]["user"]) != actor.user_id:
        raise DomainError("CLIENT_TAKEN")
    current = int(rows[0]["last_seq"])
    if current == seq - 1:  # moved back to seq - 1 under us (never in practice): advance now
        await SyncClient.raw("UPDATE sync_client SET last_seq = {} WHERE id = {}", seq, param)
        return None
    return current


class _Undo(Exception):
    def __init__(self, outcome: Noop | Rejected) -> None:
        super().__init__(outcome.code)
        self.outcome = outcome


async def _stored_ack(client_id: UUID, item: MutationIn) -> Ack:
    row = await SyncAck.select().where(SyncAck.ack_key == f"{client_id}:{item.seq}").first()
    if row is None:  # acks older than the retention window: it was processed
        return Ack(seq=item.seq, id=item.id, status="applied")
    return _ack_from_row(row)


def _ack_from_row(row: dict[str, Any]) -> Ack:
    details = row["details"]
    conflicts = row["conflicts"]
    details = json_value(details)
    conflicts = json_value(conflicts)
    return Ack(
        seq=int(row["seq"]), id=as_uuid(row["mutation_id"]), status=row["status"],
        code=row["code"], message=_message(row["code"]), details=details or {},
        conflicts=[ConflictReport(**c) for c in conflicts or []],
    )


async def _run_handler(ctx: MutationContext, item: MutationIn) -> Noop | Rejected | None:
    spec = get_mutation(item.name)
    if spec is None:
        return Rejected("MUTATION_UNKNOWN", {"name": _name(item)})
    if item.v > spec.v:
        raise Transient("MUTATION_VERSION_UNKNOWN", 60, {"name": _name(item), "v": item.v})
    nul = find_nul(item.args, "$.args")
    if nul:  # refused, not stored: PostgreSQL cannot hold NUL (and the queue moves on)
        return Rejected("VALIDATION_FAILED", nul_refusal(nul))
    args_dict = dict(item.args)
    for step in range(item.v, spec.v):
        upcast = spec.upcast.get(step)
        if upcast is None:
            return Rejected("MUTATION_UNKNOWN", {"name": _name(item), "v": item.v})
        args_dict = upcast(args_dict)
    try:
        args = msgspec.convert(args_dict, spec.args, strict=False)
    except msgspec.ValidationError as exc:
        return Rejected("VALIDATION_FAILED", {"detail": str(exc)})
    try:
        return await spec.handler(ctx, args)
    except Rejected as exc:
        return exc
    except DomainError as exc:
        return Rejected(exc.code, exc.details)


async def apply_intent(actor: Actor, client_id: UUID, item: MutationIn,
                       effects: list[OutboxEntry], *, schema_version: int = 1,
                       app_version: str = "") -> tuple[Ack, int]:
    """Apply one intent in its own transaction; returns its ack and the client's last seq.

    ``effects`` receives the outbox rows the intent committed (run them after the batch).
    Hot path (applied): one transaction without savepoints. A noop/rejection (or a handler
    bug) rolls that transaction back and a second one records the ack and advances the seq.
    """
    try:
        try:
            return await _attempt(actor, client_id, item, effects, schema_version, app_version)
        except _Undo as undo:
            return await _attempt(actor, client_id, item, effects, schema_version, app_version,
                                  outcome=undo.outcome)
    except Transient as exc:
        raise DomainError("SERVICE_UNAVAILABLE" if exc.code not in CATALOGUE else exc.code,
                          {"seq": item.seq, "retry_after": exc.retry_after, **exc.details},
                          status=503, headers={"Retry-After": str(exc.retry_after)}) from exc
    except Exception as exc:
        if isinstance(exc, DomainError) or not is_transient_database_error(exc):
            raise
        raise DomainError("SERVICE_UNAVAILABLE", {"seq": item.seq, "retry_after": 2},
                          status=503, headers={"Retry-After": "2"}) from exc


async def _attempt(actor: Actor, client_id: UUID, item: MutationIn, effects: list[OutboxEntry],
                   schema_version: int, app_version: str,
                   outcome: Noop | Rejected | None = None) -> tuple[Ack, int]:
    ctx = MutationContext(
        actor=actor, mutation_id=item.id, client_time=item.client_time,
        server_time=datetime.now(UTC), device_id=actor.device_id, client_id=client_id,
        seq=item.seq,
    )
    recording = outcome is not None
    committed: list[OutboxEntry] = []
    async with intent_transaction(client_id, item.seq, actor.user_id) as advanced:
        current = None if advanced else await _client_position(
            actor, client_id, item.seq, schema_version, app_version)
        if current is not None:
            if item.seq <= current:
                return await _stored_ack(client_id, item), current
            raise DomainError("SEQ_GAP", {"expected_seq": current + 1, "got_seq": item.seq,
                                          "last_seq": current})
        if not recording:
            try:
                with ctx.unit_of_work.running():
                    outcome = await _run_handler(ctx, item)
            except (Transient, DomainError):
                raise
            except Exception as exc:
                if is_transient_database_error(exc):
                    raise
                log.exception("intent handler failed", extra={"mutation": item.name})
                outcome = Rejected("INTERNAL_ERROR_INTENT", {"name": _name(item)})
            if outcome is not None:
                raise _Undo(outcome)
        ack = _make_ack(item, outcome, ctx)
        if ctx.conflicts:
            await _log_conflicts(ctx, item)
        # the ack, then each organisation's version bump, its touched rows' stamps, its new
        # rows and updates, its outbox rows: one statement on PostgreSQL
        try:
            await ctx.unit_of_work.finish(lead=ack_lead(_ack_values(client_id, item, ack)))
        except Rejected as refused:  # a new row's key exists
            raise _Undo(refused) from refused
        committed.extend(ctx.unit_of_work.written)
    if ack.status == "rejected" and ack.code:
        metrics.intent_refused(ack.code)  # counted once: a replay returns the stored ack above
    effects.extend(committed)
    return ack, item.seq


def _make_ack(item: MutationIn, outcome: Noop | Rejected | None, ctx: MutationContext) -> Ack:
    if outcome is None:
        return Ack(seq=item.seq, id=item.id, status="applied",
                   conflicts=[ConflictReport(c.field, _jsonable(c.lost), _jsonable(c.kept))
                              for c in ctx.conflicts])
    status: AckStatus = "noop" if isinstance(outcome, Noop) else "rejected"
    return Ack(seq=item.seq, id=item.id, status=status, code=outcome.code,
               message=_message(outcome.code), details=_jsonable(outcome.details))


def _ack_values(client_id: UUID, item: MutationIn, ack: Ack) -> tuple[Any, ...]:
    return (client_id, item.seq, f"{client_id}:{item.seq}", item.id,
            _name(item)[:80], item.v,
            ack.status, ack.code, _ENCODE(ack.details).decode(), _ENCODE(ack.conflicts).decode())


_ENCODE = msgspec.json.Encoder().encode


async def _log_conflicts(ctx: MutationContext, item: MutationIn) -> None:
    touched_rows = [(org, entity, row) for org, ents in ctx.touched.items()
                    for entity, rows in ents.items() for row in rows]
    org, entity, row_id = touched_rows[0] if touched_rows else (ctx.organisation_id, "", "")
    await ConflictLog.insert(*[
        ConflictLog(organisation=org, entity=entity, row_id=str(row_id), field=c.field,
                    lost=msgspec.json.encode(_jsonable(c.lost)).decode(),
                    kept=msgspec.json.encode(_jsonable(c.kept)).decode(),
                    mutation_id=item.id, user=ctx.actor.user_id)
        for c in ctx.conflicts
    ])


def _jsonable(value: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(value))
