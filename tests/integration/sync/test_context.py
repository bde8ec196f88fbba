"""``MutationContext.insert``/``update`` outside a push (demo seeds, workflow tools run handlers
directly in a unit of work): the row is written when the unit of work ends, with its changes,
stamped and poked like a pushed intent's."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from backend.expenses.tables import ExpenseLine
from kernel.unit_of_work import UnitOfWork
from sync import MutationContext, Rejected
from sync.storage import organisation_versions
from tests.factories import Org, make_org


def _context(org: Org, unit_of_work: UnitOfWork) -> MutationContext:
    agent = org.people["agent_a"]
    return MutationContext(actor=agent.actor, mutation_id=uuid.uuid4(), client_time=None,
                           server_time=datetime.now(UTC), device_id=agent.device_id,
                           client_id=uuid.uuid4(), seq=1, unit_of_work=unit_of_work)


async def test_insert_and_update_outside_a_push_are_written_stamped_at_the_end(
        client: Any) -> None:
    org = await make_org()
    line_id = uuid.uuid4()
    async with UnitOfWork() as unit_of_work:
        ctx = _context(org, unit_of_work)
        await ctx.insert("expense_line", ExpenseLine(
            id=line_id, owner=org.people["agent_a"].user_id, organisation=org.id,
            row_version=0, date=date(2026, 11, 2), merchant="SNCF"),
            exists=Rejected("ROW_EXISTS"))
        await ctx.update("expense_line", line_id, {ExpenseLine.merchant: "Ouigo"})
        assert ctx.touched == {org.id: {"expense_line": {line_id}}}
    version = (await organisation_versions([org.id]))[org.id][0]
    stored = await ExpenseLine.select(ExpenseLine.merchant, ExpenseLine.row_version,
                                      ExpenseLine.sync_version).where(
        ExpenseLine.id == line_id).first()
    assert stored == {"merchant": "Ouigo", "row_version": 1, "sync_version": version}
    async with UnitOfWork() as unit_of_work:
        await _context(org, unit_of_work).update("expense_line", line_id,
                                                 {ExpenseLine.merchant: "TGV"})
    stored = await ExpenseLine.select(ExpenseLine.merchant, ExpenseLine.row_version).where(
        ExpenseLine.id == line_id).first()
    assert stored == {"merchant": "TGV", "row_version": 2}
    with pytest.raises(Rejected) as refused:
        async with UnitOfWork() as unit_of_work:
            await _context(org, unit_of_work).insert("expense_line", ExpenseLine(
                id=line_id, owner=org.people["agent_a"].user_id, organisation=org.id,
                date=date(2026, 11, 2)), exists=Rejected("ROW_EXISTS"))
    assert refused.value.code == "ROW_EXISTS"
    assert (await organisation_versions([org.id]))[org.id][0] == version + 1, (
        "the refused write bumped nothing")
