"""The first steps on the command line: ``nomade init``, ``nomade import-people``,
``nomade invite``.

``init`` makes, on an empty database, the first organisation (its kind sets the legal payment
deadline; the State's expense rules become its first rule set versions) and its first admin.
The password is read from standard input when it is not a terminal, else asked twice.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from uuid import UUID, uuid4

from backend.accounts import services
from backend.accounts.passwords import hash_secret
from backend.accounts.tables import Organisation, User
from backend.administration.common import COMMAND_LINE_DEVICE, audit
from backend.administration.importing import import_chart
from backend.administration.people import MIN_PASSWORD_LENGTH, invite
from backend.administration.platform import mark_platform
from backend.administration.suppliers import checked_siret
from backend.policy.services import seed_state_defaults
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = ("import_people_command", "init_command", "invite_command")


class _Refused(Exception):
    """A refusal explained to the person at the terminal."""


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Admin password: ")
    if getpass.getpass("Admin password (again): ") != first:
        raise _Refused("the two passwords differ")
    return first


async def _init(args: argparse.Namespace) -> tuple[UUID, UUID]:
    siret = checked_siret(args.organisation_siret)
    password = _read_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _Refused(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    stored = await asyncio.to_thread(hash_secret, password)
    organisation_id, admin_id = uuid4(), uuid4()
    async with UnitOfWork():
        if await User.exists().where(User.role == "admin"):
            raise DomainError("INIT_ALREADY_DONE")
        await services.create_organisation(
            id=organisation_id, name=args.organisation_name, siret=siret,
            code_service=args.code_service, kind=args.kind)
        await services.create_user(
            id=admin_id, email=args.admin_email, full_name=args.admin_name, role="admin",
            password_hash=stored, organisation_id=organisation_id, language=args.language)
        await seed_state_defaults(organisation_id)
        await mark_platform(organisation_id)
        actor = Actor(user_id=admin_id, role="admin", device_id=COMMAND_LINE_DEVICE,
                      organisation_id=organisation_id)
        await audit(actor, "organisation", organisation_id, "organisation.initialised",
                    {"kind": args.kind, "admin_email": services.normalise_email(args.admin_email)})
    return organisation_id, admin_id


def _fail(command: str, exc: Exception) -> int:
    message = exc.problem.en if isinstance(exc, DomainError) else str(exc)
    code = f"{exc.code}: " if isinstance(exc, DomainError) else ""
    print(f"nomade {command}: error: {code}{message}", file=sys.stderr)
    return 1


async def init_command(args: argparse.Namespace) -> int:
    """``nomade init``: 0 on success, 1 with a message on stderr."""
    try:
        organisation_id, admin_id = await _init(args)
    except (_Refused, DomainError) as exc:
        return _fail("init", exc)
    print(f"nomade init: organisation {args.organisation_name!r} ({args.kind}), "
          f"id {organisation_id}")
    print(f"nomade init: admin {services.normalise_email(args.admin_email)}, id {admin_id}")
    return 0


async def _admin_actor(organisation_siret: str | None) -> Actor:
    """The organisation named by SIRET (or the only one) and its first active admin, as the
    author of what the command does."""
    query = Organisation.select(Organisation.id, Organisation.siret)
    if organisation_siret:
        query = query.where(Organisation.siret == checked_siret(organisation_siret))
    organisations = await query
    if len(organisations) != 1:
        raise _Refused("no such organisation" if not organisations
                       else "several organisations: name one with --organisation-siret")
    organisation_id = organisations[0]["id"]
    admin = await User.select(User.id).where(
        (User.organisation == organisation_id) & (User.role == "admin")
        & (User.is_active == True)  # noqa: E712
    ).order_by(User.created_at).first()
    if admin is None:
        raise _Refused("the organisation has no active admin (run nomade init)")
    return Actor(user_id=admin["id"], role="admin", device_id=COMMAND_LINE_DEVICE,
                 organisation_id=organisation_id)


async def import_people_command(args: argparse.Namespace) -> int:
    """``nomade import-people FILE [--dry-run]``: 0 when the file is (or would be) applied,
    1 with every error by line on stderr (then nothing is saved)."""
    try:
        actor = await _admin_actor(args.organisation_siret)
        data = await asyncio.to_thread(Path(args.file).read_bytes)
    except (_Refused, DomainError, OSError) as exc:
        return _fail("import-people", exc)
    assert actor.organisation_id is not None
    report = await import_chart(actor=actor, organisation_id=actor.organisation_id, data=data,
                                dry_run=args.dry_run)
    for error in report.errors:
        details = f" {error.details}" if error.details else ""
        print(f"{args.file}:{error.line}: {error.code}: {error.message_en} / "
              f"{error.message_fr}{details}", file=sys.stderr)
    verb = "would be" if args.dry_run else ("were" if report.applied else "would have been")
    print(f"nomade import-people: units {report.units_created} created, {report.units_updated} "
          f"updated; people {report.people_created} created, {report.people_updated} updated; "
          f"{report.unchanged} unchanged ({verb} applied)"
          + ("" if not report.errors else f"; {len(report.errors)} error(s), nothing saved"))
    return 1 if report.errors else 0


async def invite_command(args: argparse.Namespace) -> int:
    """``nomade invite EMAIL``: print a link with which the person chooses their password."""
    try:
        row = await User.select(User.id, User.organisation, User.supplier_company).where(
            User.email == services.normalise_email(args.email)).first()
        if row is None:
            raise _Refused(f"no user with email {args.email!r}")
        siret = args.organisation_siret
        if row["organisation"] is not None and not siret:
            found = await Organisation.select(Organisation.siret).where(
                Organisation.id == row["organisation"]).first()
            siret = found["siret"] if found else None
        actor = await _admin_actor(siret)
        made = await invite(actor=actor, user_id=row["id"],
                            supplier=row["supplier_company"] is not None)
    except (_Refused, DomainError) as exc:
        return _fail("invite", exc)
    base = args.base_url.rstrip("/")
    print(f"{base}{made.link}")
    print(f"nomade invite: valid until {made.expires_at:%Y-%m-%d %H:%M} UTC, once",
          file=sys.stderr)
    return 0
