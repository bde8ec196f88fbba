"""Importing an org chart through the API: dry run, every error by line, all or nothing."""

from __future__ import annotations

from typing import Any

import httpx

from backend.accounts.tables import Device, Unit, User
from tests.factories import make_org

URL = "/api/v1/admin/imports/people"
HEADER = "type,code,name,parent_code,email,full_name,role,unit_code,language\n"


def _chart(suffix: str) -> str:
    return HEADER + (
        f"unit,R{suffix},Direction régionale,DIR,,,,,\n"
        f"unit,B{suffix},Bureau des déplacements,R{suffix},,,,,\n"
        f"person,,,,chef-{suffix}@exemple.fr,Claire Chef,manager,R{suffix},fr\n"
        f"person,,,,agent-{suffix}@exemple.fr,Paul Agent,agent,B{suffix},en\n"
    )


async def _post(client: httpx.AsyncClient, headers: dict[str, str], body: bytes,
                dry_run: bool = False) -> httpx.Response:
    return await client.post(URL, content=body, params={"dry_run": str(dry_run).lower()},
                             headers={**headers, "Content-Type": "text/csv"})


async def _state(org_id: Any) -> tuple[int, int]:
    return (await Unit.count().where(Unit.organisation == org_id),
            await User.count().where(User.organisation == org_id))


async def test_dry_run_then_import_then_again(client: httpx.AsyncClient, unique: str) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    before = await _state(org.id)
    body = _chart(unique).encode()
    dry = await _post(client, headers, body, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["units_created"], dry.json()["people_created"]) == (2, 2)
    assert await _state(org.id) == before  # a dry run saves nothing
    done = await _post(client, headers, body)
    assert done.status_code == 200 and done.json()["applied"] is True
    assert await _state(org.id) == (before[0] + 2, before[1] + 2)
    units = {u["code_service"]: u for u in (await client.get(
        "/api/v1/admin/units", headers=headers)).json()}
    assert units[f"B{unique}"]["parent_id"] == units[f"R{unique}"]["id"]
    assert [m["full_name"] for m in units[f"R{unique}"]["managers"]] == ["Claire Chef"]
    again = (await _post(client, headers, body)).json()
    assert (again["units_created"], again["people_created"], again["people_updated"],
            again["unchanged"]) == (0, 0, 0, 4)
    assert await _state(org.id) == (before[0] + 2, before[1] + 2)


async def test_one_bad_line_and_nothing_is_applied(client: httpx.AsyncClient,
                                                   unique: str) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    agent = org.people["agent_a"]
    before = await _state(org.id)
    body = _chart(unique) + (
        f"person,,,,{agent.email},Moved Agent,agent,B{unique},fr\n"     # 6: would move them
        f"person,,,,agent-{unique}@exemple.fr,Twice,agent,R{unique},fr\n"  # 7: duplicate
        f"person,,,,ghost-{unique}@exemple.fr,Ghost,agent,NOWHERE,fr\n"   # 8: unknown unit
    )
    response = await _post(client, headers, body.encode())
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "IMPORT_INVALID" and problem["message"]["en"]
    errors = problem["details"]["report"]["errors"]
    assert [(e["line"], e["code"]) for e in errors] == [(7, "EMAIL_DUPLICATE"),
                                                        (8, "UNIT_UNKNOWN")]
    assert all(e["message_fr"] and e["message_en"] for e in errors)
    assert await _state(org.id) == before
    row = await User.select(User.full_name, User.unit).where(User.id == agent.user_id).first()
    assert row is not None and row["unit"] == org.unit_ids[0]
    # Fixed, the same file moves the agent: their old token stops working at once.
    fixed = "\n".join(body.splitlines()[:-2]) + "\n"
    assert (await _post(client, headers, fixed.encode())).status_code == 200
    assert (await client.get("/api/v1/me/", headers=agent.headers)).status_code == 401
    device = await Device.select(Device.revoked_reason).where(Device.id == agent.device_id).first()
    assert device is not None and device["revoked_reason"] == "role_changed"


async def test_bad_files(client: httpx.AsyncClient, unique: str) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    latin = await _post(client, headers, _chart(unique).encode("latin-1"))
    assert latin.status_code == 400
    assert [e["code"] for e in latin.json()["details"]["report"]["errors"]] == ["CSV_ENCODING"]
    missing = await _post(client, headers, b"type,email\nperson,a@b.fr\n", dry_run=True)
    assert missing.status_code == 200
    error = missing.json()["errors"][0]
    assert error["code"] == "CSV_COLUMNS_MISSING" and "full_name" in error["details"]["missing"]
    cycle = HEADER + f"unit,X{unique},X,Y{unique},,,,,\nunit,Y{unique},Y,X{unique},,,,,\n"
    response = await _post(client, headers, cycle.encode())
    assert [e["code"] for e in response.json()["details"]["report"]["errors"]] == [
        "UNIT_TREE_CYCLE"]
    # The last admin cannot be imported away.
    demote = HEADER + f"person,,,,{org.people['admin'].email},Admin,agent,U0,fr\n"
    response = await _post(client, headers, demote.encode())
    assert [e["code"] for e in response.json()["details"]["report"]["errors"]] == ["ADMIN_LAST"]
    forbidden = await _post(client, org.people["manager_a"].headers, _chart(unique).encode())
    assert forbidden.status_code == 403
