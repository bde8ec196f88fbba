"""Proof journey of an agent abroad with an advance (#17), on data created and synced through
the product, in French and in English: the organisation's admin adds a rule-set version with a
daily allowance for Germany (Nomade ships no country table); offline, the agent creates a
mission to Berlin by plane, asks for an advance and sends it; back online the mission shows the
allowance abroad, the expected amount and the advance the server computed, which are also
checked here against the rule itself (65 % of the daily rate per night, 17.5 % per meal, an
advance of 75 %). The manager approves; the agent photographs a taxi receipt (euros), in French
the hotel's bill (nights abroad are paid on proof of lodging: without it, in English, the claim
pays the meals' share and part of the advance is to pay back), and an in-flight Wi-Fi receipt in
dollars without a rate: the submission is refused (FX_RATE_MISSING), named on the claim with the
line; the agent deletes that line (in French) or types the rate of the day on it (in English)
and submits again; the claim shows what it comes to: receipts, allowances, the advance
deducted, what is left to pay (or to pay back).
Phone size, Debian's chromium, the real server; axe finds no serious or critical violation."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from bench.synthetic_receipts import render_receipt
from tests.integration.browser.conftest import GO_TO, PHONE, RunningApp, api_login, audit, sign_in
from tests.integration.browser.test_agent_road import decide, read_row
from tests.integration.browser.test_receipt_ocr import shot

pytestmark = pytest.mark.browser

DAILY_DE_CENTS = 14_000  # the organisation's daily allowance for Germany, in this test's rules

WORDS: dict[str, dict[str, str]] = {
    "fr": {"offline": "Hors ligne", "new": "Nouvelle mission", "purpose": "Objet",
           "destination": "Destination", "country": "Pays",
           "departs": "Arrivée à destination (heure locale)",
           "returns": "Départ de la destination (heure locale)", "transport": "Transport",
           "advance": "Demander une avance (mission à l’étranger)",
           "create": "Créer la mission", "send": "Envoyer pour validation",
           "pending": "En attente d’envoi", "sync": "Synchroniser", "synced": "Tout est envoyé",
           "allowance": "Indemnités (calculées par le serveur)", "meals": "Repas",
           "nights": "Nuitées", "abroad": "Indemnité journalière à l’étranger",
           "expected": "Montant prévu", "advance_amount": "Avance", "approved": "Validée",
           "claim": "État de frais", "attached": "Justificatif de la ligne, pas encore lu",
           "attached2": "Justificatif joint.", "category": "Catégorie",
           "merchant": "Commerçant", "amount": "Montant TTC (€)", "vat": "Taux de TVA (%)",
           "amount_usd": "Montant TTC (USD)", "currency": "Devise",
           "rate": "Taux du jour (€ pour 1 USD)", "save": "Enregistrer",
           "submit": "Envoyer l’état de frais",
           "refused_below": "Envoyé, mais 1 modification(s) non acceptée(s) : voir ci-dessous.",
           "refused": "Non acceptée : Envoi d’un état de frais",
           "no_rate": "n'a pas de taux de change", "fix": "Corriger",
           "delete": "Supprimer cette ligne", "confirm": "Confirmer : supprimer cette ligne",
           "dismiss": "Compris", "receipts": "Justificatifs retenus",
           "allowances": "Indemnités (horaires de la mission)",
           "advance_paid": "Avance déjà versée", "to_pay": "À vous verser",
           "withdraw": "Retirer l’état de frais", "entered": "Justificatifs saisis",
           "to_repay": "À reverser (l’avance était plus élevée)",
           "foreign_later": "Les lignes dans une autre devise ne sont pas dans cette somme"},
    "en": {"offline": "Offline", "new": "New mission", "purpose": "Purpose",
           "destination": "Destination", "country": "Country",
           "departs": "Arrival at the destination (local time)",
           "returns": "Departure from the destination (local time)",
           "transport": "Transport", "advance": "Ask for an advance (mission abroad)",
           "create": "Create the mission", "send": "Send for approval",
           "pending": "Waiting to sync", "sync": "Sync now", "synced": "Everything is sent",
           "allowance": "Allowances (computed by the server)", "meals": "Meals",
           "nights": "Nights", "abroad": "Daily allowance abroad", "expected": "Expected",
           "advance_amount": "Advance", "approved": "Approved", "claim": "Expense claim",
           "attached": "Receipt of the line, not read yet", "attached2": "Receipt attached.",
           "category": "Category", "merchant": "Merchant", "amount": "Amount incl. VAT (€)",
           "vat": "VAT rate (%)",
           "amount_usd": "Amount incl. VAT (USD)", "currency": "Currency",
           "rate": "Rate of the day (€ for 1 USD)", "save": "Save",
           "submit": "Submit the claim",
           "refused_below": "Sent, but 1 change(s) were not accepted: see below.",
           "refused": "Not accepted: Submitting an expense claim",
           "no_rate": "has no exchange rate", "fix": "Fix it", "delete": "Delete this line",
           "confirm": "Confirm: delete this line", "dismiss": "Understood",
           "receipts": "Receipts counted", "allowances": "Allowances (mission times)",
           "advance_paid": "Advance already paid", "to_pay": "To be paid to you",
           "withdraw": "Withdraw the claim", "entered": "Receipts entered",
           "to_repay": "To pay back (the advance was higher)",
           "foreign_later": "Lines in another currency are not in this sum"},
}


def money(cents: int, lang: str) -> str:
    """Euros as the app shows them (amounts below 1,000 € here: no thousands separator)."""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d} €" if lang == "fr" else f"€{euros}.{rest:02d}"


def receipt_photo(seed: int) -> bytes:
    """A photographed receipt of its own for each line (the same photo twice would be flagged
    as a receipt already claimed)."""
    photo, _truth = render_receipt(seed)
    out = io.BytesIO()
    photo.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def typed_amount(cents: int, lang: str) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}" if lang == "fr" else f"{euros}.{rest:02d}"


def expected_abroad(daily_cents: int, *, nights: int, meals: int) -> tuple[int, int]:
    """The rule (arrêté du 3 juillet 2006, art. 3; /work/shared/domain.md): 65 % of the daily
    allowance per night, 17.5 % per meal; an advance of 75 % of the expected allowance."""
    night = Decimal(daily_cents) * Decimal("0.65")
    meal = Decimal(daily_cents) * Decimal("0.175")
    total = (nights * night + meals * meal).quantize(Decimal(1), ROUND_HALF_UP)
    advance = (total * Decimal("0.75")).quantize(Decimal(1), ROUND_DOWN)
    return int(total), int(advance)


async def add_rule_set_for_germany(app: RunningApp, tag: str) -> None:
    """The admin adds, from today, the version in force plus a daily rate for Germany."""
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        headers = await api_login(api, app, "admin")
        versions = (await api.get("/api/v1/admin/rule-sets", headers=headers)).json()
        current = next(v for v in versions if v["in_force_today"])["rules"]
        new = {**current, "name": f"abroad-de-{tag}",
               "valid_from": datetime.now(UTC).date().isoformat(), "valid_until": None,
               "abroad_daily_cents": {**current.get("abroad_daily_cents", {}),
                                      "DE": DAILY_DE_CENTS}}
        response = await api.post("/api/v1/admin/rule-sets", json=new, headers=headers)
        assert response.status_code == 201, response.text
        assert [v["rules"]["abroad_daily_cents"].get("DE") for v in response.json()
                if v["name"] == new["name"]] == [DAILY_DE_CENTS], response.text


async def sync(page, words: dict[str, str], until: str | None = None) -> None:  # type: ignore[no-untyped-def]
    await page.evaluate(GO_TO, "/sync")
    await page.get_by_role("button", name=words["sync"]).click()
    await page.get_by_text(until or words["synced"]).first.wait_for(timeout=45_000)


async def photographed_line(page, words: dict[str, str], *, seed: int, currency: str,  # type: ignore[no-untyped-def]
                            merchant: str, category: str, day: date, amount: str) -> None:
    """One tap on the claim's camera button, then the line's fields typed on its editor."""
    await page.locator("input#capture").set_input_files(files=[{
        "name": "IMG_receipt.jpg", "mimeType": "image/jpeg", "buffer": receipt_photo(seed)}])
    await page.get_by_text(words["attached"]).or_(
        page.get_by_text(words["attached2"])).first.wait_for(timeout=20_000)
    await page.get_by_label(words["category"]).select_option(category)
    await page.get_by_label(words["merchant"]).fill(merchant)
    await page.locator("#spent_on").fill(day.isoformat())  # its label may carry a confidence
    await page.get_by_label(words["currency"]).select_option(currency)
    await page.get_by_label(words["amount"] if currency == "EUR" else words["amount_usd"]).fill(
        amount)
    # Whatever the reading said (a receipt it could not read adds a sentence to check), the
    # editor stays within the phone's width.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_agent_abroad_with_an_advance_deducted_from_the_claim(
        browser: Any, running_app: RunningApp, lang: str) -> None:
    words, tag = WORDS[lang], uuid.uuid4().hex[:6]
    purpose = (f"Conférence à Berlin {tag}" if lang == "fr" else f"Conference in Berlin {tag}")
    await add_rule_set_for_germany(running_app, tag)
    today = datetime.now(UTC).date()
    leave, back = today + timedelta(days=2), today + timedelta(days=4)
    # Arrives 10:00 on day 1, leaves Berlin 21:30 on day 3 (Berlin time): both meal windows
    # of each of the 3 days wholly on mission (6 meals), the nights ending on days 2 and 3
    # (2 nights); no window is cut by a departure or a return, so the count is unambiguous.
    departs, returns = f"{leave.isoformat()}T10:00", f"{back.isoformat()}T21:30"
    abroad_cents, advance = expected_abroad(DAILY_DE_CENTS, nights=2, meals=6)
    assert (abroad_cents, advance) == (32_900, 24_675)  # 2 × 91 € + 6 × 24.50 €; 75 %

    context = await browser.new_context(viewport=PHONE, base_url=running_app.base_url,
                                        bypass_csp=True, device_scale_factor=2, is_mobile=True,
                                        has_touch=True,
                                        locale="fr-FR" if lang == "fr" else "en-GB")
    try:
        page = await context.new_page()
        await sign_in(page, running_app, "agent_abroad")
        await page.wait_for_function("navigator.serviceWorker.controller !== null",
                                     timeout=20_000)

        # Offline: the mission abroad, by plane, with an advance asked, sent for approval.
        await context.set_offline(True)
        await page.get_by_role("status").filter(has_text=words["offline"]).wait_for()
        await page.get_by_role("link", name=words["new"]).click()
        await page.get_by_label(words["purpose"]).fill(purpose)
        await page.get_by_label(words["destination"]).fill("Berlin")
        await page.get_by_label(words["country"]).select_option("DE")
        await page.get_by_label(words["departs"]).fill(departs)
        await page.get_by_label(words["returns"]).fill(returns)
        await page.get_by_label(words["transport"]).select_option("plane")
        await page.get_by_label(words["advance"]).check()
        assert await audit(page, f"agent-abroad-mission-form-{lang}") == []
        await page.get_by_role("button", name=words["create"]).click()
        await page.get_by_role("heading", name=purpose).wait_for()
        await page.get_by_role("button", name=words["send"]).click()
        await page.get_by_text(words["pending"]).first.wait_for()
        mission_url = page.url
        mission_id = mission_url.rstrip("/").split("/")[-1]

        # Online: the server computes the allowance abroad and the advance; the phone shows
        # exactly its figures, which are the rule's.
        await context.set_offline(False)
        await sync(page, words)
        await page.goto(mission_url)
        allowance = page.locator("section").filter(has_text=words["allowance"])
        await allowance.get_by_text(words["advance_amount"], exact=True).wait_for(timeout=30_000)
        stored = await read_row(running_app, "agent_abroad", "mission", mission_id)
        figures = stored["allowance"]
        assert (stored["state"], stored["country"], stored["transport"],
                stored["advance_requested"]) == ("submitted", "DE", "plane", True), stored
        assert (figures["meals"], figures["nights"], figures["abroad_cents"],
                figures["expected_cents"], figures["advance_cents"],
                figures["rate_missing"]) == (6, 2, abroad_cents, abroad_cents, advance,
                                              False), figures
        berlin = ZoneInfo("Europe/Berlin")
        assert stored["departs_at"] == datetime.fromisoformat(departs).replace(
            tzinfo=berlin).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), stored
        text = " ".join((await allowance.inner_text()).replace("\u202f", " ").split())
        for figure in (f"{words['meals']} 6", f"{words['nights']} 2",
                       f"{words['abroad']} {money(figures['abroad_cents'], lang)}",
                       f"{words['expected']} {money(figures['expected_cents'], lang)}",
                       f"{words['advance_amount']} {money(figures['advance_cents'], lang)}"):
            assert figure in text, (figure, text)
        await shot(page, f"agent-abroad-mission-allowance-{lang}", "section")
        assert await audit(page, f"agent-abroad-mission-allowance-{lang}-full") == []

        # The manager approves; the agent photographs a taxi receipt (euros) and an in-flight
        # Wi-Fi receipt in dollars, without a rate.
        await decide(running_app, "manager_b", "mission", mission_id, "approve")
        await sync(page, words)
        await page.goto(mission_url)
        await page.get_by_text(words["approved"]).first.wait_for(timeout=30_000)
        await page.get_by_role("button", name=words["claim"]).click()
        claim_heading = page.get_by_role("heading", name=f"{words['claim']} — {purpose}")
        await claim_heading.wait_for()
        claim_url = page.url
        claim_id = claim_url.rstrip("/").split("/")[-1]
        taxi_cents = 3_250
        await photographed_line(page, words, seed=3, currency="EUR", merchant="Taxi Berlin",
                                category="taxi", day=leave + timedelta(days=1),
                                amount=typed_amount(taxi_cents, lang))
        await page.get_by_label(words["vat"]).fill("10")  # passenger transport
        await page.get_by_role("button", name=words["save"]).click()
        await claim_heading.wait_for()
        # The nights abroad are paid on proof of lodging: in French the agent adds the hotel's
        # bill (paid by the daily allowance, not added); in English there is none, so the claim
        # pays the meals' share only and the advance (on the expected nights) exceeds it.
        if lang == "fr":
            await photographed_line(page, words, seed=11, currency="EUR",
                                    merchant="Hotel Berlin Mitte",
                                    category="lodging", day=back, amount="310,00")
            await page.get_by_role("button", name=words["save"]).click()
            await claim_heading.wait_for()
        allowance_cents = abroad_cents if lang == "fr" else abroad_cents - 2 * 9_100
        hotel_cents = 31_000 if lang == "fr" else 0
        await photographed_line(page, words, seed=7, currency="USD", merchant="Lufthansa Wi-Fi",
                                category="other", day=leave, amount=typed_amount(1_200, lang))
        rate = page.get_by_label(words["rate"])
        assert await rate.input_value() == ""  # left blank: the agent does not know it
        assert await audit(page, f"agent-abroad-line-usd-{lang}") == []
        await page.get_by_role("button", name=words["save"]).click()
        await claim_heading.wait_for()
        # The draft's sum is the euro lines only: 12 US$ are not added as if they were euros.
        await page.get_by_role("heading", name="Lufthansa Wi-Fi").wait_for()  # saved on the phone
        await page.get_by_text(words["foreign_later"]).wait_for()
        draft = " ".join((await page.locator("main").inner_text()).replace("\u202f", " ").split())
        assert f"{words['entered']} {money(taxi_cents + hotel_cents, lang)}" in draft, draft
        assert words["foreign_later"] in draft, draft
        if lang == "fr":  # the hotel is the proof of the nights abroad, not over a French cap
            assert "payées par l’indemnité journalière" in draft, draft
            assert "plafond de nuitée" not in draft, draft
        await page.get_by_role("button", name=words["submit"]).click()

        # No rate for the dollars: the submission is refused, named on the claim with the line.
        await sync(page, words, until=words["refused_below"])
        await page.goto(claim_url)
        refusal = page.get_by_role("alert").filter(has_text=words["refused"])
        await refusal.wait_for(timeout=20_000)
        said = await refusal.inner_text()
        assert "Lufthansa Wi-Fi" in said and words["no_rate"] in said, said
        assert "12" in said and "$" in said.replace("US$", "$"), said  # the line's own amount
        await shot(page, f"agent-abroad-claim-refused-{lang}")
        assert await audit(page, f"agent-abroad-claim-refused-{lang}-full") == []
        # In French the agent deletes the line; in English they type the rate of the day
        # (0.92 € for 1 US$: 12 US$ count as 11.04 €).
        await refusal.get_by_role("link", name=words["fix"]).click()
        await page.get_by_role("heading", name="Lufthansa Wi-Fi").wait_for()
        dollars_cents = 0
        if lang == "fr":
            await page.get_by_role("button", name=words["delete"]).click()
            await page.get_by_role("button", name=words["confirm"]).click()
        else:
            await page.get_by_label(words["rate"]).fill("0.92")
            await page.get_by_role("button", name=words["save"]).click()
            dollars_cents = 1_104
        await claim_heading.wait_for()
        await page.get_by_role("alert").filter(has_text=words["refused"]).get_by_role(
            "button", name=words["dismiss"]).click()
        await page.get_by_role("button", name=words["submit"]).click()
        await sync(page, words)

        # What the claim comes to: the server's figures, the advance deducted.
        claim = await read_row(running_app, "agent_abroad", "expense_claim", claim_id)
        assert (claim["state"], claim["allowance_cents"], claim["advance_cents"],
                claim["total_cents"]) == ("submitted", allowance_cents, advance,
                                          taxi_cents + dollars_cents + allowance_cents), claim
        if lang == "fr":  # the hotel is paid by the allowance: no French cap applies to it
            hotel = [f["code"] for f in claim["findings"]
                     if f["line_id"] in {f["line_id"] for f in claim["findings"]
                                         if f["code"] == "PAID_BY_ALLOWANCE"}]
            assert "PAID_BY_ALLOWANCE" in hotel and "LODGING_OVER_CAP" not in hotel, hotel
        await page.goto(claim_url)
        await page.get_by_role("button", name=words["withdraw"]).wait_for(timeout=30_000)
        assert ("Lufthansa" in await page.locator("main").inner_text()) == (lang == "en")
        totals = page.locator("[data-claim-totals]")
        text = " ".join((await totals.inner_text()).replace("\u202f", " ").split())
        due = claim["total_cents"] - claim["advance_cents"]
        assert due == taxi_cents + dollars_cents + allowance_cents - advance == {
            "fr": 11_475, "en": -5_621}[lang]  # in English 56.21 € of the advance to pay back
        receipts = claim["total_cents"] - claim["allowance_cents"]
        assert receipts == taxi_cents + dollars_cents
        for figure in (
                f"{words['receipts']} {money(receipts, lang)}",
                f"{words['allowances']} {money(claim['allowance_cents'], lang)}",
                f"Total {money(claim['total_cents'], lang)}",
                f"{words['advance_paid']} − {money(claim['advance_cents'], lang)}",
                f"{words['to_pay'] if due >= 0 else words['to_repay']} {money(abs(due), lang)}"):
            assert figure in text, (figure, text)
        await shot(page, f"agent-abroad-claim-totals-{lang}", "[data-claim-totals]")
        assert await audit(page, f"agent-abroad-claim-totals-{lang}-full") == []
    finally:
        await context.close()
