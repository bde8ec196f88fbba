"""The test factories make people whose tokens the app accepts."""

from __future__ import annotations

from backend.accounts.services import revoke_device
from tests.factories import make_org


async def test_factory_token_is_accepted_until_device_revoked(client) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    agent = org.people["agent_a"]
    assert (await client.get("/health", headers=agent.headers)).status_code == 200
    await revoke_device(actor=agent.actor, device_id=agent.device_id)
    response = await client.get("/health", headers=agent.headers)
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_EXPIRED"
