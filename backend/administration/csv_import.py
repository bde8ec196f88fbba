"""Reading and checking an org chart and its people from CSV (pure: no web or database import).

The columns are documented in ``docs/administration.md``. One file holds two kinds of rows:
``type=unit`` (``code``, ``name``, ``parent_code``) and ``type=person`` (``email``,
``full_name``, ``role``, ``unit_code``, optional ``language``). Units are matched by their code
service, people by their email, so importing the same file twice changes nothing the second
time. Every problem is reported with its line (the header is line 1); the caller applies a plan
only when there is none.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from backend.administration.tree import cycle_in

__all__ = (
    "COLUMNS",
    "ExistingPerson",
    "ExistingUnit",
    "LineError",
    "Parsed",
    "PersonRecord",
    "Plan",
    "UnitRecord",
    "parse_chart",
    "plan_import",
)

COLUMNS = ("type", "code", "name", "parent_code", "email", "full_name", "role", "unit_code")
OPTIONAL_COLUMNS = ("language",)
STAFF_ROLES = ("agent", "manager", "back_office", "admin")
NEEDS_UNIT = ("agent", "manager")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


#: What a refusal names for its message: a value, column or unit codes, the line it repeats.
Detail = str | int | list[str]


@dataclass(frozen=True)
class LineError:
    """A refusal: the line of the file, a catalogued code, details for the message."""

    line: int
    code: str
    details: dict[str, Detail] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitRecord:
    line: int
    code: str
    name: str
    parent_code: str


@dataclass(frozen=True)
class PersonRecord:
    line: int
    email: str
    full_name: str
    role: str
    unit_code: str
    language: str


@dataclass(frozen=True)
class Parsed:
    units: list[UnitRecord]
    people: list[PersonRecord]
    errors: list[LineError]


@dataclass(frozen=True)
class ExistingUnit:
    """A unit already stored in the organisation (matched by ``code``)."""

    code: str
    name: str
    parent_code: str


@dataclass(frozen=True)
class ExistingPerson:
    """An account already stored with this email, in this organisation or elsewhere."""

    email: str
    full_name: str
    role: str
    unit_code: str
    language: str
    in_organisation: bool


@dataclass
class Plan:
    """What applying the file does; ``errors`` empty means it may be applied."""

    units_to_create: list[UnitRecord] = field(default_factory=list)
    units_to_update: list[UnitRecord] = field(default_factory=list)
    people_to_create: list[PersonRecord] = field(default_factory=list)
    people_to_update: list[PersonRecord] = field(default_factory=list)
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)


def _decode(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")


def parse_chart(data: bytes) -> Parsed:
    """The rows of a CSV file (UTF-8, ``,`` or ``;`` separated), with the errors of each line."""
    text = _decode(data)
    if text is None:
        return Parsed([], [], [LineError(0, "CSV_ENCODING")])
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return Parsed([], [], [LineError(1, "CSV_COLUMNS_MISSING", {"missing": missing})])
    index = {name: header.index(name) for name in (*COLUMNS, *OPTIONAL_COLUMNS) if name in header}
    units: list[UnitRecord] = []
    people: list[PersonRecord] = []
    errors: list[LineError] = []
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue

        def get(name: str, values: list[str] = values) -> str:
            at = index.get(name)
            return values[at].strip() if at is not None and at < len(values) else ""

        kind = get("type").lower()
        if kind == "unit":
            absent = [name for name in ("code", "name") if not get(name)]
            if absent:
                errors.append(LineError(line, "CSV_VALUE_MISSING", {"columns": absent}))
                continue
            units.append(UnitRecord(line, get("code"), get("name"), get("parent_code")))
        elif kind == "person":
            absent = [name for name in ("email", "full_name", "role") if not get(name)]
            if absent:
                errors.append(LineError(line, "CSV_VALUE_MISSING", {"columns": absent}))
                continue
            person = PersonRecord(line, get("email").lower(), get("full_name"), get("role").lower(),
                               get("unit_code"), get("language").lower() or "fr")
            problem = _person_problem(person)
            if problem is not None:
                errors.append(problem)
                continue
            people.append(person)
        else:
            errors.append(LineError(line, "CSV_ROW_TYPE", {"type": get("type")}))
    return Parsed(units, people, errors)


def _person_problem(person: PersonRecord) -> LineError | None:
    if not _EMAIL.match(person.email):
        return LineError(person.line, "EMAIL_INVALID", {"email": person.email})
    if person.role not in STAFF_ROLES:
        return LineError(person.line, "ROLE_INVALID", {"role": person.role})
    if person.language not in ("fr", "en"):
        return LineError(person.line, "CSV_VALUE_MISSING", {"columns": ["language"]})
    if person.role in NEEDS_UNIT and not person.unit_code:
        return LineError(person.line, "UNIT_REQUIRED", {"email": person.email})
    return None


def plan_import(parsed: Parsed, units: Mapping[str, ExistingUnit],
                people: Mapping[str, ExistingPerson]) -> Plan:
    """Compare the file with what is stored (``units`` by code, ``people`` by email)."""
    plan = Plan(errors=list(parsed.errors))
    seen_codes: dict[str, int] = {}
    for unit in parsed.units:
        if unit.code in seen_codes:
            plan.errors.append(LineError(unit.line, "UNIT_CODE_TAKEN",
                                         {"code": unit.code, "first_line": seen_codes[unit.code]}))
            continue
        seen_codes[unit.code] = unit.line
    in_file = {unit.code: unit for unit in parsed.units}
    known = set(units) | set(in_file)
    parents: dict[str, str | None] = {code: row.parent_code or None for code, row in units.items()}
    for unit in parsed.units:
        if unit.parent_code and unit.parent_code not in known:
            plan.errors.append(LineError(unit.line, "UNIT_UNKNOWN", {"unit": unit.parent_code}))
        parents[unit.code] = unit.parent_code or None
    cycle = cycle_in(parents)
    if cycle:
        line = min(in_file[code].line for code in cycle if code in in_file)
        plan.errors.append(LineError(line, "UNIT_TREE_CYCLE", {"units": cycle}))
    for unit in in_file.values():
        stored = units.get(unit.code)
        if stored is None:
            plan.units_to_create.append(unit)
        elif (stored.name, stored.parent_code) != (unit.name, unit.parent_code):
            plan.units_to_update.append(unit)
        else:
            plan.unchanged += 1
    seen_emails: dict[str, int] = {}
    for person in parsed.people:
        if person.email in seen_emails:
            plan.errors.append(LineError(person.line, "EMAIL_DUPLICATE",
                                         {"email": person.email,
                                          "first_line": seen_emails[person.email]}))
            continue
        seen_emails[person.email] = person.line
        if person.unit_code and person.unit_code not in known:
            plan.errors.append(LineError(person.line, "UNIT_UNKNOWN", {"unit": person.unit_code}))
            continue
        stored_person = people.get(person.email)
        if stored_person is None:
            plan.people_to_create.append(person)
        elif not stored_person.in_organisation:
            plan.errors.append(LineError(person.line, "EMAIL_TAKEN", {"email": person.email}))
        elif (stored_person.full_name, stored_person.role, stored_person.unit_code,
              stored_person.language) != (person.full_name, person.role, person.unit_code,
                                          person.language):
            plan.people_to_update.append(person)
        else:
            plan.unchanged += 1
    plan.errors.sort(key=lambda error: error.line)
    return plan
