"""The administration API as an admin (and a non-admin) uses it, on the real app and database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from backend.accounts.tables import Device, User
from backend.audit.tables import AuditEntry
from tests.factories import make_org, make_person, siret

API = "/api/v1/admin"


def _code(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    assert body["message"]["fr"] and body["message"]["en"], body
    return str(body["code"])


async def test_only_admins_reach_the_administration(client: httpx.AsyncClient) -> None:
    org = await make_org()
    for key in ("agent_a", "manager_a", "back_office", "supplier"):
        response = await client.get(f"{API}/people", headers=org.people[key].headers)
        assert response.status_code == 403, key
    assert (await client.get(f"{API}/people")).status_code == 401
    response = await client.get(f"{API}/people", headers=org.people["admin"].headers)
    assert response.status_code == 200
    assert {p["email"] for p in response.json()} >= {org.people["agent_a"].email}
    # Another organisation's admin sees none of them.
    other = await make_org()
    response = await client.get(f"{API}/people", headers=other.people["admin"].headers)
    assert org.people["agent_a"].email not in {p["email"] for p in response.json()}


async def test_organisation_kind_sets_the_payment_deadline(client: httpx.AsyncClient) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    assert (await client.get(f"{API}/organisation", headers=headers)).json()["payment_days"] == 30
    response = await client.patch(f"{API}/organisation", json={"kind": "hospital"},
                                  headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["payment_days"] == 50
    response = await client.patch(f"{API}/organisation", json={"kind": "casino"}, headers=headers)
    assert response.status_code == 400
    assert (await client.get(f"{API}/organisation", headers=headers)).json()["kind"] == "hospital"


async def test_unit_tree_refuses_a_cycle_and_an_unknown_parent(client: httpx.AsyncClient) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    units = (await client.get(f"{API}/units", headers=headers)).json()
    assert units[0]["id"] == str(org.head_unit_id)  # parents first
    managers = {u["id"]: [m["id"] for m in u["managers"]] for u in units}
    assert managers[str(org.unit_ids[0])] == [str(org.people["manager_a"].user_id)]
    child = await client.post(f"{API}/units", json={"name": "Bureau C", "code_service": "C1",
                                                    "parent_id": str(org.unit_ids[0])},
                              headers=headers)
    assert child.status_code == 201, child.text
    # Moving unit A under its own child: a cycle, refused, nothing changed.
    response = await client.patch(f"{API}/units/{org.unit_ids[0]}",
                                  json={"parent_id": child.json()["id"]}, headers=headers)
    assert response.status_code == 400 and _code(response) == "UNIT_TREE_CYCLE"
    units = {u["id"]: u for u in (await client.get(f"{API}/units", headers=headers)).json()}
    assert units[str(org.unit_ids[0])]["parent_id"] == str(org.head_unit_id)
    other = await make_org(with_people=False)
    response = await client.post(f"{API}/units", json={"name": "X",
                                                       "parent_id": str(other.head_unit_id)},
                                 headers=headers)
    assert response.status_code == 400 and _code(response) == "UNIT_UNKNOWN"
    response = await client.post(f"{API}/units", json={"name": "Y", "code_service": "C1"},
                                 headers=headers)
    assert response.status_code == 409 and _code(response) == "UNIT_CODE_TAKEN"


async def test_people_create_invite_and_sign_in(client: httpx.AsyncClient, unique: str) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    email = f"nouvelle-{unique}@test.nomade.invalid"
    response = await client.post(f"{API}/people", json={
        "email": email, "full_name": "Agnès Nouvelle", "role": "agent",
        "unit_id": str(org.unit_ids[1])}, headers=headers)
    assert response.status_code == 201, response.text
    person = response.json()
    again = await client.post(f"{API}/people", json={
        "email": email.upper(), "full_name": "Twice", "role": "agent",
        "unit_id": str(org.unit_ids[1])}, headers=headers)
    assert again.status_code == 409 and _code(again) == "EMAIL_TAKEN"
    unknown = await client.post(f"{API}/people", json={
        "email": f"x-{unique}@test.nomade.invalid", "full_name": "X", "role": "agent",
        "unit_id": str(org.id)}, headers=headers)
    assert unknown.status_code == 400 and _code(unknown) == "UNIT_UNKNOWN"
    # No password yet: sign-in fails until the invitation is accepted.
    login = {"email": email, "password": "un mot de passe"}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 401
    invitation = (await client.post(f"{API}/people/{person['id']}/invitation",
                                    headers=headers)).json()
    accepted = await client.post("/api/v1/onboarding/invitations/accept",
                                 json={"token": invitation["token"], "password": "un mot de passe"})
    assert accepted.status_code == 204, accepted.text
    reused = await client.post("/api/v1/onboarding/invitations/accept",
                               json={"token": invitation["token"], "password": "autre chose"})
    assert reused.status_code == 400 and _code(reused) == "INVITATION_INVALID"
    session = await client.post("/api/v1/auth/login", json=login)
    assert session.status_code == 200
    assert session.json()["user"]["unit_id"] == str(org.unit_ids[1])


async def test_role_change_is_effective_at_once(client: httpx.AsyncClient) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    assert (await client.get("/api/v1/me/", headers=agent.headers)).status_code == 200
    response = await client.patch(f"{API}/people/{agent.user_id}",
                                  json={"role": "manager", "unit_id": str(org.unit_ids[1])},
                                  headers=org.people["admin"].headers)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "manager"
    # The token still says "agent of unit A": refused now, not at its expiry.
    refused = await client.get("/api/v1/me/", headers=agent.headers)
    assert refused.status_code == 401
    device = await Device.select(Device.revoked_reason).where(Device.id == agent.device_id).first()
    assert device is not None and device["revoked_reason"] == "role_changed"
    entries = await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.document_id == agent.user_id)
    assert "user.updated" in [e["action"] for e in entries]


async def test_deactivation_and_the_last_admin(client: httpx.AsyncClient) -> None:
    org = await make_org()
    admin = org.people["admin"]
    manager = org.people["manager_a"]
    # A delegation the manager gave ends with the deactivation.
    start = datetime.now(UTC) - timedelta(hours=1)
    made = await client.post(f"{API}/delegations", json={
        "delegator_id": str(manager.user_id), "delegate_id": str(org.people["manager_b"].user_id),
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(days=3)).isoformat()},
        headers=admin.headers)
    assert made.status_code == 201, made.text
    response = await client.post(f"{API}/people/{manager.user_id}/deactivate",
                                 headers=admin.headers)
    assert response.status_code == 200 and response.json()["person"]["is_active"] is False
    assert response.json()["without_approver"] == []  # the head unit's manager takes over
    assert (await client.get("/api/v1/me/", headers=manager.headers)).status_code == 401
    delegations = (await client.get(f"{API}/delegations", headers=admin.headers)).json()
    assert [d["active"] for d in delegations if d["id"] == made.json()["id"]] == [False]
    # Unit A's agent's requests now go up to the head unit's manager.
    from backend.accounts.services import approvers_for

    assert await approvers_for(org.people["agent_a"].user_id, datetime.now(UTC)) == [
        org.people["head"].user_id]
    # The only admin cannot deactivate themselves nor stop being admin.
    response = await client.post(f"{API}/people/{admin.user_id}/deactivate",
                                 headers=admin.headers)
    assert response.status_code == 409 and _code(response) == "ADMIN_LAST"
    response = await client.patch(f"{API}/people/{admin.user_id}", json={"role": "agent"},
                                  headers=admin.headers)
    assert response.status_code == 409 and _code(response) == "ADMIN_LAST"
    row = await User.select(User.role, User.is_active).where(User.id == admin.user_id).first()
    assert row == {"role": "admin", "is_active": True}
    # The head unit's manager gone too: unit A's agents and unit B's manager... flagged.
    response = await client.post(f"{API}/people/{org.people['head'].user_id}/deactivate",
                                 headers=admin.headers)
    flagged = {p["id"] for p in response.json()["without_approver"]}
    assert {str(org.people["agent_a"].user_id), str(org.people["agent_a2"].user_id),
            str(org.people["manager_b"].user_id)} <= flagged
    assert str(org.people["agent_b"].user_id) not in flagged  # manager B still decides
    second = await make_person("admin", organisation_id=org.id, unit_id=org.head_unit_id)
    response = await client.post(f"{API}/people/{admin.user_id}/deactivate",
                                 headers=second.headers)
    assert response.status_code == 200


async def test_supplier_company_siret_checks(client: httpx.AsyncClient) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    number = siret()
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = await client.post(f"{API}/supplier-companies",
                                 json={"name": "Mauvais", "siret": bad}, headers=headers)
    assert response.status_code == 400 and _code(response) == "SIRET_INVALID"
    spaced = f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}"
    response = await client.post(f"{API}/supplier-companies",
                                 json={"name": "Bon", "siret": spaced}, headers=headers)
    assert response.status_code == 201 and response.json()["siret"] == number
    again = await client.post(f"{API}/supplier-companies",
                              json={"name": "Bon", "siret": number}, headers=headers)
    assert again.status_code == 409 and _code(again) == "SIRET_TAKEN"
    # La Poste: SIREN 356000000, digits summing to a multiple of 5, Luhn not required.
    poste = "35600000000048"
    response = await client.post(f"{API}/supplier-companies",
                                 json={"name": "La Poste", "siret": poste}, headers=headers)
    assert response.status_code in (201, 409), response.text


async def test_integration_keys_lifecycle(client: httpx.AsyncClient) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    made = await client.post(f"{API}/integration-keys", json={"name": "Chorus"}, headers=headers)
    assert made.status_code == 201
    key = made.json()["key"]
    # An event without its status part: rejected by the API, but only once the key is accepted.
    events = {"events": [{"event_id": f"probe-{org.id}", "type": "invoice.status",
                          "occurred_at": datetime.now(UTC).isoformat()}]}
    assert (await client.post("/integration/v1/events", json=events,
                              headers={"X-Api-Key": key})).status_code == 200
    listed = (await client.get(f"{API}/integration-keys", headers=headers)).json()
    assert [k["key"] for k in listed] == [None]
    # The only key: revoking it is refused unless confirmed; a rotation replaces it.
    response = await client.delete(f"{API}/integration-keys/{made.json()['id']}", headers=headers)
    assert response.status_code == 409 and _code(response) == "INTEGRATION_KEY_IN_USE"
    assert (await client.post("/integration/v1/events", json=events,
                              headers={"X-Api-Key": key})).status_code == 200
    rotated = await client.post(f"{API}/integration-keys/{made.json()['id']}/rotate",
                                headers=headers)
    assert rotated.status_code == 201
    new_key = rotated.json()["key"]
    assert (await client.post("/integration/v1/events", json=events,
                              headers={"X-Api-Key": key})).status_code == 401
    assert (await client.post("/integration/v1/events", json=events,
                              headers={"X-Api-Key": new_key})).status_code == 200
    response = await client.delete(
        f"{API}/integration-keys/{rotated.json()['id']}?confirm_last=true", headers=headers)
    assert response.status_code == 204
    assert (await client.post("/integration/v1/events", json=events,
                              headers={"X-Api-Key": new_key})).status_code == 401


async def test_rule_set_versions_never_rewrite_the_past(client: httpx.AsyncClient) -> None:
    org = await make_org()
    headers = org.people["admin"].headers
    versions = (await client.get(f"{API}/rule-sets", headers=headers)).json()
    assert [v["name"] for v in versions] == ["state-2019", "state-2023"]
    current = versions[-1]["rules"]
    from_date = date.today() + timedelta(days=30)
    past = {**current, "name": "ministere-2020", "valid_from": "2020-01-01", "meal_cap_cents": 2500}
    response = await client.post(f"{API}/rule-sets", json=past, headers=headers)
    assert response.status_code == 400 and _code(response) == "RULE_SET_IN_PAST"
    new = {**current, "name": "ministere-2027", "valid_from": from_date.isoformat(),
           "meal_cap_cents": 2500}
    response = await client.post(f"{API}/rule-sets", json=new, headers=headers)
    assert response.status_code == 201, response.text
    versions = response.json()
    assert [v["name"] for v in versions] == ["state-2019", "state-2023", "ministere-2027"]
    assert [v["in_force_today"] for v in versions] == [False, True, False]
    assert versions[1]["rules"] == current  # the version in force today is untouched
    from backend.policy.rules import rule_set_at
    from backend.policy.services import rule_sets_for

    stored = await rule_sets_for(org.id)
    assert rule_set_at(stored, date.today()).meal_cap_cents == 2000  # type: ignore[union-attr]
    assert rule_set_at(stored, from_date).meal_cap_cents == 2500  # type: ignore[union-attr]
    again = await client.post(f"{API}/rule-sets", json=new, headers=headers)
    assert again.status_code == 409 and _code(again) == "RULE_SET_NAME_TAKEN"


async def test_supplier_registration_refusals(app: Any, client: httpx.AsyncClient,
                                              unique: str) -> None:
    import random

    address = f"10.9.{random.randint(0, 255)}.{random.randint(1, 254)}"
    transport = httpx.ASGITransport(app=app, client=(address, 40123))
    org = await make_org()
    headers = org.people["admin"].headers
    number = siret()
    body = {"siret": number, "company_name": "Menuiserie Martin", "full_name": "Luc Martin",
            "email": f"luc-{unique}@menuiserie.fr", "password": "menuiserie-2026"}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as anon:
        first = await anon.post("/api/v1/onboarding/supplier-registrations", json=body)
        assert first.status_code == 201 and first.json()["company_known"] is False
        twice = await anon.post("/api/v1/onboarding/supplier-registrations", json=body)
        assert twice.status_code == 409 and _code(twice) == "EMAIL_TAKEN"
        short = await anon.post("/api/v1/onboarding/supplier-registrations",
                                json={**body, "email": f"x-{unique}@m.fr", "password": "court"})
        assert short.status_code == 400 and _code(short) == "PASSWORD_TOO_SHORT"
        refused = await client.post(
            f"{API}/supplier-registrations/{first.json()['id']}/refuse", headers=headers)
        assert refused.status_code == 200 and refused.json()["status"] == "refused"
        late = await client.post(
            f"{API}/supplier-registrations/{first.json()['id']}/approve", headers=headers)
        assert late.status_code == 409 and _code(late) == "REGISTRATION_DECIDED"
        assert (await anon.post("/api/v1/auth/login", json={
            "email": body["email"], "password": body["password"]})).status_code == 401
        # A burst from one address is slowed down.
        answers = [(await anon.post("/api/v1/onboarding/supplier-registrations",
                                    json={**body, "siret": "1"})).status_code
                   for _ in range(12)]
        assert answers[0] == 400 and answers[-1] == 429
    forbidden = await client.get(f"{API}/supplier-registrations",
                                 headers=org.people["supplier"].headers)
    assert forbidden.status_code == 403
