"""Builds organisations, units, users and signed-in devices straight in the database.

Every call makes fresh, uniquely named rows, so tests never collide. ``Person.headers`` holds a
valid bearer token for the person's device (minted directly; the accounts tests sign in
through the API instead).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from backend.accounts.passwords import hash_secret
from backend.accounts.tables import Delegation, Device, Organisation, SupplierCompany, Unit, User
from backend.accounts.tokens import hash_refresh, issue_access, new_refresh
from kernel.actor import Actor, Role
from kernel.settings import get_settings

__all__ = ("PASSWORD", "Org", "Person", "make_org", "make_person", "siret")

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH: str | None = None


def siret(seed: int | None = None) -> str:
    """A random SIRET with a valid Luhn check digit."""
    rng = random.Random(seed)
    digits = [rng.randint(0, 9) for _ in range(13)]
    for check in range(10):
        candidate = [*digits, check]
        total = 0
        for index, digit in enumerate(reversed(candidate)):
            doubled = digit * 2 if index % 2 else digit
            total += doubled - 9 if doubled > 9 else doubled
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError("unreachable")


@dataclass
class Person:
    """A user with one signed-in device."""

    user_id: uuid.UUID
    email: str
    role: Role
    device_id: uuid.UUID
    token: str
    refresh_token: str
    actor: Actor

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Org:
    """An organisation with two sibling units under a head unit and a supplier company."""

    id: uuid.UUID
    siret: str
    head_unit_id: uuid.UUID
    unit_ids: list[uuid.UUID]
    supplier_company_id: uuid.UUID
    supplier_siret: str
    people: dict[str, Person] = field(default_factory=dict)


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_secret(PASSWORD)
    return _PASSWORD_HASH


async def make_person(
    role: Role,
    *,
    organisation_id: uuid.UUID | None,
    unit_id: uuid.UUID | None = None,
    supplier_company_id: uuid.UUID | None = None,
    language: str = "fr",
    label: str = "",
) -> Person:
    """A user of ``role`` with a signed-in device and a valid access token."""
    user_id, device_id = uuid.uuid4(), uuid.uuid4()
    email = f"{label or role}-{user_id.hex[:10]}@test.nomade.invalid"
    await User.insert(
        User(
            id=user_id,
            email=email,
            full_name=f"{role.title()} {user_id.hex[:4]}",
            password_hash=_password_hash(),
            role=role,
            organisation=organisation_id,
            unit=unit_id,
            supplier_company=supplier_company_id,
            language=language,
        )
    ).run()
    refresh = new_refresh()
    await Device.insert(
        Device(
            id=device_id,
            user=user_id,
            name="test device",
            refresh_hash=hash_refresh(refresh),
            refresh_expires_at=datetime.now(UTC) + timedelta(days=30),
        )
    ).run()
    actor = Actor(
        user_id=user_id,
        role=role,
        device_id=device_id,
        organisation_id=organisation_id,
        unit_id=unit_id,
        supplier_company_id=supplier_company_id,
        language=language,
    )
    token = issue_access(get_settings().secret_key, actor, 3600)
    return Person(user_id, email, role, device_id, token, refresh, actor)


async def make_org(*, with_people: bool = True) -> Org:
    """An organisation: head unit (manager ``head``) with units A and B, each a manager and two
    agents; a back-office user, an admin; a supplier company with one supplier user, and a
    second supplier company (``other_supplier``) to prove isolation.

    People keys: head, manager_a, agent_a, agent_a2, manager_b, agent_b, back_office, admin,
    supplier, other_supplier.
    """
    org_id = uuid.uuid4()
    org_siret = siret()
    await Organisation.insert(
        Organisation(id=org_id, name=f"Ministère test {org_id.hex[:6]}", siret=org_siret,
                     code_service="SG-TEST")
    ).run()
    head = uuid.uuid4()
    await Unit.insert(
        Unit(id=head, organisation=org_id, name="Direction", code_service="DIR")
    ).run()
    units = [uuid.uuid4(), uuid.uuid4()]
    for index, unit_id in enumerate(units):
        await Unit.insert(
            Unit(id=unit_id, organisation=org_id, name=f"Unité {'AB'[index]}",
                 code_service=f"U{index}", parent=head)
        ).run()
    companies = []
    for _ in range(2):
        company_id, company_siret = uuid.uuid4(), siret()
        await SupplierCompany.insert(
            SupplierCompany(
                id=company_id, name=f"Fournisseur {company_id.hex[:6]}", siret=company_siret
            )
        ).run()
        companies.append((company_id, company_siret))
    org = Org(org_id, org_siret, head, units, companies[0][0], companies[0][1])
    if not with_people:
        return org
    spec: list[tuple[str, Role, uuid.UUID | None, uuid.UUID | None]] = [
        ("head", "manager", head, None),
        ("manager_a", "manager", units[0], None),
        ("agent_a", "agent", units[0], None),
        ("agent_a2", "agent", units[0], None),
        ("manager_b", "manager", units[1], None),
        ("agent_b", "agent", units[1], None),
        ("back_office", "back_office", head, None),
        ("admin", "admin", head, None),
        ("supplier", "supplier", None, companies[0][0]),
        ("other_supplier", "supplier", None, companies[1][0]),
    ]
    for key, role, unit_id, company_id in spec:
        org.people[key] = await make_person(
            role,
            organisation_id=None if role == "supplier" else org_id,
            unit_id=unit_id,
            supplier_company_id=company_id,
            label=key.replace("_", "-"),
        )
    return org


async def delegate(org: Org, delegator: str, delegate_to: str, *, days: int = 7,
                   start_offset_days: int = -1) -> uuid.UUID:
    """A delegation of ``delegator``'s approvals to ``delegate_to`` (active now by default)."""
    delegation_id = uuid.uuid4()
    now = datetime.now(UTC)
    await Delegation.insert(
        Delegation(
            id=delegation_id,
            organisation=org.id,
            delegator=org.people[delegator].user_id,
            delegate=org.people[delegate_to].user_id,
            starts_at=now + timedelta(days=start_offset_days),
            ends_at=now + timedelta(days=start_offset_days + days),
        )
    ).run()
    return delegation_id
