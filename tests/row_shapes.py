"""Whether a row TypedDict says what its Piccolo table stores: the same column names, each
value of the column's Python type, ``None`` allowed exactly where the column is nullable."""

from __future__ import annotations

import types
import typing
import uuid
from datetime import date, datetime

from piccolo.columns import JSON, UUID, BigInt, Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("row_mismatches",)

_PYTHON_TYPE: dict[type, type] = {UUID: uuid.UUID, Varchar: str, Text: str, Integer: int,
                                  BigInt: int, Serial: int, Date: date, Timestamptz: datetime,
                                  JSON: list}


def _parts(hint: object) -> set[object]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return {typing.get_origin(a) or a for a in typing.get_args(hint)}
    return {typing.get_origin(hint) or hint}


def row_mismatches(row_type: type, table: type[Table]) -> list[str]:
    """What differs between ``row_type`` (a TypedDict) and ``table``'s columns, in words."""
    hints = typing.get_type_hints(row_type)
    columns = {c._meta.name: c for c in table._meta.columns}
    found = [f"{name}: not a column" for name in sorted(set(hints) - set(columns))]
    found += [f"{name}: column missing from the row" for name in sorted(set(columns) - set(hints))]
    for name in sorted(set(hints) & set(columns)):
        column, parts = columns[name], _parts(hints[name])
        wanted = {_PYTHON_TYPE[type(column)]} | ({types.NoneType} if column._meta.null else set())
        if parts != wanted:
            found.append(f"{name}: {hints[name]} for a {type(column).__name__} column"
                         f"{' (nullable)' if column._meta.null else ''}")
    return found
