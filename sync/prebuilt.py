"""Hot statements as prebuilt SQL text (pull's pages, probes and acks; a row by its key).

Piccolo rebuilds a select (columns, conditions, ordering) on every call, and a visibility
clause each time it is used; pull used each clause three times (fingerprint, probe, page) and
ran a select per changed entity. Here the column list of a table is rendered once per process
and the clause once per pull, so a page or a probe costs one template and its parameters.
The statements are the ones Piccolo built, by hand: same columns, conditions and order.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from piccolo.query.methods.raw import Raw
from piccolo.querystring import QueryString
from piccolo.table import Table

from sync.tables import SyncAck

__all__ = ("acks_query", "page_query", "probe_query", "row_query")


def _names(table: type[Table]) -> tuple[str, str, str, str]:
    """(quoted table, its select list, quoted primary key, quoted sync_version) of ``table``."""
    return _rendered(table, table._meta.db.engine_type)


@cache
def _rendered(table: type[Table], engine_type: str) -> tuple[str, str, str, str]:
    name = f'"{table._meta.tablename}"'
    columns = ", ".join(str(c.get_select_string(engine_type)) for c in table._meta.columns)
    pk = f'{name}."{table._meta.primary_key._meta.db_column_name}"'
    return name, columns, pk, f'{name}."sync_version"'


def probe_query(table: type[Table], org: UUID, after_sv: int, clause: QueryString) -> QueryString:
    """A select of one row of ``org`` visible through ``clause`` changed after ``after_sv``."""
    name, _, pk, sv = _names(table)
    return QueryString(
        f"SELECT {pk} FROM {name} WHERE {name}.\"organisation\" = {{}} "  # noqa: S608
        f"AND {sv} > {{}} AND {{}} LIMIT 1", org, after_sv, clause)


def page_query(table: type[Table], org: UUID, after_sv: int, after_id: Any, version: int,
               clause: QueryString, limit: int) -> Raw:
    """Rows of ``org`` visible through ``clause`` after ``(after_sv, after_id)`` (``after_id``
    None: after the whole of ``after_sv``) up to ``version``, by (sync_version, id)."""
    name, columns, pk, sv = _names(table)
    if after_id is None:
        start, args = f"{sv} > {{}}", [after_sv]
    else:
        start, args = f"({sv} > {{}} OR ({sv} = {{}} AND {pk} > {{}}))", [after_sv, after_sv,
                                                                            after_id]
    return Raw(table, QueryString(
        f"SELECT ALL {columns} FROM {name} WHERE {name}.\"organisation\" = {{}} "  # noqa: S608
        f"AND {start} AND {sv} <= {{}} AND {{}} ORDER BY {sv}, {pk} LIMIT {{}}",
        org, *args, version, clause, limit))


def acks_query(client: UUID, after: int, last_seq: int) -> Raw:
    """The stored acks of ``client`` with ``after < seq <= last_seq`` (at most 1,000), by seq."""
    name, _, _, _ = _names(SyncAck)
    return Raw(SyncAck, QueryString(
        f"SELECT seq, mutation_id, status, code, details, conflicts FROM {name} "  # noqa: S608
        "WHERE client = {} AND seq > {} AND seq <= {} ORDER BY seq LIMIT 1000",
        client, after, last_seq))


def row_query(table: type[Table], key: Any, *, for_update: bool = False) -> Raw:
    """The row of ``table`` whose primary key is ``key`` (``for_update``: locked until commit,
    on PostgreSQL), with the columns ``table.select()`` returns."""
    name, columns, pk, _ = _names(table)
    lock = " FOR UPDATE" if for_update and table._meta.db.engine_type == "postgres" else ""
    return Raw(table, QueryString(
        f"SELECT ALL {columns} FROM {name} WHERE {pk} = {{}}{lock}", key))  # noqa: S608
