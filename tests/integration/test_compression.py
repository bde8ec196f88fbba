"""What goes over the wire compressed: the phone app's files as the brotli or gzip copies the
build wrote, JSON answers of 1 KiB or more gzipped on the fly; identity for a client that asks
for nothing; never the live pokes."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from kernel.settings import get_settings
from kernel.static import encoded_copy, preferred_encoding
from tests.factories import make_org
from tests.integration.sync.helpers import line_args
from tests.integration.sync.servers import running_servers


def _dist() -> Path:
    dist = get_settings().pwa_dist
    if not (dist / "index.html").is_file():
        pytest.fail("pwa/dist is not built: the test command builds it (infra/setup.sh)")
    return dist


def _entry_script(dist: Path) -> str:
    found = re.search(r'<script[^>]*src="/(assets/[^"]+\.js)"', (dist / "index.html").read_text())
    assert found is not None
    return found.group(1)


async def _get(client: httpx.AsyncClient, path: str, accept: str | None,
               **kwargs: Any) -> httpx.Response:
    """GET with exactly this Accept-Encoding (``None``: no such header at all)."""
    request = client.build_request("GET", path, **kwargs)
    del request.headers["accept-encoding"]
    if accept is not None:
        request.headers["accept-encoding"] = accept
    return await client.send(request)


async def test_app_files_go_out_as_their_precompressed_copies(client: Any) -> None:
    dist = _dist()
    entry = _entry_script(dist)
    original = (dist / entry).read_bytes()
    brotli = await _get(client, f"/{entry}", "gzip, deflate, br")
    assert brotli.headers["content-encoding"] == "br"
    assert brotli.headers["vary"] == "Accept-Encoding"
    assert brotli.headers["content-type"].startswith("text/javascript")
    assert "immutable" in brotli.headers["cache-control"]
    assert brotli.content == (dist / f"{entry}.br").read_bytes()
    assert len(brotli.content) * 3 < len(original)
    gzipped = await _get(client, f"/{entry}", "gzip")
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.content == original  # httpx decoded it: the same script
    refused = await _get(client, f"/{entry}", "br;q=0, gzip;q=0.5")
    assert refused.headers["content-encoding"] == "gzip"


async def test_a_client_without_accept_encoding_gets_identity(client: Any) -> None:
    dist = _dist()
    entry = _entry_script(dist)
    for accept in (None, "identity"):
        response = await _get(client, f"/{entry}", accept)
        assert "content-encoding" not in response.headers
        assert response.headers["vary"] == "Accept-Encoding"  # a cache must not mix them
        assert response.content == (dist / entry).read_bytes()


async def test_the_shell_of_a_client_route_is_compressed_too(client: Any) -> None:
    response = await _get(client, "/missions/123", "br, gzip")
    assert response.headers["content-encoding"] == "br"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"


async def test_a_pull_page_is_gzipped_and_reads_the_same(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    mutations = [{"seq": n + 1, "id": str(uuid.uuid4()), "name": "expense_line.create", "v": 1,
                  "args": line_args()} for n in range(40)]
    pushed = await client.post("/sync/v1/push", headers=agent.headers, json={
        "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": mutations})
    assert pushed.status_code == 200
    body = {"client_id": str(uuid.uuid4()), "cookie": None, "limit": 1000}
    plain = await client.post("/sync/v1/pull", headers={**agent.headers,
                                                        "Accept-Encoding": "identity"}, json=body)
    packed = await client.post("/sync/v1/pull", headers={**agent.headers,
                                                         "Accept-Encoding": "gzip"}, json=body)
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert plain.json()["patch"] == packed.json()["patch"]
    assert len(packed.json()["patch"]) >= 40
    assert packed.num_bytes_downloaded * 4 < plain.num_bytes_downloaded


async def test_small_answers_are_not_compressed(client: Any) -> None:
    response = await client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


async def test_live_pokes_are_never_compressed(client: Any) -> None:
    """The stream's first event arrives at once and uncompressed even when gzip is accepted (a
    compressor would hold it back; nginx's location turns gzip off as well). A real server:
    the in-process transport buffers whole answers."""
    org = await make_org()
    headers = {**org.people["agent_a"].headers, "Accept-Encoding": "gzip, br"}
    with running_servers(1, "") as [url]:
        limits = httpx.Timeout(5, read=10)
        async with httpx.AsyncClient(timeout=limits) as http, http.stream(
                "GET", f"{url}/sync/v1/events", headers=headers) as response:
            assert response.status_code == 200
            assert "content-encoding" not in response.headers
            async for line in response.aiter_lines():
                if line.strip():
                    assert line.startswith(":")  # the "connected" comment, in clear
                    break


def test_accept_encoding_is_read_with_its_weights() -> None:
    both = ("br", "gzip")
    assert preferred_encoding("gzip, deflate, br, zstd", both) == "br"
    assert preferred_encoding("gzip", both) == "gzip"
    assert preferred_encoding("br;q=0, gzip", both) == "gzip"
    assert preferred_encoding("*", both) == "br"
    assert preferred_encoding("*;q=0", both) is None
    assert preferred_encoding("", both) is None
    assert preferred_encoding("identity", both) is None


def test_a_copy_older_than_its_file_is_not_sent(tmp_path: Path) -> None:
    """A file replaced after the build (a hot fix, a test's new service worker) must not go
    out as the old compressed copy."""
    script = tmp_path / "sw.js"
    script.write_text("old")
    (tmp_path / "sw.js.br").write_bytes(b"old, compressed")
    (tmp_path / "sw.js.gz").write_bytes(b"old, gzipped")
    assert encoded_copy(script, "br, gzip")[1]["Content-Encoding"] == "br"
    script.write_text("new")
    later = script.stat().st_mtime + 5
    os.utime(script, (later, later))
    assert encoded_copy(script, "br, gzip") == (script, {})  # the new file, as it is
