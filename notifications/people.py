"""Who a notification reaches, asked of accounts through a port.

Notifications sits below the domains and imports none of them (import contracts in
pyproject.toml); the composition root (:func:`backend.composition.bootstrap`) installs the
accounts directory's reader here at start-up, the same in every process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from uuid import UUID

__all__ = ("ActiveLanguages", "active_languages", "install_people")

# The language of each active person among some ids (inactive and unknown ids left out).
ActiveLanguages = Callable[[Iterable[UUID]], Awaitable[dict[UUID, str]]]

_active_languages: ActiveLanguages | None = None


def install_people(languages: ActiveLanguages) -> None:
    """Where notifications read people from (start-up, once per process)."""
    global _active_languages
    _active_languages = languages


async def active_languages(user_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The language of each active person among ``user_ids``."""
    if _active_languages is None:
        raise RuntimeError("notifications.people is not installed: backend.composition.bootstrap()"
                           " installs the accounts directory at start-up")
    return await _active_languages(user_ids)
