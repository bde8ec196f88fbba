"""Bytes on the wire, compressed and not: ``uv run python bench/compression_bench.py``.

Through the real application (in-process ASGI, SQLite) in one run:

* the first visit of the sign-in page: every file the browser fetches for it (the HTML, the
  scripts and style sheet it links, the manifest and icon) and then what the service worker's
  install adds (``sw.js`` and its precache list, less what the page already put in the HTTP
  cache), each asked once as a browser asks (``Accept-Encoding: gzip, deflate, br, zstd``) and
  once with ``identity``;
* an initial pull of 10,000 expense lines in the phone's pages (``limit`` 500), with
  ``Accept-Encoding: gzip`` and with ``identity``, alternating page by page; also the server's
  time per pull, compressed and not.

Bytes are the response's status line, headers and body as sent. Targets: first visit (page)
≤ 50 KB; the pull at least 5× smaller. Writes ``bench/results/compression.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BROWSER = "gzip, deflate, br, zstd"
PHONE_PULL_LIMIT = 500  # pwa/src/data/engine.ts: pullLimit
PAGE_TARGET = 50 * 1024
PULL_TARGET_RATIO = 5.0


def _wire_bytes(response: Any) -> int:
    """Status line + headers + body as the server sent them (the body still encoded)."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
    head += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
    return head + int(response.num_bytes_downloaded)


def first_visit_files(dist: Path) -> tuple[list[str], list[str]]:
    """What the browser fetches for the sign-in page, then what the service worker adds."""
    html = (dist / "index.html").read_text()
    page = ["/"]
    for match in re.finditer(r'<(?:script|link)\b([^>]*)>', html):
        attrs = match.group(1)
        rel = re.search(r'rel="([^"]+)"', attrs)
        url = re.search(r'(?:src|href)="(/[^"]+)"', attrs)
        if url is None or (rel is not None and rel.group(1) == "apple-touch-icon"):
            continue  # iOS only: a desktop or Android browser does not ask for it
        page.append(url.group(1))
    worker = ["/sw.js"]
    sw = (dist / "sw.js").read_text()
    for entry in re.finditer(r'\{"revision":(null|"[^"]*"),"url":"([^"]+)"\}', sw):
        url = "/" + entry.group(2)
        revisioned = entry.group(1) != "null"  # fetched with cache: reload, so again
        if url in worker or (url in page and not revisioned):
            continue
        worker.append(url)
    return page, worker


async def _files(http: Any, urls: list[str]) -> dict[str, Any]:
    rows = []
    for url in urls:
        sizes = {}
        for label, accept in (("compressed", BROWSER), ("identity", "identity")):
            response = await http.get(url, headers={"Accept-Encoding": accept})
            assert response.status_code == 200, (url, response.status_code)
            sizes[label] = _wire_bytes(response)
            sizes[f"{label}_encoding"] = response.headers.get("content-encoding", "identity")
        rows.append({"url": url, **sizes})
    return {"files": rows, "compressed": sum(r["compressed"] for r in rows),
            "identity": sum(r["identity"] for r in rows)}


async def _pull(http: Any, headers: dict[str, str], rows: int) -> dict[str, Any]:
    totals = {"compressed": 0, "identity": 0}
    seconds: dict[str, list[float]] = {"compressed": [], "identity": []}
    cookies: dict[str, str | None] = {"compressed": None, "identity": None}
    clients = {label: str(uuid.uuid4()) for label in totals}
    received = {label: 0 for label in totals}
    pages = 0
    while True:
        more = False
        for label, accept in (("compressed", "gzip"), ("identity", "identity")):
            start = time.perf_counter()
            response = await http.post("/sync/v1/pull", headers={
                **headers, "Accept-Encoding": accept}, json={
                "client_id": clients[label], "cookie": cookies[label], "schema_version": 1,
                "limit": PHONE_PULL_LIMIT})
            seconds[label].append(time.perf_counter() - start)
            assert response.status_code == 200, response.text
            assert (response.headers.get("content-encoding") == "gzip") == (label == "compressed")
            page = response.json()
            received[label] += len(page["patch"])
            cookies[label] = page["cookie"]
            totals[label] += _wire_bytes(response)
            more = more or page["has_more"]
        pages += 1
        if not more:
            break
    assert received == {"compressed": rows, "identity": rows}, received
    return {**totals, "rows": rows, "pages": pages,
            "ratio": totals["identity"] / totals["compressed"],
            "page_ms_p50": {k: 1000 * statistics.median(v) for k, v in seconds.items()},
            "seconds": {k: sum(v) for k, v in seconds.items()}}


async def measure() -> dict[str, Any]:
    import httpx

    sys.path.insert(0, str(ROOT))
    from backend.app import create_app
    from backend.migrate import migrate
    from bench.sync_bench import PULL_ROWS, seed_pull_rows
    from kernel.settings import get_settings
    from tests.factories import make_org

    dist = get_settings().pwa_dist
    if not (dist / "index.html").is_file():
        raise SystemExit("pwa/dist is not built: bash infra/setup.sh (or cd pwa && npm run build)")
    await migrate()
    app = create_app()
    async with app.lifespan():
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                 timeout=120)
        page_urls, worker_urls = first_visit_files(dist)
        page = await _files(http, page_urls)
        worker = await _files(http, worker_urls)
        org = await make_org()
        owner = org.people["agent_a"]
        await seed_pull_rows(org.id, owner.user_id)
        pull = await _pull(http, owner.headers, PULL_ROWS)
        await http.aclose()
    return {"first_visit_page": page, "service_worker_install": worker, "pull": pull}


def _table(r: dict[str, Any]) -> str:
    kb = 1024
    page, worker, pull = r["first_visit_page"], r["service_worker_install"], r["pull"]
    both_c = page["compressed"] + worker["compressed"]
    both_i = page["identity"] + worker["identity"]
    lines = [f"{'measure':<46}{'compressed':>12}{'identity':>12}{'ratio':>8}  target",
             f"{'sign-in page, first visit (' + str(len(page['files'])) + ' files), KB':<46}"
             f"{page['compressed'] / kb:>12.1f}{page['identity'] / kb:>12.1f}"
             f"{page['identity'] / page['compressed']:>7.1f}x  <= 50 KB compressed",
             f"{'+ service worker install (' + str(len(worker['files'])) + ' files), KB':<46}"
             f"{worker['compressed'] / kb:>12.1f}{worker['identity'] / kb:>12.1f}"
             f"{worker['identity'] / worker['compressed']:>7.1f}x",
             f"{'  page + service worker, KB':<46}{both_c / kb:>12.1f}{both_i / kb:>12.1f}"
             f"{both_i / both_c:>7.1f}x",
             f"{'initial pull 10,000 rows (' + str(pull['pages']) + ' pages), KB':<46}"
             f"{pull['compressed'] / kb:>12.1f}{pull['identity'] / kb:>12.1f}"
             f"{pull['ratio']:>7.1f}x  >= 5x smaller",
             f"{'  server time per pull page p50, ms':<46}"
             f"{pull['page_ms_p50']['compressed']:>12.1f}{pull['page_ms_p50']['identity']:>12.1f}"
             f"{pull['page_ms_p50']['compressed'] / pull['page_ms_p50']['identity']:>7.2f}x"]
    lines.append("")
    for row in page["files"] + worker["files"]:
        lines.append(f"  {row['url']:<44}{row['compressed']:>9} B {row['compressed_encoding']:<9}"
                     f"{row['identity']:>9} B")
    return "\n".join(lines)


def main() -> int:
    import tempfile

    data_dir = tempfile.mkdtemp(prefix="nomade-bench-compression-")
    os.environ.update({"NOMADE_ENV": "test", "NOMADE_SECRET_KEY": "bench-" + "x" * 40,
                       "NOMADE_DATA_DIR": data_dir, "NOMADE_LOG_LEVEL": "WARNING",
                       "NOMADE_LOG_JSON": "false", "NOMADE_PWA_DIST": str(ROOT / "pwa" / "dist")})
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    results = asyncio.run(measure())
    print(f"Nomade compression benchmark — bytes on the wire (headers included), {os.cpu_count()}"
          " CPUs")
    print(_table(results))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compression.json").write_text(json.dumps(results, indent=2))
    page_ok = results["first_visit_page"]["compressed"] <= PAGE_TARGET
    pull_ok = results["pull"]["ratio"] >= PULL_TARGET_RATIO
    print(f"targets: first visit {'met' if page_ok else 'MISSED'}, pull "
          f"{'met' if pull_ok else 'MISSED'}")
    return 0 if page_ok and pull_ok else 1


if __name__ == "__main__":
    sys.exit(main())
