"""Administration routes under /api/v1/admin (role admin only, each action audited), plus the
two public ones a newcomer uses: a supplier's registration and accepting an invitation."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State

from backend.accounts.controllers import PUBLIC, _errors, client_address
from backend.accounts.schemas import DelegationOut
from backend.administration import (
    importing,
    keys,
    organisation,
    people,
    platform,
    rules,
    supplier_admins,
    suppliers,
)
from backend.administration.common import count_public_request, organisation_of
from backend.administration.schemas import (
    AdminDelegationIn,
    DeactivationOut,
    ImportReport,
    IntegrationKeyIn,
    IntegrationKeyOut,
    InvitationAcceptIn,
    InvitationOut,
    NewOrganisationIn,
    NewOrganisationOut,
    OrganisationOut,
    OrganisationPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    RegistrationIn,
    RegistrationOut,
    RuleSetOut,
    SupplierCompanyIn,
    SupplierCompanyOut,
    SupplierUserIn,
    SupplierUserPatch,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from backend.policy.rules import RuleSet
from kernel.errors import DomainError
from kernel.guards import current_actor, requires_role

__all__ = ("AdminController", "OnboardingController", "SupplierAdminController")

AnyRequest = Request[object, object, State]


class AdminController(Controller):
    """An organisation's administration: the organisation, units, people, delegations,
    suppliers, registrations, integration keys, expense rules, CSV import."""

    path = "/api/v1/admin"
    tags = ("administration",)
    guards = (requires_role("admin"),)

    @get("/organisation", operation_id="adminGetOrganisation", responses=_errors(401, 403))
    async def get_organisation(self, request: AnyRequest) -> OrganisationOut:
        """The admin's organisation and the payment deadline its kind sets."""
        return await organisation.get_organisation(actor=current_actor(request))

    @patch("/organisation", operation_id="adminUpdateOrganisation", responses=_errors(401, 403))
    async def update_organisation(self, data: OrganisationPatch,
                                  request: AnyRequest) -> OrganisationOut:
        """Rename the organisation, change its code service or kind."""
        return await organisation.update_organisation(actor=current_actor(request), patch=data)

    @get("/organisations", operation_id="adminListOrganisations", responses=_errors(401, 403))
    async def list_organisations(self, request: AnyRequest) -> list[OrganisationOut]:
        """Every organisation (admins of the platform organisation only)."""
        return await platform.list_organisations(actor=current_actor(request))

    @post("/organisations", operation_id="adminCreateOrganisation",
          responses=_errors(401, 403, 409))
    async def create_organisation(self, data: NewOrganisationIn,
                                  request: AnyRequest) -> NewOrganisationOut:
        """Another organisation and its first admin, with that admin's invitation link (shown
        once); admins of the platform organisation only."""
        return await platform.create_organisation(actor=current_actor(request), data=data)

    @get("/units", operation_id="adminListUnits", responses=_errors(401, 403))
    async def list_units(self, request: AnyRequest) -> list[UnitOut]:
        """The unit tree, parents first, with each unit's managers."""
        return await organisation.list_units(actor=current_actor(request))

    @post("/units", operation_id="adminCreateUnit", responses=_errors(401, 403, 409))
    async def create_unit(self, data: UnitIn, request: AnyRequest) -> UnitOut:
        """Add a unit (under a parent unit when given)."""
        return await organisation.create_unit(actor=current_actor(request), data=data)

    @patch("/units/{unit_id:uuid}", operation_id="adminUpdateUnit",
           responses=_errors(401, 403, 404, 409))
    async def update_unit(self, unit_id: UUID, data: UnitPatch, request: AnyRequest) -> UnitOut:
        """Rename a unit or move it in the tree (never under itself)."""
        return await organisation.update_unit(actor=current_actor(request), unit_id=unit_id,
                                              patch=data)

    @get("/people", operation_id="adminListPeople", responses=_errors(401, 403))
    async def list_people(self, request: AnyRequest) -> list[PersonOut]:
        """Everyone in the organisation, active or not."""
        return await people.list_people(actor=current_actor(request))

    @post("/people", operation_id="adminCreatePerson", responses=_errors(401, 403, 409))
    async def create_person(self, data: PersonIn, request: AnyRequest) -> PersonOut:
        """Add a person; send them an invitation link to choose their password."""
        return await people.create_person(actor=current_actor(request), data=data)

    @patch("/people/{user_id:uuid}", operation_id="adminUpdatePerson",
           responses=_errors(401, 403, 404, 409))
    async def update_person(self, user_id: UUID, data: PersonPatch,
                            request: AnyRequest) -> PersonOut:
        """Change a person's name, language, role or unit (role and unit: at once)."""
        return await people.update_person(actor=current_actor(request), user_id=user_id,
                                          patch=data)

    @post("/people/{user_id:uuid}/deactivate", operation_id="adminDeactivatePerson",
          status_code=200, responses=_errors(401, 403, 404, 409))
    async def deactivate_person(self, user_id: UUID, request: AnyRequest) -> DeactivationOut:
        """Deactivate: signed out everywhere, delegations ended, requests re-routed up the
        tree; ``without_approver`` flags who is left with nobody to decide."""
        return await people.deactivate_person(actor=current_actor(request), user_id=user_id)

    @post("/people/{user_id:uuid}/invitation", operation_id="adminInvitePerson",
          responses=_errors(401, 403, 404))
    async def invite_person(self, user_id: UUID, request: AnyRequest) -> InvitationOut:
        """A link (shown once) with which the person chooses their password."""
        return await people.invite(actor=current_actor(request), user_id=user_id)

    @post("/imports/people", operation_id="adminImportPeople", status_code=200,
          responses=_errors(401, 403, 413))
    async def import_people(self, request: AnyRequest, dry_run: bool = False) -> ImportReport:
        """Import an org chart and its people from CSV (body: the file, UTF-8). With
        ``dry_run`` nothing is saved; with any error nothing is saved either, and every
        error is listed by line."""
        actor = current_actor(request)
        body = await request.body()
        report = await importing.import_chart(actor=actor, organisation_id=organisation_of(actor),
                                              data=body, dry_run=dry_run)
        if report.errors and not dry_run:
            raise DomainError("IMPORT_INVALID", {"report": msgspec.to_builtins(report)})
        return report

    @get("/delegations", operation_id="adminListDelegations", responses=_errors(401, 403))
    async def list_delegations(self, request: AnyRequest) -> list[DelegationOut]:
        """Every delegation of the organisation."""
        return await people.list_delegations(actor=current_actor(request))

    @post("/delegations", operation_id="adminCreateDelegation", responses=_errors(401, 403))
    async def create_delegation(self, data: AdminDelegationIn,
                                request: AnyRequest) -> DelegationOut:
        """Delegate a manager's approvals to a colleague for a period."""
        return await people.create_delegation(actor=current_actor(request), data=data)

    @delete("/delegations/{delegation_id:uuid}", operation_id="adminRevokeDelegation",
            status_code=204, responses=_errors(401, 403, 404))
    async def revoke_delegation(self, delegation_id: UUID, request: AnyRequest) -> None:
        """End a delegation now."""
        await people.revoke_delegation(actor=current_actor(request), delegation_id=delegation_id)

    @get("/supplier-companies", operation_id="adminListSupplierCompanies",
         responses=_errors(401, 403))
    async def list_supplier_companies(self, request: AnyRequest) -> list[SupplierCompanyOut]:
        """The supplier companies known to Nomade."""
        return await suppliers.list_supplier_companies(actor=current_actor(request))

    @post("/supplier-companies", operation_id="adminCreateSupplierCompany",
          responses=_errors(401, 403, 409))
    async def create_supplier_company(self, data: SupplierCompanyIn,
                                      request: AnyRequest) -> SupplierCompanyOut:
        """Add a supplier company by its SIRET (checked)."""
        return await suppliers.create_supplier_company(actor=current_actor(request), data=data)

    @post("/supplier-companies/{company_id:uuid}/users", operation_id="adminCreateSupplierUser",
          responses=_errors(401, 403, 404, 409))
    async def create_supplier_user(self, company_id: UUID, data: SupplierUserIn,
                                   request: AnyRequest) -> PersonOut:
        """Add a user to a supplier company; invite them next."""
        return await suppliers.create_supplier_user(actor=current_actor(request),
                                                    company_id=company_id, data=data)

    @post("/supplier-users/{user_id:uuid}/invitation", operation_id="adminInviteSupplierUser",
          responses=_errors(401, 403, 404))
    async def invite_supplier_user(self, user_id: UUID, request: AnyRequest) -> InvitationOut:
        """A link (shown once) with which a supplier user chooses their password."""
        return await people.invite(actor=current_actor(request), user_id=user_id, supplier=True)

    @patch("/supplier-users/{user_id:uuid}", operation_id="adminUpdateSupplierUser",
           status_code=204, responses=_errors(401, 403, 404))
    async def update_supplier_user(self, user_id: UUID, data: SupplierUserPatch,
                                   request: AnyRequest) -> None:
        """Grant or withdraw a supplier user's supplier-admin flag (decides their company's
        later registrations)."""
        await supplier_admins.set_supplier_admin(actor=current_actor(request), user_id=user_id,
                                                 patch=data)

    @get("/supplier-registrations", operation_id="adminListSupplierRegistrations",
         responses=_errors(401, 403))
    async def list_registrations(
        self, request: AnyRequest,
        status: Literal["pending", "approved", "refused"] = "pending",
    ) -> list[RegistrationOut]:
        """Suppliers' account requests (pending by default)."""
        return await suppliers.list_registrations(actor=current_actor(request), status=status)

    @post("/supplier-registrations/{registration_id:uuid}/approve",
          operation_id="adminApproveSupplierRegistration", status_code=200,
          responses=_errors(401, 403, 404, 409))
    async def approve_registration(self, registration_id: UUID,
                                   request: AnyRequest) -> RegistrationOut:
        """Open the supplier's account (and its company when its SIRET is new)."""
        return await suppliers.approve_registration(actor=current_actor(request),
                                                    registration_id=registration_id)

    @post("/supplier-registrations/{registration_id:uuid}/refuse",
          operation_id="adminRefuseSupplierRegistration", status_code=200,
          responses=_errors(401, 403, 404, 409))
    async def refuse_registration(self, registration_id: UUID,
                                  request: AnyRequest) -> RegistrationOut:
        """Refuse a supplier's account request."""
        return await suppliers.refuse_registration(actor=current_actor(request),
                                                   registration_id=registration_id)

    @get("/integration-keys", operation_id="adminListIntegrationKeys",
         responses=_errors(401, 403))
    async def list_keys(self, request: AnyRequest) -> list[IntegrationKeyOut]:
        """The organisation's integration API keys (never the keys themselves)."""
        return await keys.list_keys(actor=current_actor(request))

    @post("/integration-keys", operation_id="adminCreateIntegrationKey",
          responses=_errors(401, 403))
    async def create_key(self, data: IntegrationKeyIn, request: AnyRequest) -> IntegrationKeyOut:
        """A new key for the financial system, shown once in this answer."""
        return await keys.create_key(actor=current_actor(request), name=data.name)

    @post("/integration-keys/{key_id:uuid}/rotate", operation_id="adminRotateIntegrationKey",
          responses=_errors(401, 403, 404))
    async def rotate_key(self, key_id: UUID, request: AnyRequest) -> IntegrationKeyOut:
        """Replace a key: the new one is shown once, the old one stops working at once."""
        return await keys.rotate_key(actor=current_actor(request), key_id=key_id)

    @delete("/integration-keys/{key_id:uuid}", operation_id="adminRevokeIntegrationKey",
            status_code=204, responses=_errors(401, 403, 404, 409))
    async def revoke_key(self, key_id: UUID, request: AnyRequest,
                         confirm_last: bool = False) -> None:
        """Revoke a key (the last active one only with ``confirm_last``)."""
        await keys.revoke_key(actor=current_actor(request), key_id=key_id,
                              confirm_last=confirm_last)

    @get("/rule-sets", operation_id="adminListRuleSets", responses=_errors(401, 403))
    async def list_rule_sets(self, request: AnyRequest) -> list[RuleSetOut]:
        """The dated versions of the organisation's expense rules."""
        return await rules.list_versions(actor=current_actor(request))

    @post("/rule-sets", operation_id="adminAddRuleSet", responses=_errors(401, 403, 409))
    async def add_rule_set(self, data: RuleSet, request: AnyRequest) -> list[RuleSetOut]:
        """Add a version effective from its date (today or later; the past is never rewritten)."""
        return await rules.add_version(actor=current_actor(request), rules=data)


class SupplierAdminController(Controller):
    """A supplier company's own admin: the pending registrations for its SIRET, decided from
    the phone (another company's requests are NOT_FOUND)."""

    path = "/api/v1/supplier-admin"
    tags = ("administration",)
    guards = (requires_role("supplier"),)

    @get("/company", operation_id="supplierAdminCompany", responses=_errors(401, 403))
    async def company(self, request: AnyRequest) -> SupplierCompanyOut:
        """The company the supplier administers (SUPPLIER_ADMIN_REQUIRED if none)."""
        return await supplier_admins.own_company(actor=current_actor(request))

    @get("/registrations", operation_id="supplierAdminListRegistrations",
         responses=_errors(401, 403))
    async def list_registrations(
        self, request: AnyRequest,
        status: Literal["pending", "approved", "refused"] = "pending",
    ) -> list[RegistrationOut]:
        """Requests for the company's SIRET (pending by default)."""
        return await supplier_admins.list_own_registrations(actor=current_actor(request),
                                                            status=status)

    @post("/registrations/{registration_id:uuid}/approve",
          operation_id="supplierAdminApproveRegistration", status_code=200,
          responses=_errors(401, 403, 404, 409))
    async def approve(self, registration_id: UUID, request: AnyRequest) -> RegistrationOut:
        """Open the requester's account in the company."""
        return await supplier_admins.decide(actor=current_actor(request),
                                            registration_id=registration_id, decision="approve")

    @post("/registrations/{registration_id:uuid}/refuse",
          operation_id="supplierAdminRefuseRegistration", status_code=200,
          responses=_errors(401, 403, 404, 409))
    async def refuse(self, registration_id: UUID, request: AnyRequest) -> RegistrationOut:
        """Refuse the request."""
        return await supplier_admins.decide(actor=current_actor(request),
                                            registration_id=registration_id, decision="refuse")


class OnboardingController(Controller):
    """What a newcomer does before having an account."""

    path = "/api/v1/onboarding"
    tags = ("administration",)

    @post("/supplier-registrations", operation_id="requestSupplierRegistration", opt=PUBLIC,
          status_code=201, responses=_errors(409, 429))
    async def request_registration(self, data: RegistrationIn,
                                   request: AnyRequest) -> RegistrationOut:
        """A supplier asks for an account with its SIRET; an admin approves it."""
        await count_public_request("registration", client_address(request))
        return await suppliers.request_registration(data=data)

    @post("/invitations/accept", operation_id="acceptInvitation", opt=PUBLIC, status_code=204,
          responses=_errors(429))
    async def accept_invitation(self, data: InvitationAcceptIn, request: AnyRequest) -> None:
        """Choose one's password with an invitation link's token."""
        await count_public_request("invitation", client_address(request))
        await people.accept_invitation(token=data.token, password=data.password)
