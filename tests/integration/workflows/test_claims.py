"""Expense claims end to end: lines with receipts, submission checks, decisions, payment,
and the policy preview."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from sync.tables import Blob
from tests.factories import Org, make_org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_missions import _pulled_mission, submitted
from tests.integration.workflows.test_missions import decide as decide_mission


async def uploaded(org: Org, content: bytes) -> str:
    """A receipt whose upload completed (as the blob service records it)."""
    sha = hashlib.sha256(content).hexdigest()
    await Blob.insert(Blob(id=uuid.uuid4(), organisation=org.id, sha256=sha,
                           blob_key=f"{org.id}:{sha}", size=len(content),
                           content_type="image/jpeg", created_by=org.people["agent_a"].user_id))
    return sha


async def approved_mission(client: Any, org: Org, **extra: Any) -> dict[str, Any]:
    mission = await submitted(client, org, starts_on="2026-10-05", ends_on="2026-10-07",
                              destination="Lyon", **extra)
    assert (await decide_mission(client, org, "manager_a", mission, "approve")).status == "applied"
    return mission


async def line(client: Any, org: Org, claim_id: str, *, receipt: str | None = None,
               **fields: Any) -> str:
    line_id = str(uuid.uuid4())
    args = {"id": line_id, "date": "2026-10-05", "amount_cents": 1800, "category": "meal",
            "merchant": "Brasserie", "vat_rate_bp": 1000, "vat_cents": 164,
            "claim_id": claim_id, **fields}
    assert (await send(client, org.people["agent_a"], "expense_line.create", args)).status == (
        "applied")
    if receipt:
        ack = await send(client, org.people["agent_a"], "expense_line.attach_receipt",
                         {"id": line_id, "sha256": receipt})
        assert ack.status == "applied", ack
    return line_id


async def claim(client: Any, org: Org, claim_id: str, who: str = "agent_a") -> dict[str, Any]:
    response = await client.get(f"/api/v1/claims/{claim_id}", headers=org.people[who].headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def open_claim(client: Any, org: Org, mission: dict[str, Any]) -> str:
    claim_id = str(uuid.uuid4())
    ack = await send(client, org.people["agent_a"], "expense_claim.create",
                     {"id": claim_id, "mission_id": mission["id"]})
    assert ack.status == "applied", ack
    return claim_id


async def test_claim_submitted_decided_and_paid(client: Any) -> None:
    org = await make_org()
    mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, mission)
    await line(client, org, claim_id, receipt=await uploaded(org, b"meal receipt"))
    await line(client, org, claim_id, category="lodging", amount_cents=13000, merchant="Hôtel",
               vat_cents=1182, receipt=await uploaded(org, b"hotel receipt"))
    assert (await send(client, org.people["agent_a"], "vehicle_profile.set", {
        "id": str(org.people["agent_a"].user_id), "fiscal_cv": 5, "year": 2026})).status == (
        "applied")
    # The phone's amount is not the price: the server's scale gives 100 km × 0.32 = 32 €.
    await line(client, org, claim_id, category="mileage", amount_cents=4000, km=100,
               vat_rate_bp=None, vat_cents=None, merchant="")
    await line(client, org, claim_id, category="taxi", amount_cents=2000, currency="CHF",
               fx_rate="1.05", vat_cents=None, merchant="Taxi Genève",
               receipt=await uploaded(org, b"taxi receipt"))
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.status == "applied", ack
    sent = await claim(client, org, claim_id)
    assert sent["state"] == "submitted"
    assert sent["total_cents"] == 1800 + 13000 + 3200 + 2100
    assert sent["line_count"] == 4
    codes = {f["code"] for f in sent["findings"]}
    assert "LODGING_OVER_CAP" in codes and "MILEAGE_AMOUNT" not in codes  # Lyon: €120 cap
    assert all(f["severity"] == "warning" for f in sent["findings"])
    for who in ("agent_a", "agent_a2", "manager_b", "back_office"):
        ack = await send(client, org.people[who], "expense_claim.decide", {
            "id": claim_id, "decision": "approve", "expected_state": "submitted",
            "content_hash": sent["content_hash"]})
        assert ack.code == "FORBIDDEN", who
    early = await send(client, org.people["back_office"], "expense_claim.mark_paid",
                       {"id": claim_id, "expected_state": "submitted"})
    assert early.code == "INVALID_TRANSITION"
    ack = await send(client, org.people["manager_a"], "expense_claim.decide", {
        "id": claim_id, "decision": "approve", "expected_state": "submitted",
        "content_hash": sent["content_hash"]})
    assert ack.status == "applied", ack
    assert (await send(client, org.people["manager_a"], "expense_claim.mark_paid",
                       {"id": claim_id, "expected_state": "approved"})).code == "FORBIDDEN"
    paid = await send(client, org.people["back_office"], "expense_claim.mark_paid",
                      {"id": claim_id, "expected_state": "approved",
                       "payment_reference": "VIR-2026-118"})
    assert paid.status == "applied"
    final = await claim(client, org, claim_id, who="back_office")
    assert (final["state"], final["payment_reference"]) == ("paid", "VIR-2026-118")
    trail = (await client.get(f"/api/v1/audit/expense_claim/{claim_id}",
                              headers=org.people["agent_a"].headers)).json()["entries"]
    assert [e["action"] for e in trail] == ["submit", "approve", "mark_paid"]


async def test_submission_refusals(client: Any) -> None:
    org = await make_org()
    draft_mission = await submitted(client, org)
    refused = await send(client, org.people["agent_a"], "expense_claim.create",
                         {"id": str(uuid.uuid4()), "mission_id": draft_mission["id"]})
    assert refused.code == "MISSION_NOT_APPROVED"
    mission = await approved_mission(client, org)
    other = await send(client, org.people["agent_a2"], "expense_claim.create",
                       {"id": str(uuid.uuid4()), "mission_id": mission["id"]})
    assert other.code == "NOT_FOUND"
    claim_id = await open_claim(client, org, mission)
    submit = {"id": claim_id, "expected_state": "draft"}
    assert (await send(client, org.people["agent_a"], "expense_claim.submit", submit)).code == (
        "CLAIM_EMPTY")
    line_id = await line(client, org, claim_id)
    missing = await send(client, org.people["agent_a"], "expense_claim.submit", submit)
    assert (missing.code, missing.details["line_ids"]) == ("RECEIPT_MISSING", [line_id])
    pending_sha = hashlib.sha256(b"still uploading").hexdigest()
    await send(client, org.people["agent_a"], "expense_line.attach_receipt",
               {"id": line_id, "sha256": pending_sha})
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
        "seq": 1, "id": str(uuid.uuid4()), "name": "expense_claim.submit", "v": 1,
        "args": submit}]}
    response = await client.post("/sync/v1/push", json=body,
                                 headers=org.people["agent_a"].headers)
    assert (response.status_code, response.json()["code"]) == (503, "BLOB_PENDING")
    assert "Retry-After" in response.headers
    await uploaded(org, b"still uploading")
    retried = await client.post("/sync/v1/push", json=body, headers=org.people["agent_a"].headers)
    assert retried.json()["acks"][0]["status"] == "applied"
    assert (await send(client, org.people["agent_a2"], "expense_claim.submit", submit)).code == (
        "FORBIDDEN")


async def test_lines_freeze_under_review_and_a_stale_decision_is_refused(client: Any) -> None:
    org = await make_org()
    mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, mission)
    line_id = await line(client, org, claim_id, receipt=await uploaded(org, b"r1"))
    await send(client, org.people["agent_a"], "expense_claim.submit",
               {"id": claim_id, "expected_state": "draft"})
    seen = await claim(client, org, claim_id, who="manager_a")
    frozen = await send(client, org.people["agent_a"], "expense_line.edit",
                        {"id": line_id, "base_version": 2, "merchant": "Autre brasserie"})
    assert frozen.status == "rejected" and frozen.code == "NOT_EDITABLE", frozen
    moved_in = await send(client, org.people["agent_a"], "expense_line.create",
                          {"id": str(uuid.uuid4()), "date": "2026-10-05", "amount_cents": 900,
                           "category": "taxi", "merchant": "Taxi", "claim_id": claim_id})
    assert moved_in.code == "NOT_EDITABLE"
    decision = {"id": claim_id, "decision": "return", "expected_state": "submitted",
                "reason": "Ticket illisible", "content_hash": seen["content_hash"]}
    assert (await send(client, org.people["manager_a"], "expense_claim.decide",
                       decision)).status == "applied"
    edit = await send(client, org.people["agent_a"], "expense_line.edit",
                      {"id": line_id, "base_version": 2, "merchant": "Brasserie du Port"})
    assert edit.status == "applied", edit  # returned: editable again
    again = await send(client, org.people["agent_a"], "expense_claim.submit",
                       {"id": claim_id, "expected_state": "returned"})
    assert again.status == "applied"
    approve = {"id": claim_id, "decision": "approve", "expected_state": "submitted",
               "content_hash": seen["content_hash"]}  # what the manager saw before the edit
    stale = await send(client, org.people["manager_a"], "expense_claim.decide", approve)
    assert stale.code == "CONTENT_CHANGED"
    fresh = (await claim(client, org, claim_id, who="manager_a"))["content_hash"]
    assert (await send(client, org.people["manager_a"], "expense_claim.decide",
                       {**approve, "content_hash": fresh})).status == "applied"


async def test_policy_preview_and_blocking_rules(client: Any) -> None:
    org = await make_org()
    mission = await approved_mission(client, org)
    headers = org.people["agent_a"].headers
    preview = await client.post("/api/v1/policy/check-line", headers=headers, json={
        "category": "meal", "date": "2026-10-06", "amount_cents": 2350, "vat_rate_bp": 2000,
        "vat_cents": 200, "ht_cents": 2000, "mission_id": mission["id"]})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["rule_set"] == "state-2023"
    assert {f["code"] for f in body["findings"]} == {"MEAL_OVER_CAP", "VAT_SUM_MISMATCH"}
    old = await client.post("/api/v1/policy/check-line", headers=headers, json={
        "category": "meal", "date": "2023-05-02", "amount_cents": 1900})
    assert old.json()["rule_set"] == "state-2019"
    assert [f["figures"]["cap_cents"] for f in old.json()["findings"]] == [1750]
    stranger = await client.post("/api/v1/policy/check-line",
                                 headers=org.people["agent_a2"].headers,
                                 json={"category": "meal", "date": "2026-10-06",
                                       "amount_cents": 100, "mission_id": mission["id"]})
    assert stranger.status_code == 404
    supplier = await client.post("/api/v1/policy/check-line",
                                 headers=org.people["supplier"].headers,
                                 json={"category": "meal", "date": "2026-10-06",
                                       "amount_cents": 100})
    assert supplier.status_code == 403


async def test_blocking_only_where_the_organisation_says_so(client: Any) -> None:
    import msgspec

    from backend.policy.rules import STATE_DEFAULTS
    from backend.policy.services import seed_state_defaults
    from backend.policy.tables import PolicyRuleSet

    org = await make_org()
    assert await seed_state_defaults(org.id) == 2
    assert await seed_state_defaults(org.id) == 0
    strict = msgspec.structs.replace(STATE_DEFAULTS[1], name="strict-2026",
                                     valid_from=date(2026, 1, 1),
                                     blocking=frozenset({"MEAL_OVER_CAP"}))
    await PolicyRuleSet.insert(PolicyRuleSet(
        id=uuid.uuid4(), organisation=org.id, name=strict.name, name_key=f"{org.id}:strict",
        valid_from=strict.valid_from, rules=msgspec.json.encode(strict).decode()))
    mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, mission)
    receipt = await uploaded(org, b"same ticket")
    await line(client, org, claim_id, amount_cents=2600, receipt=receipt)
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.code == "POLICY_BLOCKING"
    assert [f["code"] for f in ack.details["findings"]] == ["MEAL_OVER_CAP"]
    preview = await client.post("/api/v1/policy/check-line", headers=org.people["agent_a"].headers,
                                json={"category": "taxi", "date": "2026-10-06",
                                      "amount_cents": 900, "receipts": [receipt]})
    duplicate = [f for f in preview.json()["findings"] if f["code"] == "DUPLICATE_RECEIPT"]
    assert duplicate and duplicate[0]["figures"]["reason"] == "same_image"


async def test_a_foreign_line_needs_a_rate_and_takes_the_rate_of_its_day(
        client: Any, tmp_path: Any) -> None:
    """A USD line without a rate was counted as 0 EUR: now the claim is refused until a rate
    of the line's day is known, then counted at that rate."""
    import argparse

    from backend.policy.commands import load_rates_command

    def load(path: Any) -> Any:  # what `nomade load-rates FILE` runs
        return load_rates_command(argparse.Namespace(file=str(path), source="test"))

    org = await make_org()
    mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, mission)
    await line(client, org, claim_id, receipt=await uploaded(org, b"lunch receipt"))
    taxi = await line(client, org, claim_id, category="taxi", amount_cents=5000, currency="USD",
                      vat_rate_bp=None, vat_cents=None, merchant="Yellow Cab",
                      date="2026-10-06", receipt=await uploaded(org, b"usd taxi"))
    submit = {"id": claim_id, "expected_state": "draft"}
    refused = await send(client, org.people["agent_a"], "expense_claim.submit", submit)
    assert (refused.code, refused.details["line_ids"], refused.details["currencies"]) == (
        "FX_RATE_MISSING", [taxi], ["USD"])
    from kernel.errors import CATALOGUE

    assert "taux" in CATALOGUE["FX_RATE_MISSING"].fr  # the message the phone shows
    assert (await claim(client, org, claim_id))["state"] == "draft"
    bad = tmp_path / "bad.csv"
    bad.write_text("currency,day,eur_per_unit\nUSD,2026-10-05,0\n", encoding="utf-8")
    assert await load(bad) == 2  # a rate of 0 is refused, nothing loaded
    assert (await send(client, org.people["agent_a"], "expense_claim.submit",
                       submit)).code == "FX_RATE_MISSING"
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,day,eur_per_unit\nUSD,2026-10-02,0.90\nUSD,2026-10-05,0.92\n"
                     "USD,2026-10-07,0.95\n", encoding="utf-8")
    assert await load(rates) == 0
    ack = await send(client, org.people["agent_a"], "expense_claim.submit", submit)
    assert ack.status == "applied", ack
    # the line of 10-06 takes the rate published on 10-05: 50.00 USD × 0.92 = 46.00 EUR
    assert (await claim(client, org, claim_id))["total_cents"] == 1800 + 4600


async def test_a_submitted_claim_can_be_withdrawn_before_a_decision(client: Any) -> None:
    """The agent takes the claim back (expense_claim.cancel was MUTATION_UNKNOWN); the manager
    who then approves from an old screen, or offline, is refused, and nothing is approved."""
    org = await make_org()
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    await line(client, org, claim_id, receipt=await uploaded(org, b"withdrawn lunch"))
    assert (await send(client, org.people["agent_a"], "expense_claim.submit",
                       {"id": claim_id, "expected_state": "draft"})).status == "applied"
    seen = await claim(client, org, claim_id, who="manager_a")
    assert (await send(client, org.people["agent_a2"], "expense_claim.withdraw",
                       {"id": claim_id, "expected_state": "submitted"})).code in {
        "FORBIDDEN", "NOT_FOUND"}
    back = await send(client, org.people["agent_a"], "expense_claim.withdraw",
                      {"id": claim_id, "expected_state": "submitted"})
    assert back.status == "applied", back
    late = await send(client, org.people["manager_a"], "expense_claim.decide", {
        "id": claim_id, "decision": "approve", "expected_state": "submitted",
        "content_hash": seen["content_hash"]})
    assert (late.status, late.code) == ("rejected", "STATE_CHANGED")
    assert (await claim(client, org, claim_id))["state"] == "draft"
    # once decided it can no longer be withdrawn
    assert (await send(client, org.people["agent_a"], "expense_claim.submit",
                       {"id": claim_id, "expected_state": "draft"})).status == "applied"
    current = await claim(client, org, claim_id, who="manager_a")
    assert (await send(client, org.people["manager_a"], "expense_claim.decide", {
        "id": claim_id, "decision": "approve", "expected_state": "submitted",
        "content_hash": current["content_hash"]})).status == "applied"
    after = await send(client, org.people["agent_a"], "expense_claim.withdraw",
                       {"id": claim_id, "expected_state": "approved"})
    assert (after.status, after.code) == ("rejected", "INVALID_TRANSITION")


async def test_meals_are_a_flat_allowance_from_the_mission_times(client: Any) -> None:
    """At submission every line counted as one night and one meal, and meal receipts were
    paid as capped amounts. With times on the mission, the claim adds the flat meals computed
    from them (5 × 20 € in Lyon, Monday 08:00 to Wednesday 20:00), checks lodging against two
    nights, and a meal receipt is a proof noted as paid by the allowance, not added."""
    org = await make_org()
    mission = await submitted(client, org, starts_on="2026-10-05", ends_on="2026-10-07",
                              destination="Lyon", departs_at="2026-10-05T08:00:00",
                              returns_at="2026-10-07T20:00:00")
    assert (await decide_mission(client, org, "manager_a", mission, "approve")).status == (
        "applied")
    claim_id = await open_claim(client, org, mission)
    meal = await line(client, org, claim_id, receipt=await uploaded(org, b"flat lunch"))
    await line(client, org, claim_id, category="lodging", amount_cents=23000,
               merchant="Hôtel", vat_cents=2091, receipt=await uploaded(org, b"two nights"))
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.status == "applied", ack
    sent = await claim(client, org, claim_id, who="manager_a")
    assert (sent["allowance_cents"], sent["total_cents"]) == (10000, 23000 + 10000)
    codes = {(f["line_id"], f["code"]) for f in sent["findings"]}
    assert (meal, "PAID_BY_ALLOWANCE") in codes
    assert not any(code == "LODGING_OVER_CAP" for _, code in codes)  # 230 € ≤ 2 × 120 €
    # The phone is told what the allowance pays (it says "paid by the allowance" from this).
    assert (await _pulled_mission(client, org, "agent_a", mission["id"]))["allowance"][
        "covers"] == ["meal"]


async def test_abroad_without_a_daily_rate_a_meal_counts_at_cost(client: Any) -> None:
    """Tokyo, and the rule set has no daily rate for Japan: the server computes no allowance,
    so a meal receipt is added at cost (not noted as paid by the allowance) and the mission
    row tells the phone that its allowance pays nothing, times or not."""
    org = await make_org()
    mission = await submitted(client, org, starts_on="2026-10-05", ends_on="2026-10-07",
                              destination="Tokyo", country="JP", time_zone="Asia/Tokyo",
                              departs_at="2026-10-05T08:00:00", returns_at="2026-10-07T20:00:00")
    row = await _pulled_mission(client, org, "agent_a", mission["id"])
    assert (row["abroad"], row["allowance"]["rate_missing"], row["allowance"]["covers"]) == (
        True, True, [])
    assert mission["allowance"]["covers"] == []  # the API's mission says the same
    assert (await decide_mission(client, org, "manager_a", mission, "approve")).status == (
        "applied")
    claim_id = await open_claim(client, org, mission)
    meal = await line(client, org, claim_id, receipt=await uploaded(org, b"ramen"))
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.status == "applied", ack
    sent = await claim(client, org, claim_id, who="manager_a")
    assert (sent["allowance_cents"], sent["total_cents"]) == (0, 1800)
    assert (meal, "PAID_BY_ALLOWANCE") not in {(f["line_id"], f["code"])
                                               for f in sent["findings"]}


async def test_a_mission_stored_before_covers_is_sent_with_it(client: Any) -> None:
    """Allowances stored before ``covers`` existed are not migrated: the row sent to the phone
    (pull and API) derives it from the stored figures."""
    import json

    from backend.missions.tables import Mission

    org = await make_org()
    mission = await submitted(client, org, destination="Lyon",
                              departs_at="2026-12-01T08:00:00", returns_at="2026-12-03T20:00:00")
    stored = {k: v for k, v in mission["allowance"].items() if k != "covers"}
    await Mission.update({Mission.allowance: json.dumps(stored)}).where(
        Mission.id == uuid.UUID(mission["id"]))
    row = await _pulled_mission(client, org, "agent_a", mission["id"])
    assert row["allowance"] == {**stored, "covers": ["meal"]}
    again = await client.get(f"/api/v1/missions/{mission['id']}",
                             headers=org.people["agent_a"].headers)
    assert again.json()["allowance"]["covers"] == ["meal"]
