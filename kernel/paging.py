"""Paging of the read API: the query parameters every list route takes, and one page query."""

from __future__ import annotations

from typing import Annotated, TypeVar, cast

from litestar.params import Parameter
from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.table import Table

__all__ = ("Limit", "Offset", "fetch_page")

Offset = Annotated[int, Parameter(ge=0, le=1_000_000, description="Items to skip")]
Limit = Annotated[int, Parameter(ge=1, le=200, description="Page size")]

#: The row type of the table paged (its domain's ``*Record`` TypedDict, in its ``rows`` module).
Record = TypeVar("Record")


async def fetch_page(table: type[Table], record: type[Record], where: Combinable,
                     *order: tuple[Column, bool], offset: int, limit: int
                     ) -> tuple[list[Record], int]:
    """One page of ``table``'s rows matching ``where``, in ``order`` (column, ascending) then by
    id so pages never overlap, with the total count of matching rows.

    The rows are as Piccolo's ``select()`` reads them (JSON columns decoded), typed as
    ``record``: the caller's row type for ``table``."""
    total = await table.count().where(where)
    query = table.select().where(where)
    for column, ascending in order:
        query = query.order_by(column, ascending=ascending)
    rows = await query.order_by(table._meta.primary_key).offset(offset).limit(limit).output(
        load_json=True)
    return cast(list[Record], rows), total
