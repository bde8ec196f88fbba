"""Route guards by role. Ownership is checked by the services, which know the documents.

Guards are coroutines: Litestar runs a plain-function guard in a worker thread, a thread hop
(and its wake-up of the event loop) on every guarded request for a check of a few microseconds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from kernel.actor import Actor, Role
from kernel.errors import DomainError

__all__ = ("current_actor", "requires_role", "signed_in")

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]  # type: ignore[type-arg]


def current_actor(connection: ASGIConnection) -> Actor:  # type: ignore[type-arg]
    """The authenticated actor, or AUTH_REQUIRED."""
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise DomainError("AUTH_REQUIRED")
    return user


async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Any signed-in user."""
    current_actor(connection)


def requires_role(*roles: Role) -> Guard:
    """Only users holding one of ``roles``."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        if current_actor(connection).role not in roles:
            raise DomainError("FORBIDDEN", {"required_roles": list(roles)})

    return guard
