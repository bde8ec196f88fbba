"""Malformed input gets a 4xx with a stable code, never a 500 (issue #15, item 8).

Each case was a 500 (or a false "applied") before; before authentication too.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

import httpx

from tests.factories import make_org
from tests.integration.sync.helpers import SyncClient, line_args

JSON = {"Content-Type": "application/json"}
INVALID_UTF8 = b'{"email": "a\xff\xfe@x.fr", "password": "\xc3\x28"}'
DEEP = b'{"email": ' + b"[" * 1000 + b"]" * 1000 + b', "password": "x"}'


def _coded_4xx(response: httpx.Response) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert set(body) >= {"code", "message", "details"}, body
    assert body["message"]["fr"] and body["message"]["en"]
    return str(body["code"])


async def test_invalid_utf8_and_deep_json_before_authentication(client: Any) -> None:
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh"):
        for body in (INVALID_UTF8, DEEP):
            response = await client.post(path, content=body, headers=JSON)
            assert _coded_4xx(response) in {"BAD_REQUEST", "VALIDATION_FAILED"}


async def test_invalid_utf8_and_deep_json_on_sync_push(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    for body in (INVALID_UTF8, b'{"client_id": ' + b"[" * 1000 + b"]" * 1000 + b"}"):
        response = await client.post("/sync/v1/push", content=body,
                                     headers={**JSON, **agent.headers})
        assert _coded_4xx(response) in {"BAD_REQUEST", "VALIDATION_FAILED"}


async def test_push_seq_out_of_range_is_refused_and_nothing_claims_applied(client: Any) -> None:
    org = await make_org()
    phone = SyncClient(client, org.people["agent_a"])
    for seq in (2**63, 2**64 + 5, 0, -1):
        intent = {"seq": seq, "id": str(uuid.uuid4()), "name": "expense_line.create", "v": 1,
                  "args": line_args()}
        response = await client.post("/sync/v1/push", headers=phone.person.headers, json={
            "client_id": str(phone.client_id), "schema_version": 1, "mutations": [intent]})
        assert _coded_4xx(response) == "VALIDATION_FAILED", seq
    # the client is untouched: its first intent is still seq 1 and applies
    ack = await phone.do("expense_line.create", line_args())
    assert ack["status"] == "applied", ack


async def test_nul_in_a_text_field_is_refused_and_does_not_block_the_queue(client: Any) -> None:
    org = await make_org()
    phone = SyncClient(client, org.people["agent_a"])
    bad = await phone.do("expense_line.create", line_args(merchant="SN\x00CF"))
    assert bad["status"] == "rejected" and bad["code"] == "VALIDATION_FAILED", bad
    assert bad["message"]["fr"] and bad["message"]["en"]
    good = await phone.do("expense_line.create", line_args())
    assert good["status"] == "applied", good


async def test_nul_in_login_and_refresh_fields_is_a_4xx(client: Any) -> None:
    response = await client.post("/api/v1/auth/login", json={
        "email": "a\x00b@x.fr", "password": "p\x00", "device_name": "ph\x00ne"})
    assert _coded_4xx(response) == "INVALID_CREDENTIALS"
    response = await client.post("/api/v1/auth/refresh", json={
        "device_id": str(uuid.uuid4()), "refresh_token": "t\x00k"})
    assert _coded_4xx(response) == "SESSION_EXPIRED"


async def test_first_batch_sent_twice_at_once_is_answered_correctly_both_times(
    client: Any,
) -> None:
    org = await make_org()
    for _ in range(8):
        phone = SyncClient(client, org.people["agent_a"])
        intents = [phone.intent("expense_line.create", line_args()) for _ in range(2)]
        body = {"client_id": str(phone.client_id), "schema_version": 1, "mutations": intents}
        answers = await asyncio.gather(*[
            client.post("/sync/v1/push", headers=phone.person.headers, json=body)
            for _ in range(2)])
        for answer in answers:
            assert answer.status_code in (200, 503), answer.text
            if answer.status_code == 200:
                assert [a["status"] for a in answer.json()["acks"]] == ["applied", "applied"]
            else:
                assert answer.json()["code"] == "SERVICE_UNAVAILABLE"
                assert answer.headers["retry-after"]
        assert any(answer.status_code == 200 for answer in answers)


async def _upload(client: Any, headers: dict[str, str], data: bytes,
                  content_type: str = "image/jpeg") -> httpx.Response:
    return await client.post("/sync/v1/blobs", headers=headers, json={
        "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
        "content_type": content_type})


async def test_content_type_with_cr_lf_is_refused(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    data = uuid.uuid4().bytes * 10
    for bad in ("image/jpeg\r\nX-Evil: 1", "image/jpeg\n", "text/html\x00"):
        response = await _upload(client, agent.headers, data, bad)
        assert _coded_4xx(response) == "VALIDATION_FAILED", bad


async def test_same_chunk_sent_twice_at_once(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    for _ in range(5):
        data = uuid.uuid4().bytes * 2048
        created = await _upload(client, agent.headers, data)
        assert created.status_code == 200, created.text
        upload_id = created.json()["upload_id"]
        headers = {**agent.headers, "Upload-Offset": "0",
                   "Upload-Chunk-SHA256": hashlib.sha256(data).hexdigest()}
        answers = await asyncio.gather(*[
            client.patch(f"/sync/v1/blobs/uploads/{upload_id}", content=data, headers=headers)
            for _ in range(2)])
        for answer in answers:
            assert answer.status_code < 500, answer.text
            if answer.status_code >= 400:
                assert answer.status_code == 409, answer.text
                assert answer.json()["code"] == "BLOB_OFFSET_MISMATCH", answer.text
        assert any(answer.status_code == 200 for answer in answers)
        status = await client.get(f"/sync/v1/blobs/uploads/{upload_id}", headers=agent.headers)
        assert status.json()["complete"] is True
