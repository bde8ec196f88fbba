"""A supplier company is made once per SIRET, also when two requests make it at the same time:
two admins adding the same company get one 201 and one coded refusal (SIRET_TAKEN), never a
500; two newcomers of the same new company approved at once both get an account in the one
company, the first approved becoming its supplier admin. Real app, concurrent requests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from backend.accounts.tables import SupplierCompany, User
from backend.administration.tables import SupplierAdmin
from tests.factories import make_org, siret
from tests.integration.administration.test_suppliers_and_platform import API, _ask, _code


async def test_the_same_company_added_twice_at_once_is_made_once(
        client: httpx.AsyncClient, unique: str) -> None:
    org = await make_org()
    number = siret()
    answers = await asyncio.gather(*(
        client.post(f"{API}/supplier-companies", headers=org.people[who].headers,
                    json={"name": f"Imprimerie {unique}", "siret": number})
        for who in ("admin", "admin")))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    [refused] = [a for a in answers if a.status_code == 409]
    assert _code(refused) == "SIRET_TAKEN"
    assert await SupplierCompany.count().where(SupplierCompany.siret == number) == 1


async def test_two_newcomers_of_one_new_company_approved_at_once_share_it(
        client: httpx.AsyncClient, anon: httpx.AsyncClient, unique: str) -> None:
    org = await make_org()
    number = siret()
    first = await _ask(anon, number, f"Menuiserie {unique}", unique, "patron")
    second = await _ask(anon, number, f"Menuiserie {unique}", unique, "associe")
    answers = await asyncio.gather(*(
        client.post(f"{API}/supplier-registrations/{r['id']}/approve",
                    headers=org.people["admin"].headers)
        for r in (first, second)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    companies: list[dict[str, Any]] = await SupplierCompany.select().where(
        SupplierCompany.siret == number)
    assert len(companies) == 1
    company_id = companies[0]["id"]
    assert {a.json()["supplier_company_id"] for a in answers} == {str(company_id)}
    users = await User.select(User.id).where(User.supplier_company == company_id)
    assert len(users) == 2
    assert await SupplierAdmin.count().where(SupplierAdmin.supplier_company == company_id) == 1
