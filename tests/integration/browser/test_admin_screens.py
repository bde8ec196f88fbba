"""The admin screens as an administrator uses them, on a phone (360 px) and a laptop (1280 px),
in French and in English: axe-core finds no serious or critical violation, touch targets are at
least 44 px, and a screenshot of each is saved (artefacts/browser/admin-*.png). One journey
then approves a supplier's registration, adds a person, checks a CSV with an error and creates
an integration key, all through the screens; another adds an expense rule version (a past date
refused in words), a supplier company and its admin user, and another organisation; the
supplier whose registration made a company then decides, as its admin and on a phone, a later
request for that company (and never sees another company's).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.factories import siret
from tests.integration.browser.conftest import (
    GO_TO,
    PHONE,
    RunningApp,
    audit,
    reach_home,
    small_targets,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
WORDS = {
    "fr": {"email": "Adresse e-mail", "password": "Mot de passe", "submit": "Se connecter",
           "later": "Plus tard", "nav": "Navigation principale"},
    "en": {"email": "Email address", "password": "Password", "submit": "Sign in",
           "later": "Not now", "nav": "Main navigation"},
}
SCREENS = {
    "fr": [("/admin", "Organisation"), ("/admin/units", "Unités"), ("/admin/people", "Personnes"),
           ("/admin/import", "Importer des personnes (CSV)"),
           ("/admin/suppliers", "Inscriptions de fournisseurs"),
           ("/admin/keys", "Clés d’intégration"),
           ("/admin/rules", "Versions des règles de frais"),
           ("/admin/companies", "Entreprises fournisseurs"),
           ("/admin/organisations", "Organisations")],
    "en": [("/admin", "Organisation"), ("/admin/units", "Units"), ("/admin/people", "People"),
           ("/admin/import", "Import people (CSV)"), ("/admin/suppliers", "Supplier registrations"),
           ("/admin/keys", "Integration keys"), ("/admin/rules", "Expense rule versions"),
           ("/admin/companies", "Supplier companies"), ("/admin/organisations", "Organisations")],
}


async def _register_supplier(app: RunningApp, company: str, number: str = "",
                             full_name: str = "Jeanne Port", language: str = "fr") -> str:
    """A supplier's request (public route); answers the email it signs in with once approved."""
    email = f"supplier-{uuid.uuid4().hex[:8]}@imprimerie.fr"
    async with httpx.AsyncClient(base_url=app.base_url, timeout=30) as api:
        response = await api.post("/api/v1/onboarding/supplier-registrations", json={
            "siret": number or siret(), "company_name": company, "full_name": full_name,
            "email": email, "password": "fournisseur-2026", "language": language})
        assert response.status_code == 201, response.text
    return email


async def _admin_page(browser, app: RunningApp, viewport: dict[str, int], lang: str):  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=viewport, base_url=app.base_url,
                                        bypass_csp=True,
                                        locale="fr-FR" if lang == "fr" else "en-GB")
    page = await context.new_page()
    words = WORDS[lang]
    await page.goto("/")
    await page.get_by_label(words["email"]).fill(app.email("admin"))
    await page.get_by_label(words["password"]).fill(app.password)
    await page.get_by_role("button", name=words["submit"]).click()
    await page.get_by_role("button", name=words["later"]).click(timeout=15_000)
    await page.get_by_role("navigation", name=words["nav"]).wait_for()
    await reach_home(page)
    return context, page


@pytest.mark.parametrize(("size", "lang"), [("phone", "fr"), ("phone", "en"),
                                            ("laptop", "fr"), ("laptop", "en")])
async def test_admin_screens_are_accessible(browser, running_app: RunningApp, size: str,
                                            lang: str) -> None:  # type: ignore[no-untyped-def]
    await _register_supplier(running_app, f"Imprimerie {size} {lang}")
    context, page = await _admin_page(browser, running_app, PHONE if size == "phone" else LAPTOP,
                                      lang)
    try:
        problems: dict[str, list[str]] = {}
        for path, title in SCREENS[lang]:
            await page.evaluate(GO_TO, path)
            await page.get_by_role("heading", level=1, name=title, exact=True).wait_for()
            await page.wait_for_function("!document.querySelector('main [role=status]')"
                                         "?.textContent?.match(/Chargement|Loading/)")
            name = f"admin-{size}-{lang}{path.replace('/', '-')}"
            found = await audit(page, name) + await small_targets(page)
            if found:
                problems[path] = found
        assert problems == {}
        # The organisation screen shows the deadline its kind sets, in the page's language.
        await page.evaluate(GO_TO, "/admin")
        deadline = "Délai légal de paiement : 30 jours" if lang == "fr" \
            else "Legal payment deadline: 30 days"
        await page.get_by_text(deadline).wait_for()
    finally:
        await context.close()


async def test_admin_journey_on_a_phone(browser, running_app: RunningApp,
                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await _register_supplier(running_app, "Imprimerie du Port")
    context, page = await _admin_page(browser, running_app, PHONE, "fr")
    try:
        # A supplier's registration, approved.
        await page.get_by_role("link", name="Organisation", exact=True).click()
        await page.get_by_role("link", name="Inscriptions de fournisseurs").click()
        await page.get_by_role("button", name="Accepter — Imprimerie du Port").click()
        await page.get_by_role("status").filter(
            has_text="Imprimerie du Port : compte ouvert.").wait_for()
        await page.get_by_role("button", name="Accepter — Imprimerie du Port").wait_for(
            state="detached")

        # A person added from the people screen, then listed.
        await page.get_by_role("link", name="Personnes").click()
        email = f"camille-{uuid.uuid4().hex[:6]}@exemple.fr"
        await page.get_by_label("Adresse e-mail").fill(email)
        await page.get_by_label("Nom complet").fill("Camille Nouvelle")
        await page.locator("#new-unit").select_option(label="Unité A (U0)")
        await page.get_by_role("button", name="Ajouter une personne").click()
        await page.get_by_role("status").filter(has_text="Camille Nouvelle ajouté(e)").wait_for()
        await page.get_by_role("heading", name="Camille Nouvelle").wait_for()
        # Managing a person opens with their controls; their role changes at once.
        await page.get_by_text("Modifier ou désactiver Camille Nouvelle").click()
        await page.get_by_role("group", name="Rôle et unité de Camille Nouvelle").get_by_label(
            "Rôle").select_option(label="Valideur")
        await page.get_by_role("button", name="Appliquer le changement").click()
        await page.get_by_role("status").filter(has_text="Camille Nouvelle ✓").wait_for()
        assert "Valideur" in await page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name="Camille Nouvelle")).inner_text()
        assert await audit(page, "admin-phone-fr-people-managed") == []
        await page.get_by_text("Modifier ou désactiver Camille Nouvelle").click()
        await page.get_by_role("group", name="Rôle et unité de Camille Nouvelle").get_by_role(
            "button", name="Désactiver").click()
        await page.get_by_role("status").filter(has_text="Camille Nouvelle — Désactivé.").wait_for()
        await page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name="Camille Nouvelle")).get_by_text(
            "Désactivé", exact=True).wait_for()

        # A CSV with an unknown unit: the error is shown with its line, nothing saved.
        csv = tmp_path / "organigramme.csv"
        csv.write_text("type,code,name,parent_code,email,full_name,role,unit_code,language\n"
                       "person,,,,ghost@exemple.fr,Ghost,agent,NOWHERE,fr\n", encoding="utf-8")
        await page.evaluate(GO_TO, "/admin/import")
        await page.get_by_label("Fichier CSV (UTF-8)").set_input_files(str(csv))
        await page.get_by_role("button", name="Vérifier (rien n’est enregistré)").click()
        row = page.get_by_role("row").filter(has_text="UNIT_UNKNOWN")
        await row.wait_for()
        assert "2" in await row.get_by_role("rowheader").inner_text()
        assert "Unité inconnue" in await row.inner_text()
        assert await audit(page, "admin-phone-fr-import-errors") == []

        # An integration key, shown once.
        await page.evaluate(GO_TO, "/admin/keys")
        await page.get_by_label("Nom de la clé").fill("Chorus Pro")
        await page.get_by_role("button", name="Créer une clé").click()
        key = await page.get_by_test_id("new-key").inner_text()
        assert key.startswith("nmd_")
        async with httpx.AsyncClient(base_url=running_app.base_url) as api:
            probe = await api.post("/integration/v1/events", headers={"X-Api-Key": key}, json={
                "events": [{"event_id": f"probe-{uuid.uuid4().hex}", "type": "invoice.status",
                            "occurred_at": "2026-12-01T10:00:00Z"}]})
            assert probe.status_code == 200, probe.text
        assert await audit(page, "admin-phone-fr-keys-created") == []
    finally:
        await context.close()


async def test_newcomers_ask_for_an_account_and_accept_an_invitation(
        browser, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    number = siret()
    context = await browser.new_context(viewport=PHONE, base_url=running_app.base_url,
                                        bypass_csp=True,
                                        locale="fr-FR")
    try:
        page = await context.new_page()
        await page.goto("/")
        await page.get_by_role("link", name="Fournisseur sans compte ? Demandez-en un").click()
        await page.get_by_role("heading", level=1, name="Demande de compte fournisseur").wait_for()
        await page.get_by_label("SIRET de l’entreprise (14 chiffres)").fill(
            f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}")
        await page.get_by_label("Raison sociale").fill("Serrurerie Dupont")
        await page.get_by_label("Nom complet").fill("Marc Dupont")
        email = f"marc-{uuid.uuid4().hex[:6]}@serrurerie.fr"
        await page.get_by_label("Adresse e-mail").fill(email)
        await page.get_by_label("Choisissez un mot de passe").fill("serrurerie-2026")
        assert await audit(page, "onboarding-phone-fr-register") == []
        await page.get_by_role("button", name="Envoyer la demande").click()
        await page.get_by_role("status").filter(has_text="Demande envoyée").wait_for()
    finally:
        await context.close()
    async with httpx.AsyncClient(base_url=running_app.base_url, timeout=30) as api:
        login = await api.post("/api/v1/auth/login", json={"email": running_app.email("admin"),
                                                           "password": running_app.password})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        pending = (await api.get("/api/v1/admin/supplier-registrations", headers=admin)).json()
        assert number in [p["siret"] for p in pending]
        person = await api.post("/api/v1/admin/people", headers=admin, json={
            "email": f"invite-{uuid.uuid4().hex[:6]}@exemple.fr", "full_name": "Invited Person",
            "role": "back_office", "language": "en"})
        assert person.status_code == 201, person.text
        invitation = (await api.post(f"/api/v1/admin/people/{person.json()['id']}/invitation",
                                     headers=admin)).json()
    context = await browser.new_context(viewport=LAPTOP, base_url=running_app.base_url,
                                        bypass_csp=True,
                                        locale="en-GB")
    try:
        page = await context.new_page()
        await page.goto(invitation["link"])
        await page.get_by_role("heading", level=1, name="Choose your password").wait_for()
        await page.get_by_label("Choose a password").fill("invited-2026!")
        await page.get_by_label("The password again").fill("invited-2026!")
        assert await audit(page, "onboarding-laptop-en-invitation") == []
        await page.get_by_role("button", name="Save my password").click()
        await page.get_by_role("status").filter(has_text="Password saved").wait_for()
    finally:
        await context.close()
    async with httpx.AsyncClient(base_url=running_app.base_url, timeout=30) as api:
        signed = await api.post("/api/v1/auth/login", json={
            "email": person.json()["email"], "password": "invited-2026!"})
        assert signed.status_code == 200


async def _supplier_page(browser, app: RunningApp, email: str):  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=PHONE, base_url=app.base_url, bypass_csp=True,
                                        locale="en-GB")
    page = await context.new_page()
    words = WORDS["en"]
    await page.goto("/")
    await page.get_by_label(words["email"]).fill(email)
    await page.get_by_label(words["password"]).fill("fournisseur-2026")
    await page.get_by_role("button", name=words["submit"]).click()
    await page.get_by_role("button", name=words["later"]).click(timeout=15_000)
    await page.get_by_role("navigation", name=words["nav"]).wait_for()
    await reach_home(page)
    return context, page


async def test_rules_companies_organisations_and_a_supplier_admin(  # type: ignore[no-untyped-def]
        browser, running_app: RunningApp) -> None:
    company = f"Reliure {uuid.uuid4().hex[:4]}"
    number = siret()
    boss_email = await _register_supplier(running_app, company, number, "Rémi Relieur", "en")
    context, page = await _admin_page(browser, running_app, PHONE, "fr")
    try:
        # The platform admin approves the request that makes the company: its requester
        # becomes the company's admin.
        await page.evaluate(GO_TO, "/admin/suppliers")
        await page.get_by_role("button", name=f"Accepter — {company}").click()
        await page.get_by_role("status").filter(has_text=f"{company} : compte ouvert.").wait_for()

        # A rule set version: a past date is refused in words, a later one is added.
        await page.evaluate(GO_TO, "/admin")
        await page.get_by_role("link", name="Versions des règles de frais").click()
        await page.get_by_role("heading", name="state-2023").wait_for()
        form = page.locator("form").filter(
            has=page.get_by_role("heading", name="Ajouter une version"))
        await form.get_by_label("Nom de la version", exact=True).fill("ministere-2027")
        await form.get_by_label("Date de début").fill("2020-01-01")
        await form.get_by_label("Indemnité de repas").fill("25,50")
        await form.get_by_role("button", name="Ajouter une version").click()
        await form.get_by_role("alert").filter(
            has_text="Une nouvelle version des règles ne peut pas prendre effet dans le passé."
        ).wait_for()
        assert await page.get_by_role("heading", name="ministere-2027").count() == 0
        assert await audit(page, "admin-phone-fr-rules-refused") == []
        start = (datetime.now(UTC).date() + timedelta(days=40)).isoformat()
        await form.get_by_label("Date de début").fill(start)
        await form.get_by_role("button", name="Ajouter une version").click()
        await page.get_by_role("status").filter(
            has_text="Version ministere-2027 ajoutée").wait_for()
        card = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name="ministere-2027"))
        assert "25,50" in await card.inner_text()
        in_force = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name="state-2023"))
        assert "En vigueur aujourd’hui" in await in_force.inner_text()

        # A supplier company: a wrong SIRET is refused with its message, then a right one.
        await page.evaluate(GO_TO, "/admin/companies")
        add = page.locator("form").filter(
            has=page.get_by_role("heading", name="Ajouter une entreprise"))
        new_company, good = f"Papeterie {uuid.uuid4().hex[:4]}", siret()
        await add.get_by_label("Raison sociale").fill(new_company)
        wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
        await add.get_by_label("SIRET (14 chiffres)").fill(wrong)
        await add.get_by_role("button", name="Ajouter une entreprise").click()
        await add.get_by_role("alert").filter(has_text="Numéro SIRET invalide").wait_for()
        await add.get_by_label("SIRET (14 chiffres)").fill(good)
        await add.get_by_role("button", name="Ajouter une entreprise").click()
        await page.get_by_role("status").filter(has_text=f"{new_company} ajoutée.").wait_for()
        card = page.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name=new_company, exact=True))
        await card.get_by_text(f"Ajouter un utilisateur à {new_company}").click()
        await card.get_by_label("Adresse e-mail").fill(f"paul-{uuid.uuid4().hex[:6]}@papeterie.fr")
        await card.get_by_label("Nom complet").fill("Paul Papetier")
        await card.get_by_label("Administrateur de l’entreprise").check()
        await card.get_by_role("button", name="Ajouter l’utilisateur").click()
        users = card.get_by_role("list", name=f"Utilisateurs de {new_company}")
        await users.get_by_text("Paul Papetier").wait_for()
        assert "Mot de passe pas encore choisi" in await users.inner_text()
        assert "Administrateur de l’entreprise" in await users.inner_text()
        await card.get_by_role("button", name="Lien d’invitation — Paul Papetier").click()
        link = card.get_by_role("status").filter(has_text="Lien d’invitation pour Paul Papetier")
        assert "/invitation#" in await link.inner_text()
        assert await audit(page, "admin-phone-fr-companies-added") == []

        # Another organisation with its first admin and invitation link.
        await page.evaluate(GO_TO, "/admin/organisations")
        hospital = f"CHU {uuid.uuid4().hex[:4]}"
        await page.get_by_label("Nom de l’organisation").fill(hospital)
        await page.get_by_label("SIRET (14 chiffres)").fill(siret())
        await page.get_by_label("Type d’organisation").select_option("hospital")
        await page.get_by_role("group", name="Son premier administrateur").get_by_label(
            "Adresse e-mail").fill(f"admin-{uuid.uuid4().hex[:6]}@chu.fr")
        await page.get_by_role("group", name="Son premier administrateur").get_by_label(
            "Nom complet").fill("Agnès Hôpital")
        await page.get_by_role("button", name="Créer une organisation").click()
        made = page.get_by_role("status").filter(
            has_text=f"{hospital} créée (délai légal de paiement : 50 jours).")
        await made.wait_for()
        assert "/invitation#" in await made.inner_text()
        await page.get_by_role("heading", name=hospital).wait_for()
        assert await audit(page, "admin-phone-fr-organisation-created") == []
    finally:
        await context.close()

    # Later: a colleague asks to join the company, a stranger asks for another company.
    await _register_supplier(running_app, company, number, "Chloé Colleague")
    await _register_supplier(running_app, "Serrurerie Tierce", siret(), "Simon Stranger")
    context, page = await _supplier_page(browser, running_app, boss_email)
    try:
        await page.get_by_role("link", name=f"Account requests for {company}").click()
        await page.get_by_role("heading", level=1, name="Account requests").wait_for()
        await page.get_by_role("heading", name="Chloé Colleague").wait_for()
        assert await page.get_by_role("heading", name="Simon Stranger").count() == 0
        assert await audit(page, "supplier-admin-phone-en-requests") == []
        assert await small_targets(page) == []
        await page.set_viewport_size(LAPTOP)
        assert await audit(page, "supplier-admin-laptop-en-requests") == []
        await page.get_by_role("button", name="Approve — Chloé Colleague").click()
        await page.get_by_role("status").filter(
            has_text="Chloé Colleague: account opened.").wait_for()
        await page.get_by_text("No request waiting.").wait_for()
    finally:
        await context.close()
