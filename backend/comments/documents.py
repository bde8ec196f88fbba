"""The documents one comments on, read through their own domains (their visibility applies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from backend.claims import services as claims
from backend.missions import services as missions
from kernel.actor import Actor
from kernel.errors import DomainError

__all__ = ("Document", "visible_document")


@dataclass(frozen=True)
class Document:
    """What a comment needs of its document: whose it is, where it stands, how it is called."""

    kind: str  # as the phone's screens name it: mission | claim
    agent: UUID
    state: str
    label: str


async def visible_document(
    actor: Actor, document_type: str, document_id: UUID, *, now: datetime
) -> Document | None:
    """The document if ``actor`` sees it (None for unknown, deleted or someone else's)."""
    try:
        if document_type == "mission":
            mission = await missions.get_mission(actor, document_id, now=now)
            label = f"{mission.purpose} — {mission.destination}".strip(" —")
            return Document("mission", mission.agent_id, mission.state, label)
        if document_type == "expense_claim":
            claim = await claims.get_claim(actor, document_id)
            return Document("claim", claim.agent_id, claim.state, claim.title)
    except DomainError:
        return None
    return None
