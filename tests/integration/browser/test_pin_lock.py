"""The PIN that works (issue 17 item 7): a phone with a PIN starts locked, unlocks offline, syncs
once back online (the server's unlock happened), locks after inactivity, and five wrong PINs
wipe the session so that the password is needed."""

from __future__ import annotations

import pytest

from tests.integration.browser.conftest import RunningApp, audit, screenshot_path, small_targets

pytestmark = pytest.mark.browser

PIN = "4826"
ALL_SENT = "document.querySelector('header')?.innerText.includes('Tout est envoyé')"


async def _unlock(page, pin: str) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_label("Code", exact=True).fill(pin)
    await page.get_by_role("button", name="Déverrouiller").click()


async def _unlock_online(page, pin: str) -> None:  # type: ignore[no-untyped-def]
    """Unlock and wait for the server's answer: reloading while it runs would present the same
    refresh token twice (the server then revokes the device, as for any token reuse)."""
    async with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/unlock")) as answer:
        await _unlock(page, pin)
    assert (await answer.value).status == 200


async def test_pin_locks_unlocks_offline_syncs_and_wipes_after_five_wrong(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    seen: list[str] = []

    async def note(response) -> None:  # type: ignore[no-untyped-def]
        if "/auth/" in response.url or response.status >= 400:
            body = (await response.text())[:60] if response.status >= 400 else ""
            seen.append(f"{response.request.method} {response.url.split('/', 3)[-1]} "
                        f"{response.status} {body}")

    page.on("response", note)
    page.on("requestfailed", lambda r: seen.append(f"FAILED {r.method} {r.url.split('/', 3)[-1]}"))
    await page.goto("/")
    await page.get_by_label("Adresse e-mail").fill(running_app.email("agent_pin"))
    await page.get_by_label("Mot de passe").fill(running_app.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", name="Choisir un code").wait_for(timeout=15_000)
    await page.get_by_label("Code", exact=True).fill(PIN)
    await page.get_by_label("Confirmer le code").fill(PIN)
    await page.get_by_role("button", name="Enregistrer le code").click()
    await page.get_by_role("heading", name="Mes missions").wait_for(timeout=15_000)
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    # the refresh token is no longer stored in clear on the phone
    stored = await page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('nomade');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('meta').objectStore('meta').get('session');
          get.onsuccess = () => { resolve(get.result); open.result.close(); };
        };
      })""")
    assert stored["refresh_token"] == "" and stored["vault"]["data"], stored

    # A reload (an app start) shows the lock screen, not the missions.
    await page.reload()
    await page.get_by_role("heading", name="Déverrouiller").wait_for(timeout=15_000)
    assert await page.get_by_role("heading", name="Mes missions").count() == 0
    assert await audit(page, "pin-lock-screen") + await small_targets(page) == []

    # Offline: the PIN opens the app on the phone and work goes on.
    await phone.set_offline(True)
    await page.reload()
    await page.get_by_role("heading", name="Déverrouiller").wait_for(timeout=15_000)
    await _unlock(page, PIN)
    await page.get_by_role("heading", name="Mes missions").wait_for(timeout=15_000)
    await page.get_by_role("status").filter(has_text="Hors ligne").wait_for()
    await page.get_by_role("link", name="Nouvelle mission").click()
    await page.get_by_label("Objet").fill("Réunion PIN à Nantes")
    await page.get_by_label("Destination").fill("Nantes")
    await page.get_by_label("Départ (heure locale)").fill("2026-12-09T08:00")
    await page.get_by_label("Retour (heure locale)").fill("2026-12-10T19:00")
    await page.get_by_role("button", name="Créer la mission").click()
    await page.get_by_role("heading", name="Réunion PIN à Nantes").wait_for()
    assert "1 modification en attente" in await page.locator("header").inner_text()
    await page.screenshot(path=screenshot_path("pin-unlocked-offline"))

    # Back online: the server unlocks the session with the PIN and the mission is accepted.
    await phone.set_offline(False)
    await page.wait_for_function(ALL_SENT, timeout=30_000)
    await page.get_by_role("link", name="Tout est envoyé.").click()
    await page.get_by_role("heading", name="Synchronisation").wait_for()
    assert "non accept" not in await page.locator("main").inner_text()

    # Settings offer the inactivity delay and an immediate lock.
    await page.get_by_role("link", name="Réglages").click()
    delay = page.get_by_role("group", name="Verrouiller l’application après")
    await delay.wait_for()
    assert await delay.get_by_role("radio", name="5 min sans utilisation", exact=True).is_checked()
    assert await audit(page, "pin-settings") == []
    await delay.get_by_role("button", name="Verrouiller maintenant").click()
    await page.get_by_role("heading", name="Déverrouiller").wait_for()
    await _unlock_online(page, PIN)
    await page.get_by_role("navigation", name="Navigation principale").wait_for(timeout=15_000)

    # Inactivity locks the app (the setting shortened to 3 s for the test).
    await page.evaluate("localStorage.setItem('nomade.lockAfter', '0.05')")
    await page.reload()
    await _unlock_online(page, PIN)
    await page.get_by_role("navigation", name="Navigation principale").wait_for(timeout=15_000)
    try:
        await page.get_by_role("heading", name="Déverrouiller").wait_for(timeout=20_000)
    except Exception:
        await page.screenshot(path=screenshot_path("pin-idle-not-locked"))
        raise AssertionError("\n".join(seen[-12:])) from None

    # Five wrong PINs in a row: the session on the phone is wiped; the password is needed.
    for left in (4, 3, 2, 1):
        await _unlock(page, "0000")
        await page.get_by_role("alert").filter(has_text=f"Encore {left} essai").wait_for()
    await page.screenshot(path=screenshot_path("pin-wrong-attempts-left"))
    await _unlock(page, "0000")
    await page.get_by_role("heading", name="Connexion").wait_for(timeout=15_000)
    assert "session sur ce téléphone est effacée" in await page.get_by_role("alert").inner_text()
    await page.screenshot(path=screenshot_path("pin-wiped-signin"))
    await page.reload()
    await page.get_by_role("heading", name="Connexion").wait_for(timeout=15_000)
