"""A supplier's phone ends on an invoice's newest status, whichever sender sends what.

The push service keeps only the last message of a Topic (one per document): a device's messages
about one invoice must reach it oldest first, also when two workers with several lanes each
send while the statuses change, and when one message has to be retried.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from notifications import notify
from notifications.messages import INVOICE_STATUS_LABELS
from notifications.sender import PushSender
from notifications.tables import PushOutbox
from notifications.transport import AiohttpTransport
from notifications.vapid import get_signer
from tests.factories import make_org
from tests.integration.notifications.conftest import paris, subscribe
from tests.pushservice import FakePushService

STATUSES = ("DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION", "SUSPENDUE", "COMPLETEE",
            "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT")


def _title(status: str) -> str:
    return f"Facture F-2032-77 : {INVOICE_STATUS_LABELS[status][0]}"


async def _keep_sending(sender: PushSender, at: datetime, until: asyncio.Event) -> None:
    while not until.is_set():
        await sender.deliver_due(at)
        await asyncio.sleep(0)


@pytest.mark.parametrize("run", range(5))
async def test_each_device_gets_an_invoices_statuses_in_order_and_ends_on_the_newest(
    client, push_service: FakePushService, unique: str, run: int
) -> None:
    org = await make_org()
    supplier = org.people["supplier"]
    phone, tablet, laptop = [await subscribe(client, supplier, push_service) for _ in range(3)]
    push_service.respond(phone, 500)  # the first message to the phone must be retried
    push_service.respond(tablet, 429, retry_after="1")
    invoice = {"kind": "invoice", "id": f"order-{unique}", "url": f"/invoices/{unique}"}
    noon = paris(2032, 5, 12, 12) + timedelta(minutes=run)
    end = noon + timedelta(seconds=len(STATUSES))
    transports = [AiohttpTransport(8), AiohttpTransport(8)]
    senders = [PushSender(get_signer(), t, concurrency=8, batch=2, lanes=3) for t in transports]
    written = asyncio.Event()
    try:
        # Two workers send all along while the invoice moves from status to status.
        sending = [asyncio.create_task(_keep_sending(s, end, written)) for s in senders]
        for second, status in enumerate(STATUSES):
            await notify("invoice_status_changed", [supplier.user_id], invoice,
                         {"invoice_number": "F-2032-77", "status": status, "amount_cents": 5000},
                         action_required=status == "SUSPENDUE", key=f"{unique}:{status}",
                         now=noon + timedelta(seconds=second))
            await asyncio.sleep(0.01)
        written.set()
        await asyncio.gather(*sending)
        # Later on, the retries fall due; both workers still take part.
        for _ in range(len(STATUSES) + 2):
            await asyncio.gather(*(s.deliver_due(end + timedelta(hours=2)) for s in senders))
    finally:
        for transport in transports:
            await transport.aclose()

    expected = [_title(status) for status in STATUSES]
    for device in (phone, tablet, laptop):
        titles = [m.json()["notification"]["title"] for m in push_service.messages(device)]
        assert titles == expected, "every status once, oldest first"
        assert titles[-1] == _title("MISE_EN_PAIEMENT"), "the phone ends on the newest status"
    states = await PushOutbox.select(PushOutbox.state).where(PushOutbox.user == supplier.user_id)
    assert {row["state"] for row in states} == {"sent"}
    assert len(states) == 3 * len(STATUSES)


async def test_an_urgent_status_at_night_is_not_overtaken_by_the_one_held_until_morning(
    client, push_service: FakePushService, unique: str
) -> None:
    from tests.integration.notifications.conftest import deliver

    org = await make_org()
    supplier = org.people["supplier"]
    phone = await subscribe(client, supplier, push_service)
    invoice = {"kind": "invoice", "id": f"night-{unique}", "url": f"/invoices/{unique}"}
    evening, night = paris(2032, 6, 9, 22), paris(2032, 6, 9, 23)
    for status, at in (("DEPOSEE", evening), ("SUSPENDUE", night)):
        await notify("invoice_status_changed", [supplier.user_id], invoice,
                     {"invoice_number": "F-2032-77", "status": status, "amount_cents": 5000},
                     action_required=status == "SUSPENDUE", key=f"{unique}:{status}", now=at)
        await deliver(at)
    # 'déposée' was held for quiet hours; 'suspendue' breaks through and takes it along, first.
    titles = [m.json()["notification"]["title"] for m in push_service.messages(phone)]
    assert titles == [_title("DEPOSEE"), _title("SUSPENDUE")]
    await deliver(paris(2032, 6, 10, 8))
    assert len(push_service.messages(phone)) == 2, "nothing older arrives in the morning"
