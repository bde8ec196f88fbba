"""Comments: a manager asks the agent a question on a claim or mission without returning it,
the agent answers; only those who see the document pull the thread; each message is in the
document's audit trail and notifies the other side in their language."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from backend.accounts.tables import User
from tests.factories import Org, delegate, make_org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_claims import (
    approved_mission,
    claim,
    line,
    open_claim,
    uploaded,
)
from tests.integration.workflows.test_missions import submitted


async def submitted_claim(client: Any, org: Org) -> dict[str, Any]:
    mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, mission)
    await line(client, org, claim_id, receipt=await uploaded(org, uuid.uuid4().bytes))
    ack = await send(
        client,
        org.people["agent_a"],
        "expense_claim.submit",
        {"id": claim_id, "expected_state": "draft"},
    )
    assert ack.status == "applied", ack
    return await claim(client, org, claim_id)


async def comment(
    client: Any,
    org: Org,
    who: str,
    document_id: str,
    body: str,
    *,
    document_type: str = "expense_claim",
    comment_id: str | None = None,
) -> Any:
    return await send(
        client,
        org.people[who],
        "comment.add",
        {
            "id": comment_id or str(uuid.uuid4()),
            "document_type": document_type,
            "document_id": document_id,
            "body": body,
        },
    )


async def pulled_comments(client: Any, org: Org, who: str) -> list[dict[str, Any]]:
    """Every comment row a fresh device of ``who`` pulls."""
    rows: list[dict[str, Any]] = []
    body: dict[str, Any] = {"client_id": str(uuid.uuid4())}
    for _ in range(50):
        response = await client.post("/sync/v1/pull", json=body, headers=org.people[who].headers)
        assert response.status_code == 200, response.text
        page = response.json()
        rows += [
            p["data"]
            for p in page.get("patch") or []
            if p["entity"] == "comment" and p["op"] == "put"
        ]
        if not page["has_more"]:
            return rows
        body = {**body, "cookie": page["cookie"]}
    raise AssertionError("pull never finished")


async def inbox(client: Any, org: Org, who: str) -> list[dict[str, Any]]:
    for _ in range(40):  # notifications are written after the intent commits
        response = await client.get("/api/v1/inbox/", headers=org.people[who].headers)
        items = [i for i in response.json()["items"] if i["event_type"] == "comment_added"]
        if items:
            return items
        await asyncio.sleep(0.05)
    return []


async def test_question_and_answer_reach_exactly_those_who_see_the_claim(client: Any) -> None:
    org = await make_org()
    await User.update({User.language: "en"}).where(User.id == org.people["manager_a"].user_id)
    sent = await submitted_claim(client, org)
    ask = await comment(client, org, "manager_a", sent["id"], "  Pourquoi un taxi le 5 ?  ")
    assert ask.status == "applied", ask
    answer = await comment(client, org, "agent_a", sent["id"], "Grève SNCF ce jour-là.")
    assert answer.status == "applied", answer
    assert (await claim(client, org, sent["id"]))["state"] == "submitted"  # not returned

    for who in ("agent_a", "manager_a", "back_office"):
        thread = sorted(await pulled_comments(client, org, who), key=lambda r: r["created_at"])
        assert [(r["body"], r["author"]) for r in thread] == [
            ("Pourquoi un taxi le 5 ?", str(org.people["manager_a"].user_id)),
            ("Grève SNCF ce jour-là.", str(org.people["agent_a"].user_id)),
        ], who
        assert thread[0]["author_name"] and thread[0]["document_id"] == sent["id"]
    for who in ("agent_a2", "manager_b", "agent_b", "supplier"):
        assert await pulled_comments(client, org, who) == [], who

    trail = (
        await client.get(
            f"/api/v1/audit/expense_claim/{sent['id']}", headers=org.people["agent_a"].headers
        )
    ).json()["entries"]
    comments = [e for e in trail if e["action"] == "comment"]
    assert [(e["actor_id"], e["details"]["body"]) for e in comments] == [
        (str(org.people["manager_a"].user_id), "Pourquoi un taxi le 5 ?"),
        (str(org.people["agent_a"].user_id), "Grève SNCF ce jour-là."),
    ]
    assert comments[0]["device_id"] == str(org.people["manager_a"].device_id)

    [question] = await inbox(client, org, "agent_a")
    assert question["title"].startswith("Question sur votre note de frais")
    assert "« Pourquoi un taxi le 5 ? »" in question["body"]
    assert question["url"] == f"/claims/{sent['id']}"
    [reply] = await inbox(client, org, "manager_a")
    assert reply["title"].startswith("Answer from ")
    assert "“Grève SNCF ce jour-là.”" in reply["body"]
    assert reply["url"] == f"/approvals/claim/{sent['id']}"
    assert await inbox(client, org, "head") == []  # the answer goes to the one who asked


async def test_refusals_with_their_codes(client: Any) -> None:
    org = await make_org()
    sent = await submitted_claim(client, org)
    claim_id = sent["id"]
    assert (await comment(client, org, "manager_a", claim_id, "   ")).code == "COMMENT_EMPTY"
    long = await comment(client, org, "manager_a", claim_id, "x" * 2001)
    assert (long.code, long.details["max_length"]) == ("COMMENT_TOO_LONG", 2000)
    assert (await comment(client, org, "manager_a", claim_id, "x" * 2000)).status == "applied"
    for who in ("manager_b", "agent_a2", "agent_b"):  # they do not see the claim
        assert (await comment(client, org, who, claim_id, "?")).code == "NOT_FOUND", who
    unknown = await comment(client, org, "manager_a", str(uuid.uuid4()), "?")
    assert unknown.code == "NOT_FOUND"
    wrong_kind = await comment(client, org, "manager_a", claim_id, "?", document_type="invoice")
    assert wrong_kind.code == "VALIDATION_FAILED"
    assert (await comment(client, org, "back_office", claim_id, "?")).code == "FORBIDDEN"
    approve = await send(
        client,
        org.people["manager_a"],
        "expense_claim.decide",
        {
            "id": claim_id,
            "decision": "approve",
            "expected_state": "submitted",
            "content_hash": sent["content_hash"],
        },
    )
    assert approve.status == "applied"
    assert (await comment(client, org, "agent_a", claim_id, "Merci")).status == "applied"
    paid = await send(
        client,
        org.people["back_office"],
        "expense_claim.mark_paid",
        {"id": claim_id, "expected_state": "approved"},
    )
    assert paid.status == "applied"
    closed = await comment(client, org, "agent_a", claim_id, "Reçu")
    assert (closed.code, closed.details["state"]) == ("DOCUMENT_CLOSED", "paid")

    mission = await submitted(client, org)
    assert (
        await comment(
            client, org, "manager_a", mission["id"], "Le train de 7 h ?", document_type="mission"
        )
    ).status == "applied"
    cancel = await send(
        client,
        org.people["agent_a"],
        "mission.cancel",
        {"id": mission["id"], "expected_state": "submitted"},
    )
    assert cancel.status == "applied"
    late = await comment(client, org, "agent_a", mission["id"], "Annulée", document_type="mission")
    assert late.code == "DOCUMENT_CLOSED"
    codes = (
        await client.get(
            "/api/v1/audit/mission/" + mission["id"], headers=org.people["agent_a"].headers
        )
    ).json()["entries"]
    assert [e["action"] for e in codes] == ["submit", "comment", "cancel"]


async def test_a_retried_comment_is_written_once(client: Any) -> None:
    org = await make_org()
    sent = await submitted_claim(client, org)
    comment_id = str(uuid.uuid4())
    manager = org.people["manager_a"]
    body = {
        "client_id": str(uuid.uuid4()),
        "schema_version": 1,
        "mutations": [
            {
                "seq": 1,
                "id": str(uuid.uuid4()),
                "name": "comment.add",
                "v": 1,
                "args": {
                    "id": comment_id,
                    "document_type": "expense_claim",
                    "document_id": sent["id"],
                    "body": "Le reçu du taxi ?",
                },
            }
        ],
    }
    first = await client.post("/sync/v1/push", json=body, headers=manager.headers)
    again = await client.post("/sync/v1/push", json=body, headers=manager.headers)
    assert first.json()["acks"][0]["status"] == again.json()["acks"][0]["status"] == "applied"
    # The same comment queued twice under two intents (a second tab): written once.
    twice = await comment(
        client, org, "manager_a", sent["id"], "Le reçu du taxi ?", comment_id=comment_id
    )
    assert (twice.status, twice.code) == ("noop", "ALREADY_DONE")
    other = await comment(
        client, org, "manager_a", sent["id"], "Autre chose", comment_id=comment_id
    )
    assert other.code == "ROW_EXISTS"
    assert len(await pulled_comments(client, org, "agent_a")) == 1
    trail = (
        await client.get(f"/api/v1/audit/expense_claim/{sent['id']}", headers=manager.headers)
    ).json()["entries"]
    assert [e["action"] for e in trail].count("comment") == 1
    assert len(await inbox(client, org, "agent_a")) == 1


async def test_a_delegate_sees_the_thread_asks_and_alone_hears_the_answer(client: Any) -> None:
    org = await make_org()
    sent = await submitted_claim(client, org)
    assert await pulled_comments(client, org, "manager_b") == []
    await delegate(org, "manager_a", "manager_b")
    ask = await comment(client, org, "manager_b", sent["id"], "Le justificatif du 5 ?")
    assert ask.status == "applied", ask
    assert [r["body"] for r in await pulled_comments(client, org, "manager_a")] == [
        "Le justificatif du 5 ?"
    ]
    assert (await comment(client, org, "agent_a", sent["id"], "Joint.")).status == "applied"
    [answer] = await inbox(client, org, "manager_b")
    assert answer["title"].startswith("Réponse de ")
    assert await inbox(client, org, "manager_a") == []  # the delegate asked, the delegate hears
