"""backend.accounts.directory: the reads of the accounts tables that other domains ask for
(invoices, orders, notifications), and the integration key declared in the settings, which
finds its organisation through it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from backend.accounts import directory
from backend.invoices.integration_keys import organisation_for_key
from kernel.settings import reset_settings
from tests.factories import make_org, make_person, siret


async def test_organisations_and_suppliers_are_found_by_id_and_siret() -> None:
    org, other = await make_org(), await make_org()
    assert await directory.organisation_by_siret(org.siret) == org.id
    assert await directory.organisation_by_siret(siret()) is None
    found = await directory.organisation_name_and_kind(org.id)
    assert found is not None and found[0].startswith("Ministère test")
    assert await directory.organisation_name_and_kind(uuid.uuid4()) is None
    assert set(await directory.organisation_kinds([org.id, other.id, uuid.uuid4()])) == {
        org.id, other.id}
    supplier = await directory.supplier_by_siret(org.supplier_siret)
    assert supplier is not None and supplier[0] == org.supplier_company_id
    assert await directory.supplier_by_id(org.supplier_company_id) == supplier[1]
    assert await directory.supplier_by_id(uuid.uuid4()) is None


async def test_a_unit_belongs_only_to_its_organisation() -> None:
    org, other = await make_org(), await make_org()
    assert await directory.unit_belongs_to(org.unit_ids[0], org.id)
    assert not await directory.unit_belongs_to(org.unit_ids[0], other.id)


async def test_people_languages_names_and_supplier_users() -> None:
    org = await make_org()
    agent = await make_person("agent", organisation_id=org.id, unit_id=org.unit_ids[0],
                              language="en")
    supplier = await make_person("supplier", organisation_id=None,
                                 supplier_company_id=org.supplier_company_id)
    assert await directory.active_languages([agent.user_id, uuid.uuid4()]) == {
        agent.user_id: "en"}
    assert list(await directory.full_names([agent.user_id])) == [agent.user_id]
    company_users = await directory.active_users_of_company(org.supplier_company_id)
    assert supplier.user_id in company_users and agent.user_id not in company_users


@pytest.fixture
def declared_key() -> Iterator[str]:
    """The settings variable; the cached settings are forgotten after the test."""
    yield "NOMADE_INTEGRATION_API_KEYS"
    reset_settings()


async def test_a_key_declared_in_the_settings_opens_its_organisation(
        monkeypatch: pytest.MonkeyPatch, declared_key: str) -> None:
    org = await make_org()
    raw = f"declared-{uuid.uuid4().hex}"
    monkeypatch.setenv(declared_key, f"{siret()}=other-{uuid.uuid4().hex}, {org.siret}={raw}")
    reset_settings()
    assert await organisation_for_key(raw) == org.id
    assert await organisation_for_key(raw) == org.id  # now stored as a key of its own
    assert await organisation_for_key(f"unknown-{uuid.uuid4().hex}") is None
