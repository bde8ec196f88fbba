"""``MutationContext.insert``/``update`` outside a push (demo seeds, workflow tools run handlers
directly): the row is written at once and marked touched, so the caller's stamping sends it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from backend.expenses.tables import ExpenseLine
from sync import MutationContext, Rejected
from tests.factories import make_org


async def test_insert_and_update_outside_a_push_write_at_once(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    ctx = MutationContext(actor=agent.actor, mutation_id=uuid.uuid4(), client_time=None,
                          server_time=datetime.now(UTC), device_id=agent.device_id,
                          client_id=uuid.uuid4(), seq=1)
    line_id = uuid.uuid4()
    row = ExpenseLine(id=line_id, owner=agent.user_id, organisation=org.id, row_version=0,
                      date=date(2026, 11, 2), merchant="SNCF")
    await ctx.insert("expense_line", row, exists=Rejected("ROW_EXISTS"))
    await ctx.update("expense_line", line_id, {ExpenseLine.merchant: "Ouigo"})
    stored = await ExpenseLine.select(ExpenseLine.merchant).where(
        ExpenseLine.id == line_id).first()
    assert stored == {"merchant": "Ouigo"}
    assert ctx.touched == {org.id: {"expense_line": {line_id}}}
    with pytest.raises(Rejected) as refused:
        await ctx.insert("expense_line", ExpenseLine(
            id=line_id, owner=agent.user_id, organisation=org.id, date=date(2026, 11, 2)),
            exists=Rejected("ROW_EXISTS"))
    assert refused.value.code == "ROW_EXISTS"
