"""The push request and the pull response in the OpenAPI schema, intents' arguments and synced
rows typed.

The push route reads its body itself (to answer ``PUSH_TOO_LARGE`` before reading it), so
Litestar does not describe it; and ``MutationIn.args`` is a plain object on the wire. The route's
:class:`PushOperation` (Litestar's ``operation_class``) adds the request body when the schema is
built: ``mutations`` items are ``oneOf`` one envelope per registered intent, whose ``name`` is
that intent's constant and whose ``args`` is its argument Struct's schema (msgspec's JSON
schema, nested Structs inlined), titled with the Struct's name.

Likewise ``PatchOp.data`` is any synced row to Litestar: the pull route's :class:`PullOperation`
describes its 200 response with ``patch`` items ``oneOf`` one op per synced entity, whose
``entity`` is that entity's name and whose ``data`` is its row Struct's schema.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import cast

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, RequestBody, Schema

from sync.contract import JsonSchema, schema_components
from sync.registry import MutationSpec, entities, mutations
from sync.wire import PullResponse, PushRequest, SyncedRow

__all__ = ("PullOperation", "PushOperation", "pull_response_schema", "push_request_schema")

_REF = "#/components/schemas/"
# JSON schema keyword -> Litestar Schema field ("maxLength" -> "max_length", ...).
_FIELDS = {str(f.metadata.get("alias", f.name)): f.name for f in fields(Schema)}
_NESTED = {"items", "not", "additionalProperties", "contains", "propertyNames"}
_NESTED_LISTS = {"anyOf", "oneOf", "allOf", "prefixItems"}


def _schema(node: JsonSchema, defs: Mapping[str, JsonSchema], seen: tuple[str, ...] = ()
            ) -> Schema:
    """A Litestar :class:`Schema` from msgspec's JSON schema, ``$ref`` inlined."""
    if "$ref" in node:
        name = node["$ref"].removeprefix(_REF)
        if name in seen:
            raise ValueError(f"recursive argument Struct {name} cannot be inlined")
        return _schema(defs[name], defs, (*seen, name))
    schema = Schema()
    for key, value in node.items():
        if key not in _FIELDS:
            raise ValueError(f"JSON schema keyword {key!r} has no OpenAPI field")
        if key in _NESTED and isinstance(value, dict):
            value = _schema(cast(JsonSchema, value), defs, seen)
        elif key in _NESTED_LISTS:
            value = [_schema(v, defs, seen) for v in cast(list[JsonSchema], value)]
        elif key == "properties":
            value = {k: _schema(v, defs, seen)
                     for k, v in cast(dict[str, JsonSchema], value).items()}
        setattr(schema, _FIELDS[key], value)
    return schema


def push_request_schema(specs: Mapping[str, MutationSpec]) -> Schema:
    """``PushRequest`` with ``mutations[]`` described per intent (sorted by name)."""
    names = sorted(specs)
    refs, defs = schema_components([PushRequest, *(specs[name].args for name in names)])
    request = copy.deepcopy(defs["PushRequest"])
    mutation = request["properties"]["mutations"].get("items")
    assert isinstance(mutation, dict), "PushRequest.mutations is a list of MutationIn"
    envelope = defs[mutation["$ref"].removeprefix(_REF)]
    variants = []
    for name, ref in zip(names, refs[1:], strict=True):
        variant = copy.deepcopy(envelope)
        variant["title"] = f"{name} v{specs[name].v}"
        variant["properties"]["name"] = {"const": name}
        variant["properties"]["args"] = ref
        variants.append(variant)
    request["properties"]["mutations"]["items"] = {
        "oneOf": variants,
        "description": "One intent; `name` chooses its `args` (the current version's shape).",
    }
    return _schema(request, defs)


def pull_response_schema(rows: Mapping[str, type[SyncedRow]]) -> Schema:
    """``PullResponse`` with ``patch[]`` described per synced entity (sorted by name)."""
    names = sorted(rows)
    refs, defs = msgspec.json.schema_components(
        [PullResponse, *(rows[name] for name in names)], ref_template=_REF + "{name}")
    response = copy.deepcopy(defs["PullResponse"])
    op = defs[str(response["properties"]["patch"]["items"]["$ref"]).removeprefix(_REF)]
    variants = []
    for name, ref in zip(names, refs[1:], strict=True):
        variant = copy.deepcopy(op)
        variant["title"] = name
        variant["properties"]["entity"] = {"const": name}
        variant["properties"]["data"] = {**ref, "description": "The row (`put` only)."}
        variants.append(variant)
    response["properties"]["patch"]["items"] = {
        "oneOf": variants,
        "description": "One row to store or forget; `entity` chooses the shape of `data`.",
    }
    return _schema(response, defs)


@dataclass
class PullOperation(Operation):
    """The pull route's operation, its rows typed per synced entity."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        description = ok.description if isinstance(ok, OpenAPIResponse) else "A page of changes"
        self.responses = {**(self.responses or {}), "200": OpenAPIResponse(
            description=description, content={"application/json": OpenAPIMediaType(
                schema=pull_response_schema({n: s.wire for n, s in entities().items()}))})}


@dataclass
class PushOperation(Operation):
    """The push route's operation, with the request body Litestar cannot see."""

    def __post_init__(self) -> None:
        if self.request_body is None:
            self.request_body = RequestBody(
                required=True,
                content={"application/json": OpenAPIMediaType(
                    schema=push_request_schema(mutations()))})
