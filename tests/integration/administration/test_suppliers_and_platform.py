"""Supplier companies and their users, a supplier company's own admin deciding its registrations,
and organisations beyond the first, on the real app and database."""

from __future__ import annotations

from typing import Any

import httpx

from backend.accounts.tables import Organisation, SupplierCompany, User
from backend.administration.tables import PlatformOrganisation, SupplierRegistration
from backend.audit.tables import AuditEntry
from tests.factories import make_org, siret

API = "/api/v1/admin"
REGISTER = "/api/v1/onboarding/supplier-registrations"
OWN = "/api/v1/supplier-admin"


def _code(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    assert body["message"]["fr"] and body["message"]["en"], body
    return str(body["code"])


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    session = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert session.status_code == 200, session.text
    return {"Authorization": f"Bearer {session.json()['access_token']}"}


async def _ask(
    anon: httpx.AsyncClient, number: str, company: str, unique: str, who: str
) -> dict[str, Any]:
    answer = await anon.post(
        REGISTER,
        json={
            "siret": number,
            "company_name": company,
            "full_name": f"{who.title()} {unique}",
            "email": f"{who}-{unique}@fournisseur.fr",
            "password": f"{who}-mot-de-passe",
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_supplier_companies_and_users_from_the_admin(
    client: httpx.AsyncClient, unique: str
) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    number = siret()
    company = await client.post(
        f"{API}/supplier-companies",
        json={"name": f"Imprimerie {unique}", "siret": number},
        headers=headers,
    )
    assert company.status_code == 201, company.text
    company_id = company.json()["id"]
    user = await client.post(
        f"{API}/supplier-companies/{company_id}/users",
        headers=headers,
        json={
            "email": f"chef-{unique}@imprimerie.fr",
            "full_name": "Chef Imprimeur",
            "supplier_admin": True,
        },
    )
    assert user.status_code == 201, user.text
    # Same address twice: refused, and the company still has one user.
    again = await client.post(
        f"{API}/supplier-companies/{company_id}/users",
        headers=headers,
        json={"email": f"chef-{unique}@imprimerie.fr", "full_name": "Doublon"},
    )
    assert again.status_code == 409 and _code(again) == "EMAIL_TAKEN"
    listed = {
        c["id"]: c for c in (await client.get(f"{API}/supplier-companies", headers=headers)).json()
    }
    users = listed[company_id]["users"]
    assert [(u["full_name"], u["supplier_admin"], u["has_password"]) for u in users] == [
        ("Chef Imprimeur", True, False)
    ]
    invitation = await client.post(
        f"{API}/supplier-users/{user.json()['id']}/invitation", headers=headers
    )
    assert invitation.status_code == 201
    accepted = await client.post(
        "/api/v1/onboarding/invitations/accept",
        json={"token": invitation.json()["token"], "password": "imprimerie-2026"},
    )
    assert accepted.status_code == 204
    listed = {
        c["id"]: c for c in (await client.get(f"{API}/supplier-companies", headers=headers)).json()
    }
    assert listed[company_id]["users"][0]["has_password"] is True
    # The flag can be withdrawn; a staff member is not a supplier user.
    withdrawn = await client.patch(
        f"{API}/supplier-users/{user.json()['id']}", json={"supplier_admin": False}, headers=headers
    )
    assert withdrawn.status_code == 204
    staff = await client.patch(
        f"{API}/supplier-users/{org.people['agent_a'].user_id}",
        json={"supplier_admin": True},
        headers=headers,
    )
    assert staff.status_code == 404 and _code(staff) == "NOT_FOUND"
    unknown = await client.post(
        f"{API}/supplier-companies/{org.id}/users",
        headers=headers,
        json={"email": f"x-{unique}@x.fr", "full_name": "X"},
    )
    assert unknown.status_code == 404


async def test_a_supplier_admin_decides_only_their_own_companys_requests(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, unique: str
) -> None:
    org = await make_org()
    admin = org.people["admin"].headers
    number, other_number = siret(), siret()
    # The first request makes the company: the platform admin approves, the requester becomes
    # its supplier admin.
    first = await _ask(anon, number, f"Menuiserie {unique}", unique, "patron")
    approved = await client.post(
        f"{API}/supplier-registrations/{first['id']}/approve", headers=admin
    )
    assert approved.status_code == 200, approved.text
    boss = await _sign_in(client, f"patron-{unique}@fournisseur.fr", "patron-mot-de-passe")
    own = await client.get(f"{OWN}/company", headers=boss)
    assert own.status_code == 200 and own.json()["siret"] == number
    # Later requests: one for the same SIRET, one for another company.
    colleague = await _ask(anon, number, f"Menuiserie {unique}", unique, "colleague")
    stranger = await _ask(anon, other_number, f"Serrurerie {unique}", unique, "stranger")
    pending = (await client.get(f"{OWN}/registrations", headers=boss)).json()
    assert [p["id"] for p in pending] == [colleague["id"]]
    # Another company's request: not found to them, and left pending.
    for decision in ("approve", "refuse"):
        response = await client.post(
            f"{OWN}/registrations/{stranger['id']}/{decision}", headers=boss
        )
        assert response.status_code == 404 and _code(response) == "NOT_FOUND"
    row = (
        await SupplierRegistration.select(SupplierRegistration.status)
        .where(SupplierRegistration.id == stranger["id"])
        .first()
    )
    assert row == {"status": "pending"}
    decided = await client.post(f"{OWN}/registrations/{colleague['id']}/approve", headers=boss)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    joined = (
        await User.select(User.supplier_company)
        .where(User.email == f"colleague-{unique}@fournisseur.fr")
        .first()
    )
    assert joined is not None and str(joined["supplier_company"]) == own.json()["id"]
    entry = (
        await AuditEntry.select(AuditEntry.actor_role, AuditEntry.organisation)
        .where(AuditEntry.document_id == colleague["id"])
        .first()
    )
    assert entry is not None and entry["actor_role"] == "supplier_admin"
    assert str(entry["organisation"]) == own.json()["id"]
    late = await client.post(f"{OWN}/registrations/{colleague['id']}/refuse", headers=boss)
    assert late.status_code == 409 and _code(late) == "REGISTRATION_DECIDED"
    # The colleague joined as a plain supplier: not an admin of the company.
    plain = await _sign_in(client, f"colleague-{unique}@fournisseur.fr", "colleague-mot-de-passe")
    for path in ("/company", "/registrations"):
        response = await client.get(f"{OWN}{path}", headers=plain)
        assert response.status_code == 403 and _code(response) == "SUPPLIER_ADMIN_REQUIRED"
    # Another company's supplier and the organisation's staff are refused too.
    response = await client.get(f"{OWN}/registrations", headers=org.people["supplier"].headers)
    assert response.status_code == 403 and _code(response) == "SUPPLIER_ADMIN_REQUIRED"
    for key in ("admin", "manager_a"):
        response = await client.get(f"{OWN}/registrations", headers=org.people[key].headers)
        assert response.status_code == 403 and _code(response) == "FORBIDDEN"
    # Withdrawn by the platform admin: refused at once.
    user_id = approved.json()["user_id"]
    await client.patch(
        f"{API}/supplier-users/{user_id}", json={"supplier_admin": False}, headers=admin
    )
    response = await client.get(f"{OWN}/registrations", headers=boss)
    assert response.status_code == 403 and _code(response) == "SUPPLIER_ADMIN_REQUIRED"


async def test_a_platform_admin_creates_another_organisation(
    client: httpx.AsyncClient, unique: str
) -> None:
    platform = await make_org()
    await PlatformOrganisation.insert(PlatformOrganisation(id=platform.id))
    headers = platform.people["admin"].headers
    number = siret()
    body = {
        "name": f"CHU {unique}",
        "siret": number,
        "kind": "hospital",
        "code_service": "CHU-1",
        "admin_email": f"admin-{unique}@chu.fr",
        "admin_full_name": "Agnès Hôpital",
        "admin_language": "en",
    }
    # Bad input saves nothing: a SIRET failing Luhn, an email already used.
    bad = await client.post(
        f"{API}/organisations",
        headers=headers,
        json={**body, "siret": number[:-1] + str((int(number[-1]) + 1) % 10)},
    )
    assert bad.status_code == 400 and _code(bad) == "SIRET_INVALID"
    taken = await client.post(
        f"{API}/organisations",
        headers=headers,
        json={**body, "admin_email": platform.people["agent_a"].email},
    )
    assert taken.status_code == 409 and _code(taken) == "EMAIL_TAKEN"
    assert not await Organisation.exists().where(Organisation.siret == number)
    made = await client.post(f"{API}/organisations", json=body, headers=headers)
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["organisation"]["payment_days"] == 50 and out["admin"]["role"] == "admin"
    twice = await client.post(
        f"{API}/organisations",
        headers=headers,
        json={**body, "admin_email": f"autre-{unique}@chu.fr"},
    )
    assert twice.status_code == 409 and _code(twice) == "ORGANISATION_SIRET_TAKEN"
    listed = (await client.get(f"{API}/organisations", headers=headers)).json()
    assert {o["siret"] for o in listed} >= {platform.siret, number}
    # The new admin chooses a password through the link and runs their own organisation only.
    accepted = await client.post(
        "/api/v1/onboarding/invitations/accept",
        json={"token": out["invitation"]["token"], "password": "hopital-2026"},
    )
    assert accepted.status_code == 204
    new_admin = await _sign_in(client, body["admin_email"], "hopital-2026")
    own = (await client.get(f"{API}/organisation", headers=new_admin)).json()
    assert (own["name"], own["kind"], own["payment_days"]) == (body["name"], "hospital", 50)
    rules = (await client.get(f"{API}/rule-sets", headers=new_admin)).json()
    assert [r["name"] for r in rules] == ["state-2019", "state-2023"]
    people = (await client.get(f"{API}/people", headers=new_admin)).json()
    assert [p["email"] for p in people] == [body["admin_email"]]
    # Neither they nor another organisation's admin may create organisations.
    other = await make_org()
    for refused in (new_admin, other.people["admin"].headers):
        response = await client.post(
            f"{API}/organisations", headers=refused, json={**body, "siret": siret()}
        )
        assert response.status_code == 403 and _code(response) == "PLATFORM_ADMIN_REQUIRED"
        response = await client.get(f"{API}/organisations", headers=refused)
        assert response.status_code == 403 and _code(response) == "PLATFORM_ADMIN_REQUIRED"
    response = await client.get(f"{API}/organisations", headers=platform.people["agent_a"].headers)
    assert response.status_code == 403
    # A company made from a SIRET: the supplier company table is untouched by organisations.
    assert not await SupplierCompany.exists().where(SupplierCompany.siret == number)
