"""The registry's checks at registration time."""

from __future__ import annotations

import msgspec
import pytest
from piccolo.columns import Varchar
from piccolo.table import Table

from sync import registry
from sync.registry import SyncedColumns, get_mutation, mutation, synced_entity


@pytest.fixture(autouse=True)
def _restore_registry():  # type: ignore[no-untyped-def]
    """Registrations made here must not leak into the app used by other tests."""
    entities, mutations = dict(registry._ENTITIES), dict(registry._MUTATIONS)
    yield
    registry._ENTITIES.clear()
    registry._ENTITIES.update(entities)
    registry._MUTATIONS.clear()
    registry._MUTATIONS.update(mutations)


class _Args(msgspec.Struct):
    x: int


class _Plain(Table, tablename="plain_for_registry_test"):
    name = Varchar()


class _Synced(SyncedColumns, Table, tablename="synced_for_registry_test"):
    name = Varchar()


def test_synced_entity_requires_the_synced_columns() -> None:
    with pytest.raises(TypeError, match="lacks columns"):
        synced_entity("plain_test", _Plain, visible=lambda a: None, to_wire=dict)
    spec = synced_entity("synced_test", _Synced, visible=lambda a: None, to_wire=dict)
    assert spec.table is _Synced
    assert {c._meta.name for c in _Synced._meta.columns} >= {
        "organisation", "row_version", "sync_version", "deleted_at"}


def test_mutation_registration_and_upcast_bounds() -> None:
    @mutation("test.thing", 2, _Args, upcast={1: lambda d: {"x": d["y"]}})
    async def handler(ctx, args):  # type: ignore[no-untyped-def]
        return None

    spec = get_mutation("test.thing")
    assert spec is not None and spec.v == 2 and spec.upcast[1]({"y": 3}) == {"x": 3}

    async def other(ctx, args):  # type: ignore[no-untyped-def]
        return None

    with pytest.raises(ValueError, match="registered twice"):
        mutation("test.thing", 2, _Args)(other)
    with pytest.raises(ValueError, match="upcast"):
        mutation("test.bad", 1, _Args, upcast={1: lambda d: d})(other)
