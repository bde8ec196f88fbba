"""``nomade seed-demo``: a believable French ministry with its people and suppliers.

Idempotent: every row has a deterministic id (uuid5) and is inserted only when missing, so a
second run changes nothing (except moving the demo delegation forward once it has ended, so one
delegation is always active). After the accounts part, the domain seeders listed in
``backend.composition.SEEDERS`` run with a :class:`SeedContext`.

Demo logins, all with the password ``nomade-demo``:

* ``direction@demo.nomade.fr`` — head of the Secrétariat général (the head unit's manager: the
  three unit managers' own requests go to her);
* ``manager1@`` … ``manager3@demo.nomade.fr`` — managers of the three units; ``manager1``
  delegates approvals to ``manager2`` for two weeks from the first seeding;
* ``agent1@`` … ``agent10@demo.nomade.fr`` — agents (1–4 in unit 1, 5–7 in unit 2, 8–10 in unit 3);
* ``backoffice@demo.nomade.fr``, ``admin@demo.nomade.fr``;
* ``supplier1@`` … ``supplier5@demo.nomade.fr`` — one user per supplier company
  (``supplier5`` reads English).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import cast
from uuid import UUID, uuid5

from backend.accounts import services
from backend.accounts.hierarchy import DelegationPeriod, delegation_is_active
from backend.accounts.passwords import hash_secret
from backend.accounts.tables import Delegation, Organisation, SupplierCompany, Unit, User
from kernel.actor import Role
from kernel.settings import Settings, get_settings

__all__ = (
    "DEMO_PASSWORD",
    "DemoRefusedError",
    "SeedContext",
    "check_demo_allowed",
    "demo_id",
    "seed_accounts",
    "seed_demo",
)

DEMO_PASSWORD = "nomade-demo"  # noqa: S105 - documented demo password
DEMO_DOMAIN = "demo.nomade.fr"
_NAMESPACE = UUID("5b0e7a3c-2f51-4d5e-9a1c-6e6f6d616465")


def demo_id(name: str) -> UUID:
    """The fixed id of the demo row called ``name`` (the same on every machine and run)."""
    return uuid5(_NAMESPACE, f"nomade-demo:{name}")


@dataclass(frozen=True)
class SeedContext:
    """The demo people and places, for the domain seeders.

    ``agent_unit_ids[i]`` is the unit of ``agent_ids[i]``; ``manager_ids[i]`` manages
    ``unit_ids[i]``; ``supplier_user_ids[i]`` works for ``supplier_company_ids[i]``.
    """

    now: datetime
    organisation_id: UUID
    head_unit_id: UUID
    unit_ids: tuple[UUID, ...]
    head_manager_id: UUID
    manager_ids: tuple[UUID, ...]
    agent_ids: tuple[UUID, ...]
    agent_unit_ids: tuple[UUID, ...]
    back_office_id: UUID
    admin_id: UUID
    supplier_company_ids: tuple[UUID, ...]
    supplier_user_ids: tuple[UUID, ...]
    delegation_id: UUID
    password: str = DEMO_PASSWORD


ORGANISATION = ("Ministère de la Transition écologique (démo)", "11004301500012", "MTE-SG-75")
HEAD_UNIT = ("Secrétariat général", "SG")
UNITS = (
    ("Direction des affaires financières", "DAF"),
    ("Direction du numérique", "DNUM"),
    ("Direction régionale Île-de-France", "DRIEAT"),
)
HEAD_MANAGER = "Hélène Laurent"
MANAGERS = ("Claire Martin", "Julien Bernard", "Sophie Dubois")
AGENTS = (
    ("Léa Petit", 0), ("Thomas Durand", 0), ("Camille Leroy", 0), ("Hugo Moreau", 0),
    ("Chloé Simon", 1), ("Lucas Michel", 1), ("Manon Lefebvre", 1),
    ("Nathan Garcia", 2), ("Inès Roux", 2), ("Louis Fournier", 2),
)
SUPPLIERS = (
    ("Papeterie Durand et Fils SARL", "48230158700010", "Marc Durand", "fr"),
    ("Transports Lefèvre Express SAS", "51248693300017", "Nadia Lefèvre", "fr"),
    ("Informatique Bretagne Services", "39710245600019", "Yann Le Goff", "fr"),
    ("Traiteur Les Halles de Lyon", "80537914200013", "Sandrine Morel", "fr"),
    ("Nettoyage Provence Propreté", "79203186400012", "Karim Benali", "en"),
)
DELEGATION_DAYS = 14


class _Tally:
    def __init__(self) -> None:
        self.created: dict[str, int] = {}
        self.kept: dict[str, int] = {}

    def note(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.kept
        bucket[kind] = bucket.get(kind, 0) + 1

    def print(self) -> None:
        for kind in sorted(set(self.created) | set(self.kept)):
            print(f"seed-demo: {kind}: {self.created.get(kind, 0)} created, "
                  f"{self.kept.get(kind, 0)} already there")


async def seed_accounts(now: datetime | None = None) -> SeedContext:
    """The demo organisation, units, people, suppliers and delegation (insert if missing)."""
    now = now or datetime.now(UTC)
    tally = _Tally()
    password_hash: str | None = None

    async def demo_hash() -> str:
        nonlocal password_hash
        if password_hash is None:
            password_hash = await asyncio.to_thread(hash_secret, DEMO_PASSWORD)
        return password_hash

    organisation_id = demo_id("organisation")
    exists = await Organisation.exists().where(Organisation.id == organisation_id)
    if not exists:
        name, siret, code = ORGANISATION
        await services.create_organisation(name=name, siret=siret, code_service=code,
                                           id=organisation_id)
    tally.note("organisation", not exists)

    async def unit(key: str, name: str, code: str, parent: UUID | None) -> UUID:
        unit_id = demo_id(key)
        exists = await Unit.exists().where(Unit.id == unit_id)
        if not exists:
            await services.create_unit(organisation_id=organisation_id, name=name,
                                       code_service=code, parent_id=parent, id=unit_id)
        tally.note("units", not exists)
        return unit_id

    head_unit_id = await unit("unit:head", *HEAD_UNIT, None)
    unit_ids = tuple(
        [await unit(f"unit:{i}", name, code, head_unit_id) for i, (name, code) in
         enumerate(UNITS, 1)]
    )

    async def person(local: str, full_name: str, role: Role, *, unit_id: UUID | None = None,
                     company_id: UUID | None = None, language: str = "fr") -> UUID:
        user_id = demo_id(f"user:{local}")
        exists = await User.exists().where(User.id == user_id)
        if not exists:
            await services.create_user(
                email=f"{local}@{DEMO_DOMAIN}", full_name=full_name, role=role,
                password_hash=await demo_hash(),
                organisation_id=None if role == "supplier" else organisation_id,
                unit_id=unit_id, supplier_company_id=company_id, language=language, id=user_id,
            )
        tally.note("users", not exists)
        return user_id

    head_manager_id = await person("direction", HEAD_MANAGER, "manager", unit_id=head_unit_id)
    manager_ids = tuple(
        [await person(f"manager{i}", name, "manager", unit_id=unit_ids[i - 1])
         for i, name in enumerate(MANAGERS, 1)]
    )
    agent_ids = tuple(
        [await person(f"agent{i}", name, "agent", unit_id=unit_ids[index])
         for i, (name, index) in enumerate(AGENTS, 1)]
    )
    back_office_id = await person("backoffice", "Patrick Girard", "back_office",
                                  unit_id=head_unit_id)
    admin_id = await person("admin", "Administratrice Nomade", "admin", unit_id=head_unit_id)

    company_ids: list[UUID] = []
    supplier_user_ids: list[UUID] = []
    for i, (company, siret, contact, language) in enumerate(SUPPLIERS, 1):
        company_id = demo_id(f"supplier_company:{i}")
        exists = await SupplierCompany.exists().where(SupplierCompany.id == company_id)
        if not exists:
            await services.create_supplier_company(name=company, siret=siret, id=company_id)
        tally.note("supplier companies", not exists)
        company_ids.append(company_id)
        supplier_user_ids.append(
            await person(f"supplier{i}", contact, "supplier", company_id=company_id,
                         language=language)
        )

    delegation_id = await _ensure_delegation(
        organisation_id, manager_ids[0], manager_ids[1], now, tally
    )
    tally.print()
    return SeedContext(
        now=now,
        organisation_id=organisation_id,
        head_unit_id=head_unit_id,
        unit_ids=unit_ids,
        head_manager_id=head_manager_id,
        manager_ids=manager_ids,
        agent_ids=agent_ids,
        agent_unit_ids=tuple(unit_ids[index] for _, index in AGENTS),
        back_office_id=back_office_id,
        admin_id=admin_id,
        supplier_company_ids=tuple(company_ids),
        supplier_user_ids=tuple(supplier_user_ids),
        delegation_id=delegation_id,
    )


async def _ensure_delegation(organisation_id: UUID, delegator: UUID, delegate: UUID,
                             now: datetime, tally: _Tally) -> UUID:
    """manager1 → manager2 for two weeks from today; moved forward once it has ended."""
    delegation_id = demo_id("delegation:manager1->manager2")
    starts = datetime.combine(now.date(), time(0, 0), tzinfo=UTC)
    ends = starts + timedelta(days=DELEGATION_DAYS)
    row = await Delegation.select(Delegation.starts_at, Delegation.ends_at,
                                  Delegation.revoked_at).where(
        Delegation.id == delegation_id
    ).first()
    if row is None:
        await Delegation.insert(
            Delegation(id=delegation_id, organisation=organisation_id, delegator=delegator,
                       delegate=delegate, starts_at=starts, ends_at=ends)
        ).run()
        tally.note("delegations", True)
        return delegation_id
    period = DelegationPeriod(
        delegator, delegate, services.as_utc(row["starts_at"]), services.as_utc(row["ends_at"]),
        services.as_utc(row["revoked_at"]) if row["revoked_at"] is not None else None,
    )
    if not delegation_is_active(period, now):
        await Delegation.update(
            {Delegation.starts_at: starts, Delegation.ends_at: ends, Delegation.revoked_at: None}
        ).where(Delegation.id == delegation_id)
        print(f"seed-demo: delegation manager1 → manager2 renewed until {ends:%Y-%m-%d}")
    tally.note("delegations", False)
    return delegation_id


Seeder = Callable[[SeedContext], Awaitable[None]]


class DemoRefusedError(SystemExit):
    """Demo accounts share a published password: never in production."""


def check_demo_allowed(settings: Settings) -> None:
    """Refuse to seed the demo (a published password) in production."""
    if settings.environment == "production":
        raise DemoRefusedError(
            "seed-demo refused: demo accounts share a published password and must never exist "
            "in production (NOMADE_ENV=production)"
        )


async def seed_demo() -> None:
    """The whole demo: accounts, then each domain seeder of ``backend.composition.SEEDERS``."""
    from backend.composition import SEEDERS, bootstrap

    check_demo_allowed(get_settings())
    bootstrap()
    context = await seed_accounts()
    for path in SEEDERS:
        seeder = cast(Seeder, importlib.import_module(path).seed)
        print(f"seed-demo: {path} …")
        await seeder(context)
    print(f"seed-demo: done. Demo logins: agent1@{DEMO_DOMAIN} … agent10, manager1 … manager3, "
          f"direction, backoffice, admin, supplier1 … supplier5 (@{DEMO_DOMAIN}); "
          f"password {DEMO_PASSWORD!r}")
