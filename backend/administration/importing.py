"""Applying a CSV org chart to an organisation: all of it in one transaction, or nothing.

The file is read and checked by :mod:`backend.administration.csv_import` (pure); here the plan
is made against what is stored and, unless it is a dry run or there is an error, applied.
A person whose role or unit changes is signed out of their devices (effective at once).
"""

from __future__ import annotations

from typing import cast
from uuid import UUID, uuid4

from backend.accounts import services
from backend.accounts.sessions import announce_revoked, end_sessions
from backend.accounts.tables import Unit, User
from backend.administration.common import audit
from backend.administration.csv_import import (
    ExistingPerson,
    ExistingUnit,
    LineError,
    Plan,
    parse_chart,
    plan_import,
)
from backend.administration.people import NO_PASSWORD
from backend.administration.rows import PersonRecord, UnitRecord
from backend.administration.schemas import ImportLineError, ImportReport
from kernel.actor import Actor
from kernel.errors import CATALOGUE
from kernel.unit_of_work import UnitOfWork

__all__ = ("MAX_IMPORT_BYTES", "import_chart")

MAX_IMPORT_BYTES = 5_000_000


def _line_error(error: LineError) -> ImportLineError:
    problem = CATALOGUE[error.code]
    return ImportLineError(line=error.line, code=error.code, message_fr=problem.fr,
                           message_en=problem.en, details=error.details)


async def _stored(organisation_id: UUID, emails: list[str]) -> tuple[
        dict[str, UnitRecord], dict[str, ExistingUnit], dict[str, ExistingPerson],
        dict[str, PersonRecord]]:
    unit_rows = cast(list[UnitRecord], await Unit.select(
        Unit.id, Unit.name, Unit.code_service, Unit.parent).where(
        Unit.organisation == organisation_id))
    code_of: dict[UUID | None, str] = {row["id"]: row["code_service"] for row in unit_rows}
    by_code = {row["code_service"]: row for row in unit_rows if row["code_service"]}
    units = {code: ExistingUnit(code, row["name"], code_of.get(row["parent"], "") or "")
             for code, row in by_code.items()}
    people_rows = cast(list[PersonRecord], await User.select(
        User.id, User.email, User.full_name, User.role, User.unit, User.language,
        User.is_active, User.supplier_company, User.organisation).where(
        User.email.is_in(emails))) if emails else []
    people = {row["email"]: ExistingPerson(
        row["email"], row["full_name"], row["role"], code_of.get(row["unit"], "") or "",
        row["language"], row["organisation"] == organisation_id) for row in people_rows}
    return by_code, units, people, {row["email"]: row for row in people_rows}


async def _keep_an_admin(organisation_id: UUID, plan: Plan,
                         people_rows: dict[str, PersonRecord]) -> None:
    """The file may not take away the organisation's last active admin (ADMIN_LAST)."""
    demoted = [p for p in plan.people_to_update
               if people_rows[p.email]["role"] == "admin" and p.role != "admin"]
    if not demoted or any(p.role == "admin" for p in plan.people_to_create):
        return
    demoted_ids = [people_rows[p.email]["id"] for p in demoted]
    if not await User.exists().where(
            (User.organisation == organisation_id) & (User.role == "admin")
            & (User.is_active == True) & User.id.not_in(demoted_ids)):  # noqa: E712
        plan.errors.append(LineError(demoted[0].line, "ADMIN_LAST", {"email": demoted[0].email}))


def _report(plan: Plan, *, dry_run: bool, applied: bool) -> ImportReport:
    return ImportReport(
        dry_run=dry_run, applied=applied, units_created=len(plan.units_to_create),
        units_updated=len(plan.units_to_update), people_created=len(plan.people_to_create),
        people_updated=len(plan.people_to_update), unchanged=plan.unchanged,
        errors=[_line_error(error) for error in plan.errors])


async def import_chart(*, actor: Actor, organisation_id: UUID, data: bytes,
                       dry_run: bool) -> ImportReport:
    """Check (and unless ``dry_run`` apply) an org chart file; with any error nothing is
    applied and the report lists every error by line."""
    if len(data) > MAX_IMPORT_BYTES:
        return ImportReport(dry_run=dry_run, applied=False, units_created=0, units_updated=0,
                            people_created=0, people_updated=0, unchanged=0,
                            errors=[_line_error(LineError(0, "PAYLOAD_TOO_LARGE"))])
    parsed = parse_chart(data)
    emails = [person.email for person in parsed.people]
    if dry_run or parsed.errors:
        _, units, people, people_rows = await _stored(organisation_id, emails)
        plan = plan_import(parsed, units, people)
        await _keep_an_admin(organisation_id, plan, people_rows)
        return _report(plan, dry_run=dry_run, applied=False)
    ended: list[UUID] = []
    async with UnitOfWork():
        by_code, units, people, people_rows = await _stored(organisation_id, emails)
        plan = plan_import(parsed, units, people)
        await _keep_an_admin(organisation_id, plan, people_rows)
        if plan.errors:
            return _report(plan, dry_run=False, applied=False)
        ids = {code: row["id"] for code, row in by_code.items()}
        for unit in plan.units_to_create:
            ids[unit.code] = uuid4()
            await Unit.insert(Unit(id=ids[unit.code], organisation=organisation_id,
                                   name=unit.name, code_service=unit.code))
        for unit in [*plan.units_to_create, *plan.units_to_update]:
            await Unit.update({Unit.name: unit.name,
                               Unit.parent: ids[unit.parent_code] if unit.parent_code else None}
                              ).where(Unit.id == ids[unit.code])
        for person in plan.people_to_create:
            await services.create_user(
                email=person.email, full_name=person.full_name, role=person.role,  # type: ignore[arg-type]
                password_hash=NO_PASSWORD, organisation_id=organisation_id,
                unit_id=ids.get(person.unit_code), language=person.language)
        for person in plan.people_to_update:
            row = people_rows[person.email]
            unit_id = ids.get(person.unit_code)
            await User.update({User.full_name: person.full_name, User.role: person.role,
                               User.unit: unit_id, User.language: person.language}
                              ).where(User.id == row["id"])
            if (row["role"], row["unit"]) != (person.role, unit_id):
                ended += await end_sessions(row["id"], "role_changed")
        report = _report(plan, dry_run=False, applied=True)
        await audit(actor, "organisation", organisation_id, "people.imported",
                    {"units_created": report.units_created, "units_updated": report.units_updated,
                     "people_created": report.people_created,
                     "people_updated": report.people_updated})
    await announce_revoked(ended)
    services.forget_organisation_reads()
    return report
