"""The registry's checks: at declaration, and when the server builds its registries."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from piccolo.columns import Varchar
from piccolo.table import Table

from kernel.declarations import DECLARATIONS
from sync.registry import (
    MutationSpec,
    SyncedColumns,
    SyncRegistry,
    get_mutation,
    mutation,
    synced_entity,
)
from sync.wire import SyncedRow


class _Args(msgspec.Struct):
    x: int


class _Plain(Table, tablename="plain_for_registry_test"):
    name = Varchar()


class _Synced(SyncedColumns, Table, tablename="synced_for_registry_test"):
    name = Varchar()


class _SyncedRow(SyncedRow, kw_only=True):
    name: str


def _to_wire(row: dict[str, Any]) -> _SyncedRow:
    return _SyncedRow(name=row["name"])


def _declared_here() -> list[object]:
    return list(globals().get(DECLARATIONS, []))


def test_synced_entity_requires_the_synced_columns() -> None:
    with pytest.raises(TypeError, match="lacks columns"):
        synced_entity("plain_test", _Plain, visible=lambda a: None, wire=_SyncedRow,
                      to_wire=_to_wire)
    spec = synced_entity("synced_test", _Synced, visible=lambda a: None, wire=_SyncedRow,
                         to_wire=_to_wire)
    assert spec.table is _Synced and spec.wire is _SyncedRow
    assert {c._meta.name for c in _Synced._meta.columns} >= {
        "organisation", "row_version", "sync_version", "deleted_at"}


def test_a_declared_intent_is_served_only_once_the_registry_is_built() -> None:
    before = len(_declared_here())

    @mutation("test.thing", 2, _Args, upcast={1: lambda d: {"x": d["y"]}})
    async def handler(ctx, args):  # type: ignore[no-untyped-def]
        return None

    [declared] = _declared_here()[before:]
    assert isinstance(declared, MutationSpec) and declared.handler is handler
    assert get_mutation("test.thing") is None, "declaring registers nothing"
    spec = SyncRegistry.build([declared]).mutations["test.thing"]
    assert spec.v == 2 and spec.upcast[1]({"y": 3}) == {"x": 3}


def test_an_intent_declared_twice_is_refused_when_the_registry_is_built() -> None:
    async def one(ctx, args):  # type: ignore[no-untyped-def]
        return None

    async def other(ctx, args):  # type: ignore[no-untyped-def]
        return None

    before = len(_declared_here())
    mutation("test.twice", 1, _Args)(one)
    mutation("test.twice", 1, _Args)(other)
    with pytest.raises(ValueError, match="registered twice"):
        SyncRegistry.build(_declared_here()[before:])
    with pytest.raises(ValueError, match="upcast"):
        mutation("test.bad", 1, _Args, upcast={1: lambda d: d})(other)
