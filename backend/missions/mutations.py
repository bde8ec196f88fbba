"""Sync intents of mission orders (names are the wire contract with the PWA)."""

from __future__ import annotations

from backend.audit.services import register_document
from backend.missions import services
from backend.missions.schemas import (
    MissionCommandArgs,
    MissionCreateArgs,
    MissionDecideArgs,
    MissionEditArgs,
    MissionRow,
)
from backend.missions.tables import Mission
from sync import MutationContext, Outcome, mutation, synced_entity

__all__ = ("amend", "cancel", "create", "decide", "edit", "submit")

synced_entity("mission", Mission, visible=services.visible, wire=MissionRow,
              to_wire=services.to_wire)
register_document("mission", services.is_visible)


@mutation("mission.create", 1, MissionCreateArgs)
async def create(ctx: MutationContext, args: MissionCreateArgs) -> Outcome | None:
    """An agent drafts a mission."""
    await services.create(ctx, args)
    return None


@mutation("mission.edit", 1, MissionEditArgs)
async def edit(ctx: MutationContext, args: MissionEditArgs) -> Outcome | None:
    """The agent edits a draft or returned mission."""
    return await services.edit(ctx, args)


@mutation("mission.submit", 1, MissionCommandArgs)
async def submit(ctx: MutationContext, args: MissionCommandArgs) -> Outcome | None:
    """The agent submits the mission to their manager."""
    return await services.submit(ctx, args)


@mutation("mission.cancel", 1, MissionCommandArgs)
async def cancel(ctx: MutationContext, args: MissionCommandArgs) -> Outcome | None:
    """The agent cancels the mission, before a decision or once approved."""
    return await services.cancel(ctx, args)


@mutation("mission.amend", 1, MissionCommandArgs)
async def amend(ctx: MutationContext, args: MissionCommandArgs) -> Outcome | None:
    """The agent reopens an approved mission to change it (it goes back for approval)."""
    return await services.amend(ctx, args)


@mutation("mission.decide", 1, MissionDecideArgs)
async def decide(ctx: MutationContext, args: MissionDecideArgs) -> Outcome | None:
    """The manager (or a delegate) approves, refuses or returns what they saw."""
    return await services.decide(ctx, args)
