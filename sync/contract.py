"""The typed contract the phone is built against, generated from the server's registries.

After ``composition.bootstrap()``, :func:`render_typescript` turns the intent registry (each
intent's msgspec argument Struct, through msgspec's JSON schema) and the error catalogue into
``pwa/src/data/contract.gen.ts``: one interface per argument Struct, the ``IntentArgs`` map from
intent name to its arguments, the intents' names and versions, one interface per synced
entity's row Struct (what pull sends in ``data``) with the ``SyncedRows`` map from entity name
to its row, and every error code with its HTTP status and FR/EN message. ``nomade contract``
writes the file; ``nomade contract --check`` fails when the committed file is stale (so does a
test).

The output is deterministic: everything is sorted, nothing depends on import order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, cast

import msgspec

from kernel.errors import Problem
from sync.registry import MutationSpec
from sync.wire import SyncedRow

__all__ = (
    "GENERATED_PATH",
    "REGENERATE",
    "JsonSchema",
    "intent_components",
    "render_typescript",
    "row_components",
)

#: Where the generated file lives, relative to the repository root.
GENERATED_PATH = "pwa/src/data/contract.gen.ts"
#: The command that rewrites it.
REGENERATE = "uv run nomade contract"

#: A JSON schema as msgspec writes one for a Struct (the keywords it uses; ``enum``, ``const``
#: and ``default`` hold any value of the described type).
JsonSchema = TypedDict("JsonSchema", {
    "$ref": str,
    "title": str,
    "description": str,
    "type": str | list[str],
    "enum": list[Any],
    "const": Any,
    "default": Any,
    "examples": list[Any],
    "format": str,
    "pattern": str,
    "minLength": int,
    "maxLength": int,
    "minimum": int | float,
    "maximum": int | float,
    "exclusiveMinimum": int | float,
    "exclusiveMaximum": int | float,
    "multipleOf": int | float,
    "items": "JsonSchema | bool",
    "prefixItems": list["JsonSchema"],
    "minItems": int,
    "maxItems": int,
    "uniqueItems": bool,
    "properties": dict[str, "JsonSchema"],
    "required": list[str],
    "additionalProperties": "JsonSchema | bool",
    "minProperties": int,
    "maxProperties": int,
    "anyOf": list["JsonSchema"],
    "oneOf": list["JsonSchema"],
    "allOf": list["JsonSchema"],
    "discriminator": "Discriminator",
    "contentEncoding": str,
}, total=False)


class Discriminator(TypedDict):
    """The tag of a tagged union of Structs (``propertyName``'s value chooses the member)."""

    propertyName: str
    mapping: dict[str, str]


def schema_components(types: Iterable[Any]) -> tuple[list[JsonSchema], dict[str, JsonSchema]]:
    """msgspec's JSON schemas of ``types`` (``$ref`` into ``#/components/schemas/``) and of
    every Struct they use, by name."""
    refs, components = msgspec.json.schema_components(types, ref_template=_REF + "{name}")
    return (cast(list[JsonSchema], list(refs)), cast(dict[str, JsonSchema], components))


_REF = "#/components/schemas/"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCALARS = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
            "null": "null"}


def intent_components(specs: Mapping[str, MutationSpec]
                      ) -> tuple[dict[str, str], dict[str, JsonSchema]]:
    """Each intent's argument schema name, and the JSON schemas of every Struct they use.

    Returns ``({intent name: component name}, {component name: JSON schema})``, both sorted;
    ``$ref`` values point at ``#/components/schemas/<name>`` (OpenAPI's place for them).
    """
    names = sorted(specs)
    refs, components = schema_components([specs[name].args for name in names])
    by_intent = {name: str(ref["$ref"]).removeprefix(_REF)
                 for name, ref in zip(names, refs, strict=True)}
    for component in components:
        if not _IDENTIFIER.match(component):
            raise ValueError(f"argument Struct {component!r} needs a name unique across domains")
    return by_intent, {name: components[name] for name in sorted(components)}


def row_components(rows: Mapping[str, type[SyncedRow]]
                   ) -> tuple[dict[str, str], dict[str, JsonSchema]]:
    """Each synced entity's row schema name, and the JSON schemas of every Struct they use
    (as :func:`intent_components`: ``({entity: component}, {component: schema})``, sorted)."""
    names = sorted(rows)
    refs, components = schema_components([rows[name] for name in names])
    by_entity = {name: str(ref["$ref"]).removeprefix(_REF)
                 for name, ref in zip(names, refs, strict=True)}
    for component in components:
        if not _IDENTIFIER.match(component):
            raise ValueError(f"row Struct {component!r} needs a name unique across domains")
    return by_entity, {name: components[name] for name in sorted(components)}


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ts_type(schema: JsonSchema) -> str:
    """The TypeScript type of one JSON schema (the subset msgspec emits for Structs)."""
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix(_REF)
    if "enum" in schema:
        return " | ".join(_literal(v) for v in schema["enum"])
    if "const" in schema:
        return _literal(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            members = [_ts_type(s) for s in schema[key]]
            return " | ".join(dict.fromkeys(f"({m})" if "=>" in m else m for m in members))
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(_ts_type({**schema, "type": k}) for k in kind)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        items = schema.get("items", True)
        item = _ts_type(items) if isinstance(items, dict) else "unknown"
        return f"Array<{item}>"
    if kind == "object":
        if "properties" in schema:
            raise ValueError("inline object schemas are not generated; use a Struct")
        values = schema.get("additionalProperties", True)
        return f"Record<string, {_ts_type(values) if isinstance(values, dict) else 'unknown'}>"
    if not schema:
        return "unknown"
    raise ValueError(f"no TypeScript type for JSON schema {schema!r}")


def _doc(text: str, indent: str = "") -> list[str]:
    text = text.replace("``", "`").replace("*/", "*\\/")
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in lines), f"{indent} */"]


def _interface(name: str, schema: JsonSchema) -> list[str]:
    if schema.get("type") != "object" or "properties" not in schema:
        return [f"export type {name} = {_ts_type(schema)};"]
    required = set(schema.get("required", ()))
    out = _doc(schema["description"]) if "description" in schema else []
    out.append(f"export interface {name} {{")
    for field, field_schema in schema["properties"].items():
        optional = "" if field in required else "?"
        out.append(f"  {field}{optional}: {_ts_type(field_schema)};")
    out.append("}")
    return out


def render_typescript(specs: Mapping[str, MutationSpec], catalogue: Mapping[str, Problem],
                      rows: Mapping[str, type[SyncedRow]] | None = None) -> str:
    """The text of ``contract.gen.ts`` for these intents, error catalogue and synced entities
    (``rows``: each entity's row Struct, by entity name)."""
    by_intent, components = intent_components(specs)
    by_entity, row_schemas = row_components(rows or {})
    out = [
        "// GENERATED by sync/contract.py from the server's intent registry and error catalogue.",
        f"// Do not edit: regenerate with `{REGENERATE}` (checked fresh by the test command).",
        "",
        "// ---- Intent arguments: one interface per msgspec argument Struct ----",
        "",
    ]
    for name, schema in components.items():
        out += [*_interface(name, schema), ""]
    out.append("/** Each intent's arguments, by intent name. */")
    out.append("export interface IntentArgs {")
    out += [f"  {_literal(name)}: {component};" for name, component in by_intent.items()]
    out += ["}", "", "export type IntentName = keyof IntentArgs;", ""]
    out.append("/** The version of each intent the server applies (older ones are upcast). */")
    out.append("export const INTENT_VERSIONS = {")
    out += [f"  {_literal(name)}: {specs[name].v}," for name in by_intent]
    out += ["} as const satisfies Record<IntentName, number>;", ""]
    out.append("/** Every intent the server knows, sorted. */")
    out.append("export const INTENT_NAMES = [")
    out += [f"  {_literal(name)}," for name in by_intent]
    out += ["] as const satisfies readonly IntentName[];", ""]
    out += ["// ---- Synced rows: one interface per entity's row Struct (pull's `data`) ----", ""]
    for name, schema in row_schemas.items():
        if name in components:  # a Struct an intent takes too (a booking...): already written
            if schema != components[name]:
                raise ValueError(f"Struct {name!r} is described twice, differently")
            continue
        out += [*_interface(name, schema), ""]
    out.append("/** Each synced entity's row as pull sends it (`PatchOp.data`), by entity name. */")
    out.append("export interface SyncedRows {")
    out += [f"  {_literal(name)}: {component};" for name, component in by_entity.items()]
    out += ["}", ""]
    out.append("/** The entities pull sends. */")
    out.append("export const SYNCED_ENTITIES = [")
    out += [f"  {_literal(name)}," for name in by_entity]
    out += ["] as const satisfies readonly (keyof SyncedRows)[];", "",
            "export type SyncedEntity = (typeof SYNCED_ENTITIES)[number];", ""]
    out.append("// ---- Error codes (kernel/errors.py CATALOGUE and each domain's codes) ----")
    out.append("")
    codes = sorted(catalogue)
    out.append("export type ErrorCode =")
    out += [f"  | {_literal(code)}" for code in codes] or ["  never"]
    out[-1] += ";"
    out += ["", "export interface ErrorText {", "  status: number;", "  fr: string;",
            "  en: string;", "}", ""]
    out.append("/** HTTP status and FR/EN message of every error and refusal code. */")
    out.append("export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorText>> = {")
    for code in codes:
        problem = catalogue[code]
        out.append(f"  {code}: {{ status: {problem.status}, fr: {_literal(problem.fr)}, "
                   f"en: {_literal(problem.en)} }},")
    out += ["};", ""]
    return "\n".join(out)
