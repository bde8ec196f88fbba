"""/schema/openapi.json describes the push request, each intent's arguments typed."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from sync.contract_openapi import push_request_schema
from sync.registry import MutationSpec, entities, mutations


def _variants(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    body = document["paths"]["/sync/v1/push"]["post"]["requestBody"]
    assert body["required"] is True
    request = body["content"]["application/json"]["schema"]
    assert {"client_id", "schema_version", "mutations"} <= set(request["required"])
    items = request["properties"]["mutations"]["items"]["oneOf"]
    return {v["properties"]["name"]["const"]: v for v in items}


async def test_every_intent_has_its_typed_arguments(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    variants = _variants(response.json())
    registered = mutations()
    assert sorted(variants) == sorted(registered)
    for name, variant in variants.items():
        assert variant["title"] == f"{name} v{registered[name].v}"
        assert variant["properties"]["args"]["title"] == registered[name].args.__name__
    decide = variants["mission.decide"]["properties"]["args"]
    assert decide["properties"]["decision"]["enum"] == ["approve", "refuse", "return"]
    assert {"id", "decision", "expected_state", "content_hash"} <= set(decide["required"])
    line = variants["expense_line.create"]["properties"]["args"]
    assert line["properties"]["amount_cents"]["type"] == "integer"
    # nested Structs are inlined: a mission's bookings carry their own fields
    bookings = variants["mission.create"]["properties"]["args"]["properties"]["bookings"]
    assert "fare_cents" in bookings["items"]["properties"]


class _Node(msgspec.Struct):
    children: list[_Node]


async def _handler(ctx: object, args: object) -> None:
    return None


def test_a_recursive_argument_struct_is_refused() -> None:
    with pytest.raises(ValueError, match="recursive argument Struct"):
        push_request_schema({"tree.plant": MutationSpec("tree.plant", 1, _Node, _handler)})


async def test_pull_rows_are_typed_per_entity(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    ok = response.json()["paths"]["/sync/v1/pull"]["post"]["responses"]["200"]
    page = ok["content"]["application/json"]["schema"]
    assert {"cookie", "has_more", "patch"} <= set(page["required"])
    ops = {v["properties"]["entity"]["const"]: v
           for v in page["properties"]["patch"]["items"]["oneOf"]}
    assert sorted(ops) == sorted(entities())
    for name, op in ops.items():
        assert op["properties"]["data"]["title"] == entities()[name].wire.__name__
    mission = ops["mission"]["properties"]["data"]
    assert mission["properties"]["estimated_cost_cents"]["type"] == "integer"
    assert "fare_cents" in mission["properties"]["bookings"]["items"]["properties"]
    invoice = ops["invoice"]["properties"]["data"]
    assert set(invoice["properties"]["late_charges"]["required"]) >= {"days_late", "as_of"}
