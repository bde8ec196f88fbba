"""A phone that behaves as the real client engine does under faults: it retries the same
intents (same seq, same ids) until it gets acks, honouring Retry-After, and records what it
saw. Used by the fault tests to check that nothing acknowledged is lost or applied twice."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx


def create_args(line_id: str, n: int) -> dict[str, Any]:
    return {"id": line_id, "date": date(2026, 11, 3).isoformat(), "amount_cents": 1000 + n,
            "currency": "EUR", "category": "train", "merchant": f"Merchant {n}",
            "description": "created"}


@dataclass
class RetryingPhone:
    headers: dict[str, str]
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    seq: int = 0
    acks: dict[int, dict[str, Any]] = field(default_factory=dict)
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)  # line id -> fields
    statuses: Counter[str] = field(default_factory=Counter)
    retry_after_seen: int = 0
    cookie: str | None = None

    def intent(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        return {"seq": self.seq, "id": str(uuid.uuid4()), "name": name, "v": 1, "args": args}

    async def push(self, http: httpx.AsyncClient, intents: list[dict[str, Any]],
                   timeout: float = 90.0) -> list[dict[str, Any]]:
        """Send ``intents`` until acknowledged (bounded by ``timeout``)."""
        deadline = time.monotonic() + timeout
        body = {"client_id": str(self.client_id), "schema_version": 1, "mutations": intents}
        for attempt in range(10_000):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no ack after {timeout}s; saw {dict(self.statuses)}")
            try:
                response = await http.post("/sync/v1/push", headers=self.headers, json=body)
            except httpx.HTTPError as exc:
                self.statuses[type(exc).__name__] += 1
                await asyncio.sleep(min(0.2 * (attempt + 1), 1.0))
                continue
            self.statuses[str(response.status_code)] += 1
            if response.status_code == 200:
                result = response.json()
                for ack in result["acks"]:
                    self.acks[ack["seq"]] = ack
                return list(result["acks"])
            if response.status_code == 503:
                retry_after = response.headers.get("retry-after")
                if retry_after:
                    self.retry_after_seen += 1
                await asyncio.sleep(min(float(retry_after or 1), 2.0) / 2)
                continue
            raise AssertionError(f"unexpected {response.status_code}: {response.text[:300]}")
        raise AssertionError("unreachable")

    async def create_and_edit(self, http: httpx.AsyncClient, n: int) -> None:
        """One line created then edited: after convergence its row_version must be exactly 2."""
        line_id = str(uuid.uuid4())
        create = self.intent("expense_line.create", create_args(line_id, n))
        [created] = await self.push(http, [create])
        assert created["status"] == "applied", created
        [edited] = await self.push(http, [self.intent("expense_line.edit", {
            "id": line_id, "base_version": 1, "description": f"edited {n}"})])
        assert edited["status"] == "applied", edited
        self.expected[line_id] = {"row_version": 2, "description": f"edited {n}"}

    async def pull_all(self, http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
        """The lines this phone sees on the server, pulled from scratch."""
        rows: dict[str, dict[str, Any]] = {}
        cookie = None
        for _ in range(100):
            response = await http.post("/sync/v1/pull", headers=self.headers, json={
                "client_id": str(self.client_id), "cookie": cookie, "limit": 1000})
            assert response.status_code == 200, response.text
            page = response.json()
            for op in page["patch"]:
                if op["entity"] != "expense_line":
                    continue
                if op["op"] == "put":
                    rows[op["id"]] = op["data"] | {"row_version": op["row_version"]}
                else:
                    rows.pop(op["id"], None)
            cookie = page["cookie"]
            assert page["last_seq"] == self.seq, "the server processed every seq once"
            if not page["has_more"]:
                return rows
        raise AssertionError("pull never ended")

    async def check_converged(self, http: httpx.AsyncClient) -> None:
        """Every acknowledged intent applied exactly once, and the server agrees with us."""
        assert sorted(self.acks) == list(range(1, self.seq + 1)), "an ack for every seq"
        rows = await self.pull_all(http)
        mine = {k: v for k, v in rows.items() if k in self.expected}
        assert set(mine) == set(self.expected), "no acknowledged line lost"
        for line_id, want in self.expected.items():
            got = mine[line_id]
            assert got["row_version"] == want["row_version"], (line_id, got, "applied twice?")
            assert got["description"] == want["description"]
