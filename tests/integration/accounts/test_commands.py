"""``nomade create-user`` as an operator uses it."""

from __future__ import annotations

import argparse
import io
import uuid

import pytest

from backend.accounts.commands import create_user
from backend.accounts.tables import User
from tests.factories import make_org, siret
from tests.integration.accounts.helpers import sign_in


def _args(**values: object) -> argparse.Namespace:
    base: dict[str, object] = {"email": f"new-{uuid.uuid4().hex[:8]}@test.nomade.invalid",
                               "name": "Nouvel Agent", "role": "agent",
                               "organisation_siret": None, "unit": None, "supplier_siret": None,
                               "language": "fr"}
    base.update(values)
    return argparse.Namespace(**base)


async def _run(monkeypatch: pytest.MonkeyPatch, args: argparse.Namespace,
               password: str = "un mot de passe sûr\n") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password))
    return await create_user(args)


async def test_created_user_signs_in_through_the_api(monkeypatch, capsys, api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org(with_people=False)
    args = _args(email="Jeanne.Agent-" + uuid.uuid4().hex[:6] + "@Test.Nomade.Invalid",
                 organisation_siret=" ".join([org.siret[:3], org.siret[3:]]), unit="unité a")
    assert await _run(monkeypatch, args) == 0
    assert "created" in capsys.readouterr().out
    row = await User.select(User.unit, User.role, User.email).where(
        User.email == args.email.lower()).first()
    assert row == {"unit": org.unit_ids[0], "role": "agent", "email": args.email.lower()}
    session = await sign_in(api, args.email, "un mot de passe sûr")
    assert session["user"]["organisation_id"] == str(org.id)


async def test_supplier_is_attached_to_its_company(monkeypatch, api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org(with_people=False)
    args = _args(role="supplier", supplier_siret=org.supplier_siret)
    assert await _run(monkeypatch, args) == 0
    session = await sign_in(api, args.email, "un mot de passe sûr")
    assert session["user"]["supplier_company_id"] == str(org.supplier_company_id)
    assert session["user"]["organisation_id"] is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"organisation_siret": "12345678901234"}, "invalid organisation SIRET"),
        ({"organisation_siret": "UNKNOWN"}, "no organisation with SIRET"),
        ({"unit": "Nulle part"}, "no unit named 'Nulle part'"),
        ({"role": "supplier", "organisation_siret": None, "unit": None,
          "supplier_siret": "UNKNOWN"}, "no supplier company with SIRET"),
        ({"role": "supplier", "organisation_siret": None, "unit": None,
          "supplier_siret": "1234"}, "invalid supplier SIRET"),
        ({"unit": None}, "needs --unit"),
        ({"email": "not-an-email"}, "invalid email"),
    ],
)
async def test_refusals_are_explained(monkeypatch, capsys, change, message) -> None:  # type: ignore[no-untyped-def]
    org = await make_org(with_people=False)
    unknown = siret()
    values = {"organisation_siret": org.siret, "unit": "Unité A", **change}
    for key in ("organisation_siret", "supplier_siret"):
        if values.get(key) == "UNKNOWN":
            values[key] = unknown
    args = _args(**values)
    assert await _run(monkeypatch, args) == 1
    err = capsys.readouterr().err
    assert "nomade create-user: error:" in err and message in err
    assert not await User.exists().where(User.email == str(args.email).lower())


async def test_duplicate_email_and_short_password_are_refused(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    org = await make_org(with_people=False)
    args = _args(organisation_siret=org.siret, unit="Unité B")
    assert await _run(monkeypatch, args, "court\n") == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert await _run(monkeypatch, args) == 0
    again = _args(email=args.email.upper(), organisation_siret=org.siret, unit="Unité B")
    assert await _run(monkeypatch, again) == 1
    assert "already exists" in capsys.readouterr().err
    assert await User.count().where(User.email == args.email.lower()) == 1
