"""Accounts routes under /api/v1: sign-in and sessions, the caller's account, their devices."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec

from backend.accounts import delegations, services, sessions
from backend.accounts.schemas import (
    DelegateOut,
    DelegationIn,
    DelegationOut,
    DeviceOut,
    LoginIn,
    MePatch,
    OnBehalfOut,
    PinIn,
    RefreshIn,
    SessionOut,
    UnlockIn,
    UserOut,
)
from kernel.actor import Actor
from kernel.errors import ErrorBody
from kernel.guards import current_actor, requires_role, signed_in
from kernel.proxies import client_address_from, parse_networks
from kernel.settings import get_settings

__all__ = ("AuthController", "DevicesController", "MeController", "client_address")

AnyRequest = Request[object, object, State]
PUBLIC = {"public": True}


def _errors(*statuses: int) -> dict[int, ResponseSpec]:
    """Document the coded error answers a route may give (all share :class:`ErrorBody`)."""
    return {
        status: ResponseSpec(data_container=ErrorBody, description="Coded error (FR/EN)")
        for status in (400, *statuses)
    }


def client_address(request: AnyRequest) -> str:
    """The client's address: the peer's, or the one a trusted proxy reports
    (:mod:`kernel.proxies`)."""
    settings = get_settings()
    peer = request.client.host if request.client else "unknown"
    if not settings.trust_forwarded_for:
        return peer
    return client_address_from(peer, request.headers.get("x-forwarded-for", ""),
                               parse_networks(settings.trusted_proxies))


def _actor(request: AnyRequest) -> Actor:
    return current_actor(request)


class AuthController(Controller):
    """Signing in, refreshing, PIN unlock and signing out."""

    path = "/api/v1/auth"
    tags = ("auth",)

    @post("/login", operation_id="login", status_code=200, opt=PUBLIC,
          responses=_errors(401, 429, 503))
    async def login(self, data: LoginIn, request: AnyRequest) -> SessionOut:
        """Sign in with email and password; opens a session on a new device."""
        return await sessions.login(
            email=data.email,
            password=data.password,
            device_name=data.device_name,
            user_agent=request.headers.get("user-agent", ""),
            client_address=client_address(request),
        )

    @post("/refresh", operation_id="refreshSession", status_code=200, opt=PUBLIC,
          responses=_errors(401))
    async def refresh(self, data: RefreshIn) -> SessionOut:
        """Swap the refresh token for a new session; reusing an old token revokes the device."""
        return await sessions.refresh(device_id=data.device_id, refresh_token=data.refresh_token)

    @post("/pin", operation_id="setPin", status_code=204, guards=[signed_in],
          responses=_errors(401))
    async def set_pin(self, data: PinIn, request: AnyRequest) -> None:
        """Set the PIN (4–6 digits) that unlocks this device's session."""
        await sessions.set_pin(actor=_actor(request), pin=data.pin)

    @post("/unlock", operation_id="unlockSession", status_code=200, opt=PUBLIC,
          responses=_errors(401, 429, 503))
    async def unlock(self, data: UnlockIn, request: AnyRequest) -> SessionOut:
        """Reopen the device's session with its PIN; five wrong PINs wipe it."""
        return await sessions.unlock(
            device_id=data.device_id,
            refresh_token=data.refresh_token,
            pin=data.pin,
            client_address=client_address(request),
        )

    @post("/logout", operation_id="logout", status_code=204, guards=[signed_in],
          responses=_errors(401))
    async def logout(self, request: AnyRequest) -> None:
        """Sign this device out."""
        await sessions.logout(actor=_actor(request))


class MeController(Controller):
    """The caller's own account and the approval delegations they gave or received."""

    path = "/api/v1/me"
    tags = ("accounts",)
    guards = (signed_in,)

    @get("/", operation_id="getMe", responses=_errors(401))
    async def get_me(self, request: AnyRequest) -> UserOut:
        """Who is signed in."""
        return await services.get_me(actor=_actor(request))

    @patch("/", operation_id="updateMe", responses=_errors(401))
    async def update_me(self, data: MePatch, request: AnyRequest) -> UserOut:
        """Change one's language (fr or en)."""
        return await services.update_me(actor=_actor(request), language=data.language)

    @get("/delegates", operation_id="listEligibleDelegates", guards=[requires_role("manager")],
         responses=_errors(401, 403))
    async def list_delegates(self, request: AnyRequest) -> list[DelegateOut]:
        """The colleagues a manager may lend their approvals to (managers only)."""
        return await delegations.eligible_delegates(actor=_actor(request))

    @get("/on-behalf", operation_id="listOnBehalf", responses=_errors(401))
    async def list_on_behalf(self, request: AnyRequest) -> list[OnBehalfOut]:
        """The people whose requests the caller decides as a delegate now, with the managers
        they decide for (the approval cards' "on behalf of")."""
        return await delegations.on_behalf(actor=_actor(request))

    @post("/delegations", operation_id="createDelegation", guards=[requires_role("manager")],
          responses=_errors(401, 403, 409))
    async def create_delegation(self, data: DelegationIn, request: AnyRequest) -> DelegationOut:
        """Lend one's approvals to a colleague for a period (managers only)."""
        return await delegations.create_delegation(
            actor=_actor(request), delegate_id=data.delegate_id, starts_at=data.starts_at,
            ends_at=data.ends_at, kinds=list(data.kinds),
        )

    @get("/delegations", operation_id="listDelegations", responses=_errors(401))
    async def list_delegations(self, request: AnyRequest) -> list[DelegationOut]:
        """Delegations the caller gave or received."""
        return await delegations.list_delegations(actor=_actor(request))

    @delete("/delegations/{delegation_id:uuid}", operation_id="revokeDelegation",
            status_code=204, responses=_errors(401, 404))
    async def revoke_delegation(self, delegation_id: UUID, request: AnyRequest) -> None:
        """End one's own delegation now; anyone else's is NOT_FOUND."""
        await delegations.revoke_delegation(actor=_actor(request), delegation_id=delegation_id)


class DevicesController(Controller):
    """The caller's signed-in devices."""

    path = "/api/v1/devices"
    tags = ("accounts",)
    guards = (signed_in,)

    @get("/", operation_id="listDevices", responses=_errors(401))
    async def list_devices(self, request: AnyRequest) -> list[DeviceOut]:
        """The caller's devices (the one calling is marked ``current``)."""
        return await services.list_devices(actor=_actor(request))

    @delete("/{device_id:uuid}", operation_id="revokeDevice", status_code=204,
            responses=_errors(401, 404))
    async def revoke_device(self, device_id: UUID, request: AnyRequest) -> None:
        """Sign one of one's devices out; another person's device is NOT_FOUND."""
        await services.revoke_device(actor=_actor(request), device_id=device_id)

