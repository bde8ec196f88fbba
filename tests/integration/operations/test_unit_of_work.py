"""The unit of work: a write's rows are stamped in its transaction, its effects (pokes, jobs)
run only after commit, from outbox rows written with it, and a crash between commit and
delivery loses none of them (the sweep runs what was left)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from backend.expenses.tables import ExpenseLine
from kernel import jobs
from kernel.live import set_poke_publisher
from kernel.outbox.tables import Outbox
from kernel.unit_of_work import UnitOfWork, sweep_outbox
from sync.storage import organisation_versions
from tests.conftest import TEST_DB
from tests.factories import make_org


class _Recorder:
    """The process's job queue and poke publisher, recording what reaches them."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, str | None, dict[str, Any]]] = []
        self.pokes: list[tuple[uuid.UUID, int]] = []

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        self.jobs.append((name, key, kwargs))

    async def poke(self, organisation: uuid.UUID, version: int) -> None:
        self.pokes.append((organisation, version))

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def depth(self) -> int:
        return 0

    async def depths(self) -> dict[str, int]:
        return {}


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    seen = _Recorder()
    previous_queue = jobs.current_queue()
    jobs.set_queue(seen)
    previous_poke = set_poke_publisher(seen.poke)
    yield seen
    jobs.set_queue(previous_queue)
    set_poke_publisher(previous_poke)


async def _line(org_id: uuid.UUID, owner: uuid.UUID) -> uuid.UUID:
    line_id = uuid.uuid4()
    await ExpenseLine.insert(ExpenseLine(id=line_id, owner=owner, organisation=org_id,
                                         row_version=1, sync_version=0,
                                         date=date(2026, 11, 2), merchant="SNCF"))
    return line_id


async def _stored(line_id: uuid.UUID) -> dict[str, Any]:
    row = await ExpenseLine.select(ExpenseLine.merchant, ExpenseLine.row_version,
                                   ExpenseLine.sync_version).where(
        ExpenseLine.id == line_id).first()
    assert row is not None
    return row


async def _left(ids: list[uuid.UUID]) -> int:
    return await Outbox.count().where(Outbox.id.is_in(ids)) if ids else 0


async def test_a_write_is_stamped_and_its_effects_run_once_committed(
        client: Any, recorder: _Recorder) -> None:
    org = await make_org()
    line_id = await _line(org.id, org.people["agent_a"].user_id)
    before = (await organisation_versions([org.id]))[org.id][0]
    key = f"test:{uuid.uuid4()}"
    async with UnitOfWork() as uow:
        await ExpenseLine.update({ExpenseLine.merchant: "Ouigo"}).where(
            ExpenseLine.id == line_id)
        uow.touch(ExpenseLine, line_id, organisation=org.id)
        uow.touch(ExpenseLine, line_id, organisation=org.id)
        uow.enqueue("push.deliver", key=key, reason="test")
        uow.enqueue("push.deliver", key=key, reason="test")
        assert recorder.jobs == [] and recorder.pokes == [], "nothing runs before commit"
    version = (await organisation_versions([org.id]))[org.id][0]
    assert version == before + 1 and uow.versions == {org.id: version}
    assert await _stored(line_id) == {"merchant": "Ouigo", "row_version": 2,
                                      "sync_version": version}
    assert recorder.pokes == [(org.id, version)]
    assert recorder.jobs == [("push.deliver", key, {"reason": "test"})]
    assert await _left([e.id for e in uow.written]) == 0, "delivered rows are deleted"


async def test_a_rolled_back_write_has_no_effect(client: Any, recorder: _Recorder) -> None:
    org = await make_org()
    line_id = await _line(org.id, org.people["agent_a"].user_id)
    before = (await organisation_versions([org.id]))[org.id][0]
    with pytest.raises(RuntimeError):
        async with UnitOfWork() as uow:
            await ExpenseLine.update({ExpenseLine.merchant: "Ouigo"}).where(
                ExpenseLine.id == line_id)
            uow.touch(ExpenseLine, line_id, organisation=org.id)
            uow.enqueue("push.deliver", key=f"test:{uuid.uuid4()}")
            raise RuntimeError("the write fails")
    assert (await organisation_versions([org.id]))[org.id][0] == before
    assert await _stored(line_id) == {"merchant": "SNCF", "row_version": 1, "sync_version": 0}
    assert recorder.pokes == [] and recorder.jobs == []


async def test_a_crash_between_commit_and_delivery_loses_nothing(
        client: Any, recorder: _Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    import kernel.unit_of_work

    org = await make_org()
    line_id = await _line(org.id, org.people["agent_a"].user_id)
    key = f"test:{uuid.uuid4()}"

    async def crashed(*_: Any, **__: Any) -> int:  # the process died right after COMMIT
        return 0

    monkeypatch.setattr(kernel.unit_of_work, "deliver", crashed)
    async with UnitOfWork() as uow:
        uow.touch(ExpenseLine, line_id, organisation=org.id)
        uow.enqueue("push.deliver", key=key)
    monkeypatch.undo()
    written = [e.id for e in uow.written]
    assert await _left(written) == 2 and recorder.pokes == [] and recorder.jobs == []
    # the writer's grace: a sweep leaves fresh rows to the process that wrote them
    await sweep_outbox()
    assert await _left(written) == 2
    # the worker's sweep, once the grace passed: both effects run, once
    await sweep_outbox(grace=timedelta(0))
    assert (org.id, uow.versions[org.id]) in recorder.pokes
    assert [j for j in recorder.jobs if j[1] == key] == [("push.deliver", key, {})]
    assert await _left(written) == 0
    await sweep_outbox(grace=timedelta(0))
    assert [j for j in recorder.jobs if j[1] == key] == [("push.deliver", key, {})]


@pytest.mark.skipif(TEST_DB != "postgres", reason="concurrent sweeps need PostgreSQL's row locks")
async def test_concurrent_sweeps_run_each_left_row_once(
        client: Any, recorder: _Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    import kernel.unit_of_work

    async def crashed(*_: Any, **__: Any) -> int:
        return 0

    keys = [f"test:{uuid.uuid4()}" for _ in range(40)]
    monkeypatch.setattr(kernel.unit_of_work, "deliver", crashed)
    async with UnitOfWork() as uow:
        for key in keys:
            uow.enqueue("push.deliver", key=key)
    monkeypatch.undo()
    await asyncio.gather(*(sweep_outbox(grace=timedelta(0), limit=7) for _ in range(8)))
    await sweep_outbox(grace=timedelta(0))
    ran = [j[1] for j in recorder.jobs if j[1] in set(keys)]
    assert sorted(ran) == sorted(keys), "each left row ran exactly once"


async def test_a_push_writes_its_pokes_in_the_outbox_and_the_sweep_runs_them_after_a_crash(
        client: Any, recorder: _Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    import sync.push
    from sync.push import apply_batch
    from sync.wire import MutationIn
    from tests.integration.sync.helpers import line_args

    org = await make_org()
    agent = org.people["agent_a"]

    async def crashed(*_: Any, **__: Any) -> int:  # the server died after the intent's COMMIT
        return 0

    async def channel_poke(organisation: uuid.UUID, version: int) -> None:
        raise AssertionError("nothing is delivered by the crashed request")

    monkeypatch.setattr(sync.push, "deliver", crashed)
    acks, _ = await apply_batch(agent.actor, uuid.uuid4(), 1, "", [
        MutationIn(seq=1, id=uuid.uuid4(), name="expense_line.create", v=1, args=line_args())],
        channel_poke)
    monkeypatch.undo()
    assert [a.status for a in acks] == ["applied"]
    version = (await organisation_versions([org.id]))[org.id][0]
    left = await Outbox.select(Outbox.id).where(Outbox.organisation == org.id)
    assert len(left) == 1
    await sweep_outbox()  # still the writer's: left alone
    assert recorder.pokes == []
    await sweep_outbox(grace=timedelta(0))
    assert (org.id, version) in recorder.pokes
    assert await Outbox.count().where(Outbox.organisation == org.id) == 0


async def test_an_integration_event_pushes_and_pokes_as_effects_of_its_unit_of_work(
        client: Any, recorder: _Recorder) -> None:
    from datetime import UTC, datetime

    import msgspec

    from backend.flows import process_integration_event
    from backend.invoices.schemas import IntegrationEventIn
    from kernel.unit_of_work import JobEffect, OutboxEntry, PokeEffect, deliver
    from tests.integration.notifications.conftest import subscribe
    from tests.pushservice import FakePushService

    org = await make_org()
    supplier = org.people["supplier"]
    with FakePushService() as service:  # the supplier's phone is subscribed, no quiet hours
        await subscribe(client, supplier, service)
    await client.put("/api/v1/push/preferences", headers=supplier.headers,
                     json={"quiet_start": None, "quiet_end": None, "hide_amounts": False})
    event = msgspec.convert({
        "event_id": uuid.uuid4().hex, "type": "invoice.created",
        "occurred_at": datetime.now(UTC).isoformat(),
        "invoice": {"number": "F-9", "supplier_siret": org.supplier_siret,
                    "issued_on": "2026-10-01", "amount_ht_cents": 100, "vat_cents": 20,
                    "amount_ttc_cents": 120, "status": "DEPOSEE", "lines": []}},
        IntegrationEventIn)
    effects: list[OutboxEntry] = []
    result = await process_integration_event(org.id, event, now=datetime.now(UTC),
                                             effects=effects)
    assert result.status == "accepted"
    version = (await organisation_versions([org.id]))[org.id][0]
    assert [e.effect for e in effects] == [PokeEffect(org.id, version),
                                           JobEffect("push.deliver")]
    assert recorder.jobs == [] and recorder.pokes == [], "the caller runs them, once"
    assert await _left([e.id for e in effects]) == 2, "committed with the invoice"
    assert await deliver(effects) == 2
    assert recorder.pokes == [(org.id, version)]
    assert recorder.jobs == [("push.deliver", None, {})]
    assert await _left([e.id for e in effects]) == 0


async def test_a_unit_of_work_opened_inside_another_joins_it(
        client: Any, recorder: _Recorder) -> None:
    org = await make_org()
    line_id = await _line(org.id, org.people["agent_a"].user_id)
    key = f"test:{uuid.uuid4()}"
    async with UnitOfWork() as outer:
        async with UnitOfWork() as inner:
            assert inner is outer
            await ExpenseLine.update({ExpenseLine.merchant: "Ouigo"}).where(
                ExpenseLine.id == line_id)
            inner.touch(ExpenseLine, line_id, organisation=org.id)
            inner.enqueue("push.deliver", key=key)
        assert recorder.jobs == [] and recorder.pokes == [], "nothing before the outer commit"
    version = (await organisation_versions([org.id]))[org.id][0]
    assert recorder.pokes == [(org.id, version)]
    assert recorder.jobs == [("push.deliver", key, {})]
    assert (await _stored(line_id))["sync_version"] == version
    with pytest.raises(RuntimeError):
        async with UnitOfWork():
            async with UnitOfWork() as inner:
                inner.enqueue("push.deliver", key=f"{key}:2")
            raise RuntimeError("the outer write fails")
    assert [j for j in recorder.jobs if j[1] == f"{key}:2"] == []
