"""Wire types of the audit trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias
from uuid import UUID

import msgspec

__all__ = ("AuditDetails", "AuditEntryOut", "AuditTrail", "AuditValue")

# An entry's details are free-form by nature: each action keeps what explains it (a reason,
# figures, the lines certified, the attachments of a status...), and people read them back as
# they are, in the audit trail; no code reads them. A type per action would list shapes nobody
# checks, so this recursive JSON value is the only one of its kind (issue #14), here only.

#: A value of an entry's details as an action writes it: any JSON value, and the values the
#: entry's JSON writes as text (dates, times, UUIDs, decimals).
AuditValue: TypeAlias = (
    "str | int | float | bool | date | datetime | UUID | Decimal"
    " | Sequence[AuditValue] | Mapping[str, AuditValue] | None")
#: An entry's details as an action writes them (stored as one JSON object); an action whose
#: details have a fixed shape may declare them as a Struct instead (``record`` takes both).
AuditDetails: TypeAlias = Mapping[str, AuditValue]


class AuditEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    document_type: str
    document_id: UUID
    action: str
    actor_id: UUID | None
    actor_role: str
    device_id: UUID | None
    client_time: datetime | None
    server_time: datetime
    content_hash: str
    # Each value the stored JSON as is (msgspec types no recursive value: see AuditValue).
    details: dict[str, msgspec.Raw]


class AuditTrail(msgspec.Struct, frozen=True, kw_only=True):
    document_type: str
    document_id: UUID
    entries: list[AuditEntryOut]
