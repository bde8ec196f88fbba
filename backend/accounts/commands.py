"""``nomade create-user``: add a person from the command line.

The password is read from standard input when it is not a terminal (``echo pw | nomade
create-user ...``), else asked twice without echo. The organisation and the supplier company are
named by their SIRET, the unit by its name (or code service) within the organisation.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from uuid import UUID

from backend.accounts import services
from backend.accounts.siret import is_valid_siret, normalise_siret
from backend.accounts.tables import Organisation, SupplierCompany, Unit
from kernel.errors import DomainError

__all__ = ("MIN_PASSWORD_LENGTH", "CommandError", "create_user")

MIN_PASSWORD_LENGTH = 8
_NEEDS_ORGANISATION = ("agent", "manager", "back_office")
_NEEDS_UNIT = ("agent", "manager")


class CommandError(Exception):
    """A refusal explained to the person at the terminal."""


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        raise CommandError("the two passwords differ")
    return first


def _siret(raw: str, what: str) -> str:
    siret = normalise_siret(raw)
    if not is_valid_siret(siret):
        raise CommandError(f"invalid {what} SIRET {raw!r}: 14 digits with a valid check digit")
    return siret


async def _organisation(raw: str) -> UUID:
    siret = _siret(raw, "organisation")
    row = await Organisation.select(Organisation.id).where(Organisation.siret == siret).first()
    if row is None:
        raise CommandError(f"no organisation with SIRET {siret}")
    organisation_id: UUID = row["id"]
    return organisation_id


async def _unit(organisation_id: UUID, name: str) -> UUID:
    """The unit called ``name`` (or whose code service is ``name``), case ignored."""
    rows = await Unit.select(Unit.id, Unit.name, Unit.code_service).where(
        Unit.organisation == organisation_id
    )
    wanted = name.strip().casefold()
    for row in rows:
        if wanted in (row["name"].casefold(), row["code_service"].casefold()):
            unit_id: UUID = row["id"]
            return unit_id
    known = ", ".join(sorted(f"{row['name']!r} ({row['code_service']})" for row in rows))
    raise CommandError(f"no unit named {name!r} in this organisation (units: {known or 'none'})")


async def _supplier_company(raw: str) -> UUID:
    siret = _siret(raw, "supplier")
    row = await SupplierCompany.select(SupplierCompany.id).where(
        SupplierCompany.siret == siret
    ).first()
    if row is None:
        raise CommandError(f"no supplier company with SIRET {siret}")
    company_id: UUID = row["id"]
    return company_id


async def _create(args: argparse.Namespace) -> UUID:
    role = args.role
    organisation_id = unit_id = company_id = None
    if role == "supplier":
        if not args.supplier_siret:
            raise CommandError("a supplier needs --supplier-siret (their company)")
        if args.organisation_siret or args.unit:
            raise CommandError("a supplier belongs to a company, not to an organisation or unit")
        company_id = await _supplier_company(args.supplier_siret)
    else:
        if args.supplier_siret:
            raise CommandError("--supplier-siret is only for suppliers")
        if args.organisation_siret:
            organisation_id = await _organisation(args.organisation_siret)
        elif role in _NEEDS_ORGANISATION:
            raise CommandError(f"a {role} needs --organisation-siret")
        if args.unit:
            if organisation_id is None:
                raise CommandError("--unit needs --organisation-siret")
            unit_id = await _unit(organisation_id, args.unit)
        elif role in _NEEDS_UNIT:
            raise CommandError(f"a {role} needs --unit (the unit's name)")
    password = _read_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CommandError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    try:
        return await services.create_user(
            email=args.email, full_name=args.name, role=role, password=password,
            organisation_id=organisation_id, unit_id=unit_id, supplier_company_id=company_id,
            language=args.language,
        )
    except DomainError as exc:
        if exc.code == "EMAIL_TAKEN":
            raise CommandError(f"a user with email {args.email!r} already exists") from exc
        if exc.code == "VALIDATION_FAILED":
            raise CommandError(f"invalid email address {args.email!r}") from exc
        raise CommandError(exc.problem.en) from exc


async def create_user(args: argparse.Namespace) -> int:
    """Create the user described by ``args``; 0 on success, 1 with a message on stderr."""
    try:
        user_id = await _create(args)
    except CommandError as exc:
        print(f"nomade create-user: error: {exc}", file=sys.stderr)
        return 1
    email = services.normalise_email(args.email)
    print(f"nomade create-user: created {email} ({args.role}), id {user_id}")
    return 0
