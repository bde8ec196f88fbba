"""Small helpers for the sync integration tests: a client that pushes intents and pulls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.factories import Person


def line_args(line_id: uuid.UUID | None = None, **overrides: Any) -> dict[str, Any]:
    """Arguments of expense_line.create."""
    args: dict[str, Any] = {"id": str(line_id or uuid.uuid4()),
                            "date": date(2026, 11, 2).isoformat(),
                            "amount_cents": 4250, "currency": "EUR", "category": "train",
                            "merchant": "SNCF", "description": "Paris–Lyon",
                            "vat_rate_bp": 1000, "vat_cents": 386}
    args.update(overrides)
    return args


@dataclass
class SyncClient:
    """One installation of one user: its client id, next seq, cookie and base rows."""

    http: Any
    person: Person
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    seq: int = 0
    cookie: str | None = None
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    versions: dict[tuple[str, str], int] = field(default_factory=dict)
    last_seq: int = 0

    def intent(self, name: str, args: dict[str, Any], v: int = 1) -> dict[str, Any]:
        self.seq += 1
        return {"seq": self.seq, "id": str(uuid.uuid4()), "name": name, "v": v, "args": args}

    async def push(self, *intents: dict[str, Any], expect: int = 200) -> Any:
        response = await self.http.post("/sync/v1/push", headers=self.person.headers, json={
            "client_id": str(self.client_id), "schema_version": 1, "mutations": list(intents)})
        assert response.status_code == expect, response.text
        return response.json()

    async def do(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Push one intent and return its ack."""
        body = await self.push(self.intent(name, args))
        return body["acks"][0]  # type: ignore[no-any-return]

    async def pull(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Pull until has_more is false; apply like a client; return the pages."""
        pages = []
        staged: list[dict[str, Any]] = []
        reset_scope: set[str] = set()
        while True:
            response = await self.http.post("/sync/v1/pull", headers=self.person.headers, json={
                "client_id": str(self.client_id), "cookie": self.cookie, "limit": limit})
            assert response.status_code == 200, response.text
            page = response.json()
            pages.append(page)
            if page["reset"]:
                reset_scope |= set(page["reset"]["scope"])
                staged = [op for op in staged if op["entity"] not in page["reset"]["scope"]]
            staged.extend(page["patch"])
            self.cookie = page["cookie"]
            assert page["last_seq"] >= self.last_seq
            self.last_seq = page["last_seq"]
            if not page["has_more"]:
                break
        for key in [k for k in self.rows if k[0] in reset_scope]:
            del self.rows[key]
        for op in staged:
            key = (op["entity"], op["id"])
            if op["op"] == "put":
                self.rows[key] = op["data"]
            else:
                self.rows.pop(key, None)
        return pages

    def lines(self) -> dict[str, dict[str, Any]]:
        return {k[1]: v for k, v in self.rows.items() if k[0] == "expense_line"}
