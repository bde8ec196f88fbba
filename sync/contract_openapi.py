"""The push request in the OpenAPI schema, with each intent's arguments typed.

The push route reads its body itself (to answer ``PUSH_TOO_LARGE`` before reading it), so
Litestar does not describe it; and ``MutationIn.args`` is a plain object on the wire. The route's
:class:`PushOperation` (Litestar's ``operation_class``) adds the request body when the schema is
built: ``mutations`` items are ``oneOf`` one envelope per registered intent, whose ``name`` is
that intent's constant and whose ``args`` is its argument Struct's schema (msgspec's JSON
schema, nested Structs inlined), titled with the Struct's name.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema

from sync.registry import MutationSpec, mutations
from sync.wire import PushRequest

__all__ = ("PushOperation", "push_request_schema")

_REF = "#/components/schemas/"
# JSON schema keyword -> Litestar Schema field ("maxLength" -> "max_length", ...).
_FIELDS = {str(f.metadata.get("alias", f.name)): f.name for f in fields(Schema)}
_NESTED = {"items", "not", "additionalProperties", "contains", "propertyNames"}
_NESTED_LISTS = {"anyOf", "oneOf", "allOf", "prefixItems"}


def _schema(node: Mapping[str, Any], defs: Mapping[str, Any], seen: tuple[str, ...] = ()
            ) -> Schema:
    """A Litestar :class:`Schema` from msgspec's JSON schema, ``$ref`` inlined."""
    if "$ref" in node:
        name = str(node["$ref"]).removeprefix(_REF)
        if name in seen:
            raise ValueError(f"recursive argument Struct {name} cannot be inlined")
        return _schema(defs[name], defs, (*seen, name))
    kwargs: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _FIELDS:
            raise ValueError(f"JSON schema keyword {key!r} has no OpenAPI field")
        if key in _NESTED and isinstance(value, Mapping):
            value = _schema(value, defs, seen)
        elif key in _NESTED_LISTS:
            value = [_schema(v, defs, seen) for v in value]
        elif key == "properties":
            value = {k: _schema(v, defs, seen) for k, v in value.items()}
        kwargs[_FIELDS[key]] = value
    return Schema(**kwargs)


def push_request_schema(specs: Mapping[str, MutationSpec]) -> Schema:
    """``PushRequest`` with ``mutations[]`` described per intent (sorted by name)."""
    names = sorted(specs)
    refs, defs = msgspec.json.schema_components(
        [PushRequest, *(specs[name].args for name in names)], ref_template=_REF + "{name}")
    request = copy.deepcopy(defs["PushRequest"])
    envelope = defs[str(request["properties"]["mutations"]["items"]["$ref"]).removeprefix(_REF)]
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


@dataclass
class PushOperation(Operation):
    """The push route's operation, with the request body Litestar cannot see."""

    def __post_init__(self) -> None:
        if self.request_body is None:
            self.request_body = RequestBody(
                required=True,
                content={"application/json": OpenAPIMediaType(
                    schema=push_request_schema(mutations()))})
