"""Wire types of the administration API (msgspec)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.accounts.schemas import DelegableKind
from backend.administration.csv_import import Detail
from backend.policy.rules import RuleSet

__all__ = (
    "AdminDelegationIn",
    "DeactivationOut",
    "ImportLineError",
    "ImportReport",
    "IntegrationKeyIn",
    "IntegrationKeyOut",
    "InvitationAcceptIn",
    "InvitationOut",
    "ManagerOut",
    "NewOrganisationIn",
    "NewOrganisationOut",
    "OrganisationOut",
    "OrganisationPatch",
    "PersonIn",
    "PersonOut",
    "PersonPatch",
    "PersonRef",
    "RegistrationIn",
    "RegistrationOut",
    "RuleSetOut",
    "StaffRole",
    "SupplierCompanyIn",
    "SupplierCompanyOut",
    "SupplierUserIn",
    "SupplierUserOut",
    "SupplierUserPatch",
    "UnitIn",
    "UnitOut",
    "UnitPatch",
)

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Code = Annotated[str, msgspec.Meta(max_length=32)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Siret = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
Language = Literal["fr", "en"]
OrganisationKind = Literal["state", "local", "hospital", "public_company"]
StaffRole = Literal["agent", "manager", "back_office", "admin"]


class OrganisationOut(msgspec.Struct, frozen=True, kw_only=True):
    """The admin's organisation; ``payment_days``: the legal payment deadline its kind sets."""

    id: UUID
    name: str
    siret: str
    code_service: str
    kind: str
    payment_days: int


class OrganisationPatch(msgspec.Struct, frozen=True, kw_only=True):
    name: Name | None = None
    code_service: Code | None = None
    kind: OrganisationKind | None = None


class ManagerOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    full_name: str


class UnitOut(msgspec.Struct, frozen=True, kw_only=True):
    """A unit of the tree, with its active managers."""

    id: UUID
    name: str
    code_service: str
    parent_id: UUID | None
    managers: list[ManagerOut]


class UnitIn(msgspec.Struct, frozen=True, kw_only=True):
    name: Name
    code_service: Code = ""
    parent_id: UUID | None = None


class UnitPatch(msgspec.Struct, frozen=True, kw_only=True):
    name: Name | None = None
    code_service: Code | None = None
    parent_id: UUID | None = None
    # True moves the unit to the top of the tree (parent_id None means "unchanged").
    make_root: bool = False


class PersonOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    email: str
    full_name: str
    role: str
    unit_id: UUID | None
    language: str
    is_active: bool
    supplier_company_id: UUID | None = None


class PersonRef(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    full_name: str


class DeactivationOut(msgspec.Struct, frozen=True, kw_only=True):
    """The deactivated person, and who has nobody left to decide on their requests since this
    deactivation (flagged: give their unit, or a unit above it, a manager)."""

    person: PersonOut
    without_approver: list[PersonRef]


class PersonIn(msgspec.Struct, frozen=True, kw_only=True):
    """A new member of the organisation; they choose their password through an invitation."""

    email: Email
    full_name: Name
    role: StaffRole
    unit_id: UUID | None = None
    language: Language = "fr"


class PersonPatch(msgspec.Struct, frozen=True, kw_only=True):
    full_name: Name | None = None
    role: StaffRole | None = None
    unit_id: UUID | None = None
    language: Language | None = None


class InvitationOut(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation link (the token is shown once) for ``user_id``."""

    user_id: UUID
    token: str
    link: str
    expires_at: datetime


class InvitationAcceptIn(msgspec.Struct, frozen=True, kw_only=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    password: Password


class AdminDelegationIn(msgspec.Struct, frozen=True, kw_only=True):
    delegator_id: UUID
    delegate_id: UUID
    starts_at: datetime
    ends_at: datetime
    kinds: list[DelegableKind] = []


class SupplierCompanyIn(msgspec.Struct, frozen=True, kw_only=True):
    name: Name
    siret: Siret


class SupplierUserOut(msgspec.Struct, frozen=True, kw_only=True):
    """A user of a supplier company; ``supplier_admin``: approves its later registrations."""

    id: UUID
    email: str
    full_name: str
    language: str
    is_active: bool
    supplier_admin: bool
    has_password: bool


class SupplierCompanyOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    siret: str
    users: list[SupplierUserOut] = msgspec.field(default_factory=list)


class SupplierUserIn(msgspec.Struct, frozen=True, kw_only=True):
    email: Email
    full_name: Name
    language: Language = "fr"
    supplier_admin: bool = False


class SupplierUserPatch(msgspec.Struct, frozen=True, kw_only=True):
    supplier_admin: bool


class NewOrganisationIn(msgspec.Struct, frozen=True, kw_only=True):
    """Another organisation and its first admin (who chooses a password by invitation)."""

    name: Name
    siret: Siret
    kind: OrganisationKind
    code_service: Code = ""
    admin_email: Email
    admin_full_name: Name
    admin_language: Language = "fr"


class NewOrganisationOut(msgspec.Struct, frozen=True, kw_only=True):
    organisation: OrganisationOut
    admin: PersonOut
    invitation: InvitationOut


class RegistrationIn(msgspec.Struct, frozen=True, kw_only=True):
    """A supplier asks for an account (public)."""

    siret: Siret
    company_name: Name
    email: Email
    full_name: Name
    password: Password
    language: Language = "fr"


class RegistrationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    siret: str
    company_name: str
    email: str
    full_name: str
    status: str
    created_at: datetime
    company_known: bool = False
    user_id: UUID | None = None
    supplier_company_id: UUID | None = None


class IntegrationKeyIn(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(max_length=120)] = ""


class IntegrationKeyOut(msgspec.Struct, frozen=True, kw_only=True):
    """A key of the integration API; ``key`` only in the answer that creates it."""

    id: UUID
    name: str
    created_at: datetime
    revoked_at: datetime | None
    key: str | None = None


class RuleSetOut(msgspec.Struct, frozen=True, kw_only=True):
    """One dated version of the organisation's expense rules (``rules``: the whole rule set)."""

    name: str
    valid_from: date
    valid_until: date | None
    in_force_today: bool
    rules: RuleSet


class ImportLineError(msgspec.Struct, frozen=True, kw_only=True):
    """One refusal of an import, by line of the file (1 = the header)."""

    line: int
    code: str
    message_fr: str
    message_en: str
    details: dict[str, Detail] = msgspec.field(default_factory=dict)


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    applied: bool
    units_created: int
    units_updated: int
    people_created: int
    people_updated: int
    unchanged: int
    errors: list[ImportLineError]
