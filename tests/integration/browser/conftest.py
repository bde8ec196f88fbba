"""Browser tests: the real app (built PWA + Litestar under granian) on a free loopback port with
its own fresh SQLite data directory, driven by Debian's chromium through Playwright at phone size.

Screenshots go to ``artefacts/browser/`` (git-ignored): look at them after a run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
ARTEFACTS = ROOT / "artefacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 640}

# What the phones showed when a journey failed (the address, the screen's text, the errors the
# page logged) and the end of the server's log, printed at the end of the run: CI keeps only
# the output's tail, and a screenshot on this machine does not reach it.
_CALL_FAILED = pytest.StashKey[bool]()
_failed_journeys: list[str] = []


@dataclass
class RunningApp:
    base_url: str
    password: str
    people: dict[str, dict[str, str]]
    supplier_siret: str = ""
    integration_key: str = ""

    def email(self, person: str) -> str:
        return self.people[person]["email"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "NOMADE_ENV": "test",
            "NOMADE_SECRET_KEY": "browser-test-secret-" + "y" * 40,
            "NOMADE_DATA_DIR": str(data_dir),
            "NOMADE_PWA_DIST": str(ROOT / "pwa" / "dist"),
            "NOMADE_LOG_JSON": "false",
            "NOMADE_LOG_LEVEL": "WARNING",
        }
    )
    return env


@pytest.fixture(scope="session")
def built_pwa() -> Path:
    """pwa/dist, built once per session by the same script the README uses."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    subprocess.run(["bash", str(ROOT / "infra" / "build-pwa.sh")], check=True, cwd=ROOT)
    return ROOT / "pwa" / "dist"


@pytest.fixture(scope="session")
def running_app(built_pwa: Path) -> Iterator[RunningApp]:
    """The real server, migrated, with a demo organisation (agent, manager, supplier...)."""
    data_dir = Path(tempfile.mkdtemp(prefix="nomade-browser-"))
    env = _server_env(data_dir)
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.integration.browser.seed_people"],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    org = json.loads(seeded.stdout.strip().splitlines()[-1])  # migrate() prints before the JSON
    port = _free_port()
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://localhost:{port}"  # localhost: a secure context for the service worker
    try:
        # Generous: a loaded machine (CI beside other jobs) starts granian and its worker slowly;
        # a server that exits early still fails at once (poll below).
        deadline = time.monotonic() + 150
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {(data_dir / 'server.log').read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield RunningApp(base_url=base_url, password=org["password"], people=org["people"],
                         supplier_siret=org["supplier_siret"],
                         integration_key=org["integration_key"])
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if _failed_journeys:  # the server's warnings and errors, beside what the phones showed
            said = (data_dir / "server.log").read_text(errors="replace").splitlines()
            _failed_journeys.extend(["== the server's log (warnings and errors), its end:",
                                     *[line[:400] for line in said[-40:]]])
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=CHROMIUM)
        yield instance
        await instance.close()




@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        item.stash[_CALL_FAILED] = True
        crash = getattr(report.longrepr, "reprcrash", None)  # kept even when retried
        _failed_journeys.append(f"== {item.nodeid}: {getattr(crash, 'message', report.longrepr)}"
                                [:1_500])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _failed_journeys:
        terminalreporter.section("what the phones showed when a journey failed")
        for note in _failed_journeys:
            terminalreporter.write_line(note)


async def _screen_of(page: Any) -> str:
    with suppress(Exception):
        text = await page.locator("body").inner_text(timeout=2_000)
        return " ".join(text.split())[-2_500:]
    return "(the page did not answer)"


@pytest.fixture(autouse=True)
async def _remember_the_screens(request: pytest.FixtureRequest,
                                browser: Any) -> AsyncIterator[None]:
    """Every context a journey opens is remembered as it closes (its pages' addresses and text,
    the errors they logged); when the journey failed, that goes into the run's summary."""
    seen: list[str] = []
    request.node.stash[_CALL_FAILED] = False  # a journey retried in CI starts again clean
    original = browser.new_context

    async def new_context(**options: Any) -> Any:
        context = await original(**options)
        errors: list[str] = []
        context.on("weberror", lambda e: errors.append(f"page error: {e.error}"))
        context.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
                   if m.type in ("error", "warning") else None)
        close = context.close

        async def close_and_remember(**kwargs: Any) -> None:
            for page in context.pages:
                seen.append(f"{page.url}\n  screen: {await _screen_of(page)}")
            seen.extend(f"  {e}"[:400] for e in errors[-15:])
            await close(**kwargs)

        context.close = close_and_remember
        return context

    browser.new_context = new_context
    try:
        yield
    finally:
        browser.new_context = original
        if request.node.stash.get(_CALL_FAILED, False):
            _failed_journeys.extend(seen)


@pytest.fixture
async def phone(browser, running_app: RunningApp) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    """A fresh phone-sized browser context (its own storage) on the running app.

    ``bypass_csp``: Playwright's own helpers (string predicates, axe-core injection) evaluate
    code the app's Content-Security-Policy forbids; test_csp.py runs the app under it."""
    context = await browser.new_context(
        bypass_csp=True,
        viewport=PHONE,
        base_url=running_app.base_url,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    yield context
    await context.close()


def screenshot_path(name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS / f"{name}.png"


AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
# The accessibility statement's data (pwa/src/app/accessibility.ts reads it; the build ships it):
# what every audit() of the browser tests found, screen by screen, merged run after run.
AXE_SUMMARY = ROOT / "pwa" / "src" / "app" / "accessibility-audit.json"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_audited: dict[str, dict[str, object]] = {}


async def audit(page, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Runs axe-core (WCAG 2.0/2.1 A and AA) on the page; returns serious or critical violations.

    Also saves a phone-size screenshot named ``name`` and records the whole result (every
    impact, the rules passed) for the accessibility statement (:data:`AXE_SUMMARY`).
    """
    await page.screenshot(path=screenshot_path(name), full_page=True)
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
          return {
            version: r.testEngine.version,
            passes: r.passes.map(p => p.id),
            incomplete: r.incomplete.map(p => p.id),
            violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.length,
              targets: v.nodes.map(n => n.target.join(' ')) })),
          };
        }""",
        AXE_TAGS,
    )
    _audited[name] = {
        "audited_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "path": await page.evaluate("location.pathname"),
        "axe": result["version"], "passes": sorted(result["passes"]),
        "incomplete": sorted(result["incomplete"]),
        "violations": [{k: v[k] for k in ("id", "impact", "help", "nodes")}
                       for v in result["violations"]],
    }
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="session", autouse=True)
def _write_axe_summary() -> Iterator[None]:
    """After the browser tests run with ``NOMADE_RECORD_AXE=1``, merge what their audits found
    into :data:`AXE_SUMMARY` (a run of some tests updates their screens and keeps the others'
    last results). Off by default, so a test run never changes a committed file; refresh the
    statement's figures with ``NOMADE_RECORD_AXE=1 uv run pytest -m browser``."""
    yield
    if not _audited or os.environ.get("NOMADE_RECORD_AXE") != "1":
        return
    previous = json.loads(AXE_SUMMARY.read_text()) if AXE_SUMMARY.is_file() else {}
    screens = {**previous.get("screens", {}), **_audited}
    summary = {"tool": "axe-core", "tags": AXE_TAGS,
               "updated_at": max(str(s["audited_at"]) for s in screens.values()),
               "screens": dict(sorted(screens.items()))}
    AXE_SUMMARY.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")


async def small_targets(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Buttons, form fields and navigation links smaller than 44 × 44 CSS px (inline text links
    are exempt, as in WCAG 2.5.5)."""
    return list(
        await page.evaluate(
            """() => [...document.querySelectorAll(
              'button, input:not(.sr-only):not([type=checkbox]):not([type=radio]), ' +
              'select, textarea, nav a, a.button, label.button, summary')]
          .filter(e => e.offsetParent !== null)
          .map(e => [e, e.getBoundingClientRect()])
          .filter(([e, r]) => r.width < 44 || r.height < 44)
          .map(([e, r]) => `${e.tagName.toLowerCase()} "${(e.textContent || e.id).trim()}"`
            + ` ${Math.round(r.width)}x${Math.round(r.height)}`)"""
        )
    )


GO_TO = "p => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }"
"""Client-side navigation to a path, as the app's own links do."""


async def sign_in(page, running_app: RunningApp, person: str, *, demo: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Signs ``person`` in through the sign-in page (in French or English, as the browser's
    locale makes it) and skips the PIN offer."""
    await page.goto("/?demo=1" if demo else "/")
    await page.get_by_label(re.compile("^(Adresse e-mail|Email address)$")).fill(
        running_app.email(person))
    await page.get_by_label(re.compile("^(Mot de passe|Password)$")).fill(running_app.password)
    await page.get_by_role("button", name=re.compile("^(Se connecter|Sign in)$")).click()
    await page.get_by_role("button", name=re.compile("^(Plus tard|Not now)$")).click(
        timeout=15_000)
    await _home_screen_reached(page)


async def restart_app(page) -> None:  # type: ignore[no-untyped-def]
    """Starts the app again at "/" (a phone reopening it) and waits for the home screen."""
    await page.goto("/")
    await _home_screen_reached(page)


async def _home_screen_reached(page) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_role(
        "navigation", name=re.compile("^(Navigation principale|Main navigation)$")).wait_for()
    await reach_home(page)


async def reach_home(page) -> None:  # type: ignore[no-untyped-def]
    """Waits, after signing in, until the app has sent "/" on to the person's home screen.

    The navigation bar shows before that redirect runs, so a test's own navigation right after
    it could be overtaken: the redirect replaced its page (the two-phones journey landed on the
    missions list, the admin journey on the organisation screen instead of the registrations)."""
    await page.wait_for_function("location.pathname !== '/'", timeout=15_000)


async def api_login(client: httpx.AsyncClient, app: RunningApp, person: str) -> dict[str, str]:
    """Bearer headers of ``person`` signed in through the API (its own device)."""
    response = await client.post(
        "/api/v1/auth/login", json={"email": app.email(person), "password": app.password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def watch_service_worker(context, page) -> list[str]:  # type: ignore[no-untyped-def]
    """Enables CDP's ServiceWorker domain; the returned list fills with registration ids."""
    cdp = await context.new_cdp_session(page)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(
            r["registrationId"] for r in event["registrations"] if not r.get("isDeleted")
        ),
    )
    await cdp.send("ServiceWorker.enable")
    page._nomade_cdp = cdp  # kept with the page for deliver_push
    return registrations


async def deliver_push(page, base_url: str, registration_id: str, plaintext: bytes) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """Hands a decrypted push body to the page's real service worker (CDP
    ``ServiceWorker.deliverPushMessage``) and returns the notifications it then shows."""
    import asyncio

    await page._nomade_cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base_url, "registrationId": registration_id, "data": plaintext.decode()},
    )
    for _ in range(100):
        shown = await page.evaluate(
            """() => navigator.serviceWorker.ready
                .then(r => r.getNotifications())
                .then(ns => ns.map(n => ({title: n.title, body: n.body, data: n.data,
                                          actions: n.actions.map(a => a.action)})))"""
        )
        if shown:
            return list(shown)
        await asyncio.sleep(0.1)
    return []
