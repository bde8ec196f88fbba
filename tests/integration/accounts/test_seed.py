"""``nomade seed-demo``: a demo organisation, the same after a second run, people who sign in."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from backend.accounts import approvers_for, units_managed_by
from backend.accounts.tables import Delegation, Organisation, SupplierCompany, Unit, User
from backend.seed import DEMO_DOMAIN, DEMO_PASSWORD, SeedContext, demo_id, seed_demo
from tests.integration.accounts.helpers import bearer, sign_in


async def _counts() -> dict[str, int]:
    demo_users = User.email.like(f"%@{DEMO_DOMAIN}")
    return {
        "users": await User.count().where(demo_users),
        "agents": await User.count().where(demo_users & (User.role == "agent")),
        "managers": await User.count().where(demo_users & (User.role == "manager")),
        "suppliers": await User.count().where(demo_users & (User.role == "supplier")),
        "organisations": await Organisation.count().where(Organisation.name.like("%(démo)")),
        "units": await Unit.count().where(Unit.code_service.is_in(["SG", "DAF", "DNUM", "DRIEAT"])),
        "companies": await SupplierCompany.count().where(
            SupplierCompany.siret.is_in(["48230158700010", "51248693300017", "39710245600019",
                                         "80537914200013", "79203186400012"])),
        "delegations": await Delegation.count().where(
            Delegation.organisation == demo_id("organisation")),
    }


async def test_seed_demo_twice_gives_the_same_rows_and_people_sign_in(api, capsys) -> None:  # type: ignore[no-untyped-def]
    await seed_demo()
    first = await _counts()
    assert "seed-demo" in capsys.readouterr().out
    await seed_demo()
    assert await _counts() == first
    second_run = capsys.readouterr().out
    assert "0 created" in second_run and not re.search(r"[1-9]\d* created", second_run)
    assert first["agents"] == 10 and first["managers"] == 4 and first["suppliers"] == 5
    assert first["units"] == 4 and first["companies"] == 5 and first["organisations"] == 1
    assert first["delegations"] == 1

    for email in ("agent1", "manager1", "supplier1", "backoffice", "admin", "direction"):
        session = await sign_in(api, f"{email}@{DEMO_DOMAIN}", DEMO_PASSWORD)
        me = await api.get("/api/v1/me", headers=bearer(session))
        assert me.json()["email"] == f"{email}@{DEMO_DOMAIN}"
    supplier = await sign_in(api, f"supplier5@{DEMO_DOMAIN}", DEMO_PASSWORD)
    assert supplier["user"]["language"] == "en" and supplier["user"]["supplier_company_id"]


async def test_demo_delegation_is_active_now() -> None:
    from backend.seed import seed_accounts

    context: SeedContext = await seed_accounts()
    now = datetime.now(UTC)
    agent1 = context.agent_ids[0]
    assert set(await approvers_for(agent1, now)) == set(context.manager_ids[:2])
    assert set(await units_managed_by(context.manager_ids[1], now)) == set(context.unit_ids[:2])
    assert await approvers_for(context.manager_ids[2], now) == [context.head_manager_id]
