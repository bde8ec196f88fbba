"""Accounts services: people, organisations, devices, and who approves for whom.

Other domains call the organisation helpers (:func:`managers_of`, :func:`approvers_for`,
:func:`can_approve_for`, :func:`units_managed_by`, :func:`approvees_of`); the hierarchy rules
themselves are pure functions in :mod:`backend.accounts.hierarchy`. Signing in, refresh and PIN
live in :mod:`backend.accounts.sessions`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from backend.accounts import codes as _codes  # noqa: F401 - registers the error codes
from backend.accounts.device_check import device_revoked
from backend.accounts.hierarchy import DelegationPeriod, Member, OrgChart
from backend.accounts.hierarchy import approvers as _approvers
from backend.accounts.hierarchy import lenders_to as _lenders_to
from backend.accounts.hierarchy import units_managed as _units_managed
from backend.accounts.passwords import hash_secret
from backend.accounts.rows import UserRecord
from backend.accounts.schemas import DeviceOut, UserOut
from backend.accounts.siret import is_valid_siret, normalise_siret
from backend.accounts.tables import Delegation, Device, Organisation, SupplierCompany, Unit, User
from kernel.actor import ROLES, Actor, Role
from kernel.coerce import as_optional_uuid
from kernel.errors import DomainError
from kernel.reads import READ_IN_SCOPE

__all__ = (
    "approvees_of",
    "approvers_for",
    "as_utc",
    "can_approve_for",
    "create_organisation",
    "create_supplier_company",
    "create_unit",
    "create_user",
    "forget_organisation_reads",
    "get_me",
    "is_email",
    "kinds_of",
    "lenders_for",
    "list_devices",
    "load_org_chart",
    "managers_of",
    "normalise_email",
    "revoke_device",
    "units_managed_by",
    "update_me",
    "user_out",
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_T = TypeVar("_T")


def as_utc(value: Any) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite may hand back naive ones)."""
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_email(address: str) -> bool:
    """Whether a normalised address looks like an email address."""
    return bool(_EMAIL.match(address))


def normalise_email(raw: str) -> str:
    """Emails are stored and compared trimmed and lower-cased."""
    return raw.strip().lower()


def user_out(row: UserRecord) -> UserOut:
    """A ``User`` row as the API shows it."""
    return UserOut(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        role=row["role"],
        language=row["language"],
        organisation_id=row["organisation"],
        unit_id=row["unit"],
        supplier_company_id=row["supplier_company"],
    )


# --- the organisation and its hierarchy -------------------------------------------------------

# What one request has already read of organisations (charts, members), in the platform's
# read-once scope (kernel.reads): opened per request by the auth middleware and around a pull's
# visibility questions; outside one (jobs, CLI) nothing is remembered.
_read_in_request = READ_IN_SCOPE


async def _once(kind: str, key: UUID, load: Callable[[], Awaitable[_T]]) -> _T:
    read = _read_in_request.get()
    if read is None:
        return await load()
    if (kind, key) not in read:
        read[(kind, key)] = await load()
    found: _T = read[(kind, key)]
    return found


def forget_organisation_reads() -> None:
    """After a change to units, managers or delegations: the request reads them afresh."""
    read = _read_in_request.get()
    if read:
        read.clear()


async def managers_of(unit_id: UUID) -> list[UUID]:
    """The active managers of ``unit_id`` (no delegates; no walk up the tree)."""
    rows = await User.select(User.id).where(
        (User.unit == unit_id) & (User.role == "manager") & (User.is_active == True)  # noqa: E712
    ).order_by(User.email)
    return [row["id"] for row in rows]


async def load_org_chart(organisation_id: UUID) -> OrgChart:
    """Units, their active managers and every delegation of an organisation, in three queries
    (once per request)."""
    return await _once("chart", organisation_id, lambda: _read_org_chart(organisation_id))


async def _read_org_chart(organisation_id: UUID) -> OrgChart:
    units = await Unit.select(Unit.id, Unit.parent).where(Unit.organisation == organisation_id)
    managers = await User.select(User.id, User.unit).where(
        (User.organisation == organisation_id)
        & (User.role == "manager")
        & (User.is_active == True)  # noqa: E712
    )
    delegations = await Delegation.select(
        Delegation.delegator, Delegation.delegate, Delegation.starts_at, Delegation.ends_at,
        Delegation.revoked_at, Delegation.kinds,
    ).where(Delegation.organisation == organisation_id)
    by_unit: dict[UUID, set[UUID]] = {}
    for row in managers:
        if row["unit"] is not None:
            by_unit.setdefault(row["unit"], set()).add(row["id"])
    return OrgChart(
        parents={row["id"]: row["parent"] for row in units},
        managers={unit: frozenset(ids) for unit, ids in by_unit.items()},
        delegations=tuple(
            DelegationPeriod(
                delegator_id=row["delegator"],
                delegate_id=row["delegate"],
                starts_at=as_utc(row["starts_at"]),
                ends_at=as_utc(row["ends_at"]),
                revoked_at=as_utc(row["revoked_at"]) if row["revoked_at"] is not None else None,
                kinds=kinds_of(row["kinds"]),
            )
            for row in delegations
        ),
    )


# A person's organisation, its units, active people and delegations in one statement (a
# manager's pull asks for their approvees: five Piccolo selects before). Typed NULLs in the
# first branch fix the column types on PostgreSQL; SQLite hands back text for them.
_PERSON_AND_CHART = (
    "SELECT 'o' AS k, organisation AS a, CAST(NULL AS UUID) AS b, CAST(NULL AS TEXT) AS c, "
    "CAST(NULL AS TIMESTAMPTZ) AS s, CAST(NULL AS TIMESTAMPTZ) AS e, "
    "CAST(NULL AS TIMESTAMPTZ) AS r FROM app_user WHERE id = {} "
    "UNION ALL SELECT 'u', id, parent, NULL, NULL, NULL, NULL FROM unit "
    "WHERE organisation = (SELECT organisation FROM app_user WHERE id = {}) "
    "UNION ALL SELECT 'p', id, unit, role, NULL, NULL, NULL FROM app_user "
    "WHERE organisation = (SELECT organisation FROM app_user WHERE id = {}) AND is_active = {} "
    "UNION ALL SELECT 'd', delegator, delegate, kinds, starts_at, ends_at, revoked_at "
    "FROM delegation WHERE organisation = (SELECT organisation FROM app_user WHERE id = {})")

_MISSING: Any = object()


def _remembered(kind: str, key: UUID) -> Any:
    read = _read_in_request.get()
    return _MISSING if read is None else read.get((kind, key), _MISSING)


def _remember(kind: str, key: UUID, value: Any) -> None:
    read = _read_in_request.get()
    if read is not None:
        read[(kind, key)] = value


def _as_time(value: Any) -> datetime | None:
    return value if value is None or isinstance(value, datetime) else datetime.fromisoformat(
        str(value))


@dataclass(frozen=True)
class _Person:
    """An active person of an organisation, as the chart places them."""

    id: UUID
    unit: UUID | None
    role: str


async def _person_and_chart(user_id: UUID) -> tuple[OrgChart | None, list[_Person]]:
    """(chart, active people) of ``user_id``'s organisation (None: outside any), from what
    the request read already or in one statement (remembered for the request)."""
    organisation_id = _remembered("organisation_of", user_id)
    if organisation_id is None:
        return None, []
    if organisation_id is not _MISSING:
        known = _remembered("chart", organisation_id), _remembered("people", organisation_id)
        if known[0] is not _MISSING and known[1] is not _MISSING:
            return known[0], known[1]
    postgres = User._meta.db.engine_type == "postgres"
    key = user_id if postgres else str(user_id)
    rows = await User.raw(_PERSON_AND_CHART, key, key, key, True, key)
    parents: dict[UUID, UUID | None] = {}
    people: list[_Person] = []
    delegations: list[DelegationPeriod] = []
    organisation_id = None
    for row in rows:
        kind, a, b = row["k"], as_optional_uuid(row["a"]), as_optional_uuid(row["b"])
        if kind == "o":
            organisation_id = a
        elif kind == "u" and a is not None:
            parents[a] = b
        elif kind == "p" and a is not None:
            people.append(_Person(a, b, row["c"]))
        elif kind == "d":
            revoked = _as_time(row["r"])
            delegations.append(DelegationPeriod(
                delegator_id=a, delegate_id=b,  # type: ignore[arg-type]
                starts_at=as_utc(_as_time(row["s"])), ends_at=as_utc(_as_time(row["e"])),
                revoked_at=as_utc(revoked) if revoked is not None else None,
                kinds=kinds_of(row["c"])))
    _remember("organisation_of", user_id, organisation_id)
    if organisation_id is None:
        return None, []
    by_unit: dict[UUID, set[UUID]] = {}
    for person in people:
        if person.role == "manager" and person.unit is not None:
            by_unit.setdefault(person.unit, set()).add(person.id)
    chart = OrgChart(parents=parents,
                     managers={unit: frozenset(ids) for unit, ids in by_unit.items()},
                     delegations=tuple(delegations))
    _remember("chart", organisation_id, chart)
    _remember("people", organisation_id, people)
    return chart, people


async def full_name_of(user_id: UUID) -> str:
    """A person's name as their managers see it on requests ("" for an unknown id)."""
    row = await User.select(User.full_name).where(User.id == user_id).first()
    return str(row["full_name"]) if row else ""


async def _member(user_id: UUID) -> tuple[Member, UUID] | None:
    row = await User.select(User.id, User.unit, User.role, User.organisation).where(
        (User.id == user_id) & (User.is_active == True)  # noqa: E712
    ).first()
    if row is None or row["organisation"] is None:
        return None
    return Member(row["id"], row["unit"], row["role"] == "manager"), row["organisation"]


def kinds_of(stored: str | None) -> frozenset[str]:
    """A delegation's stored kinds ("mission,claim") as a set (empty: every kind)."""
    return frozenset(k for k in (stored or "").split(",") if k)


async def approvers_for(user_id: UUID, at: datetime, level: int = 0,
                        kind: str | None = None) -> list[UUID]:
    """Who may approve ``user_id``'s missions and expense claims at ``at``.

    The managers of the person's unit (of the parent unit when the person is a manager; further
    up when a unit has none), plus whoever holds an active delegation from those managers at
    ``at`` (for requests of ``kind``; None: any). Never the person themselves. Empty for
    someone outside any organisation. A request escalated ``level`` times goes to the managers
    that many levels further up (:func:`backend.accounts.hierarchy.deciding_managers`).
    """
    found = await _member(user_id)
    if found is None:
        return []
    member, organisation_id = found
    chart = await load_org_chart(organisation_id)
    return sorted(_approvers(chart, member, as_utc(at), level, kind))


async def can_approve_for(actor: Actor, subject_user_id: UUID, at: datetime,
                          level: int = 0, kind: str | None = None) -> bool:
    """Whether ``actor`` may decide on ``subject_user_id``'s requests of ``kind`` at ``at`` (a
    request escalated ``level`` times: by its approvers at that level)."""
    if actor.user_id == subject_user_id or actor.organisation_id is None:
        return False
    return actor.user_id in await approvers_for(subject_user_id, at, level, kind)


async def _organisation_of(user_id: UUID) -> UUID | None:
    async def read() -> UUID | None:
        row = await User.select(User.organisation).where(User.id == user_id).first()
        return None if row is None else row["organisation"]

    return await _once("organisation_of", user_id, read)


async def units_managed_by(user_id: UUID, at: datetime, kind: str | None = None) -> list[UUID]:
    """The units ``user_id`` manages at ``at``: their own as a manager, plus the units of the
    managers who delegated to them (active delegations covering ``kind`` only)."""
    organisation_id = await _organisation_of(user_id)
    if organisation_id is None:
        return []
    chart = await load_org_chart(organisation_id)
    return sorted(_units_managed(chart, user_id, as_utc(at), kind))


async def approvees_of(user_id: UUID, at: datetime, level: int = 0,
                       kind: str | None = None) -> list[UUID]:
    """The people whose requests (of ``kind``) ``user_id`` may approve at ``at`` (the inverse
    of :func:`approvers_for`), e.g. to fill a manager's approval inbox; with ``level``, the
    people whose requests escalated that many times reach ``user_id``."""
    chart, people = await _person_and_chart(user_id)
    if chart is None:
        return []
    when = as_utc(at)
    return sorted(
        person.id
        for person in people
        if user_id in _approvers(
            chart, Member(person.id, person.unit, person.role == "manager"), when,
            level, kind)
    )


async def lenders_for(user_id: UUID, at: datetime) -> dict[UUID, list[UUID]]:
    """For each person whose requests ``user_id`` decides only as a delegate at ``at``, the
    managers they decide on behalf of (people decided in one's own right are left out)."""
    chart, people = await _person_and_chart(user_id)
    if chart is None:
        return {}
    when = as_utc(at)
    found: dict[UUID, list[UUID]] = {}
    for person in people:
        if person.id == user_id:
            continue
        member = Member(person.id, person.unit, person.role == "manager")
        lenders = _lenders_to(chart, member, user_id, when)
        if lenders:
            found[person.id] = sorted(lenders)
    return found


# --- creating organisations, supplier companies, units and users ------------------------------


def _checked_siret(raw: str) -> str:
    siret = normalise_siret(raw)
    if not is_valid_siret(siret):
        raise DomainError("SIRET_INVALID", {"siret": raw})
    return siret


async def create_organisation(
    *, name: str, siret: str, code_service: str = "", kind: str = "state", id: UUID | None = None
) -> UUID:
    """A public entity, its SIRET checked (Luhn, La Poste exception)."""
    organisation_id = id or uuid4()
    await Organisation.insert(
        Organisation(
            id=organisation_id, name=name, siret=_checked_siret(siret),
            code_service=code_service, kind=kind,
        )
    ).run()
    return organisation_id


async def create_supplier_company(*, name: str, siret: str, id: UUID | None = None) -> UUID:
    """A supplier company, its SIRET checked."""
    company_id = id or uuid4()
    await SupplierCompany.insert(
        SupplierCompany(id=company_id, name=name, siret=_checked_siret(siret))
    ).run()
    return company_id


async def create_unit(
    *, organisation_id: UUID, name: str, code_service: str = "", parent_id: UUID | None = None,
    id: UUID | None = None,
) -> UUID:
    """A unit of an organisation, under ``parent_id`` when given."""
    unit_id = id or uuid4()
    await Unit.insert(
        Unit(id=unit_id, organisation=organisation_id, name=name, code_service=code_service,
             parent=parent_id)
    ).run()
    forget_organisation_reads()
    return unit_id


async def create_user(
    *,
    email: str,
    full_name: str,
    role: Role,
    password: str = "",
    password_hash: str = "",
    organisation_id: UUID | None = None,
    unit_id: UUID | None = None,
    supplier_company_id: UUID | None = None,
    language: str = "fr",
    id: UUID | None = None,
) -> UUID:
    """A user; the password is hashed with argon2id off the event loop (or ``password_hash``
    is stored as given). Raises EMAIL_TAKEN, VALIDATION_FAILED."""
    address = normalise_email(email)
    if not _EMAIL.match(address) or role not in ROLES or language not in ("fr", "en"):
        raise DomainError("VALIDATION_FAILED", {"email": address, "role": role})
    if not (password or password_hash):
        raise DomainError("VALIDATION_FAILED", {"password": "missing"})
    if await User.exists().where(User.email == address):
        raise DomainError("EMAIL_TAKEN", {"email": address})
    user_id = id or uuid4()
    stored = password_hash or await asyncio.to_thread(hash_secret, password)
    await User.insert(
        User(
            id=user_id, email=address, full_name=full_name, password_hash=stored, role=role,
            organisation=organisation_id, unit=unit_id, supplier_company=supplier_company_id,
            language=language,
        )
    ).run()
    forget_organisation_reads()
    return user_id


# --- the signed-in user and their devices -----------------------------------------------------

_USER_COLUMNS = (
    User.id, User.email, User.full_name, User.role, User.language, User.organisation, User.unit,
    User.supplier_company,
)


async def get_me(*, actor: Actor) -> UserOut:
    """The caller's own account."""
    row = await User.select(*_USER_COLUMNS).where(User.id == actor.user_id).first()
    if row is None:
        raise DomainError("NOT_FOUND")
    return user_out(cast(UserRecord, row))


async def update_me(*, actor: Actor, language: str) -> UserOut:
    """Change the caller's language (fr or en)."""
    await User.update({User.language: language}).where(User.id == actor.user_id)
    return await get_me(actor=actor)


async def list_devices(*, actor: Actor) -> list[DeviceOut]:
    """The caller's signed-in (not revoked) devices, most recently seen first."""
    rows = await Device.select(
        Device.id, Device.name, Device.user_agent, Device.created_at, Device.last_seen_at,
        Device.pin_hash,
    ).where((Device.user == actor.user_id) & Device.revoked_at.is_null()).order_by(
        Device.last_seen_at, ascending=False
    )
    return [
        DeviceOut(
            id=row["id"],
            name=row["name"],
            user_agent=row["user_agent"],
            created_at=as_utc(row["created_at"]),
            last_seen_at=as_utc(row["last_seen_at"]),
            current=row["id"] == actor.device_id,
            has_pin=bool(row["pin_hash"]),
        )
        for row in rows
    ]


async def revoke_device(*, actor: Actor, device_id: UUID, reason: str = "revoked_by_user") -> None:
    """Sign one of the caller's devices out. Someone else's device is NOT_FOUND (never told
    apart from a missing one)."""
    updated = await Device.update(
        {Device.revoked_at: datetime.now(UTC), Device.revoked_reason: reason}
    ).where(
        (Device.id == device_id) & (Device.user == actor.user_id) & Device.revoked_at.is_null()
    ).returning(Device.id)
    if not updated:
        raise DomainError("NOT_FOUND")
    await device_revoked(device_id)
