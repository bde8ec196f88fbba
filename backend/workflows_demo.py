"""Demo data of the workflows (``nomade seed-demo`` runs :func:`seed` after the accounts).

Everything goes through the same intent handlers as the devices (so rules, totals, hashes and
the audit trail are real), acting as the demo people; each document has a fixed id
(``demo_id``) and is skipped when it exists, so a second run changes nothing. Adds: the State's
dated expense rules, an integration API key ``demo-integration-key`` for the financial system,
missions and expense claims in every state, purchase orders awaiting service done, and about 60
invoices over the five suppliers in varied statuses (paid, late, suspended, rejected…).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import msgspec

from backend.accounts.tables import SupplierCompany, User
from backend.claims.schemas import (
    ClaimCommandArgs,
    ClaimCreateArgs,
    ClaimDecideArgs,
    ClaimPaidArgs,
)
from backend.claims.tables import ExpenseClaim
from backend.expenses.schemas import CreateArgs as LineCreateArgs
from backend.expenses.vehicles import SetArgs as VehicleSetArgs
from backend.flows import process_integration_event
from backend.invoices.integration_keys import create_key, key_known
from backend.invoices.schemas import IntegrationEventIn, InvoiceIn, InvoiceLine, StatusIn
from backend.missions.deadlines import get_rules as deadline_rules
from backend.missions.schemas import (
    Booking,
    Decision,
    MissionCommandArgs,
    MissionCreateArgs,
    MissionDecideArgs,
)
from backend.missions.tables import Mission
from backend.orders.schemas import (
    CertifiedQuantity,
    OrderCertifyArgs,
    OrderCreateArgs,
    OrderLineIn,
)
from backend.orders.tables import PurchaseOrder
from backend.policy.services import seed_state_defaults
from backend.seed import SeedContext, demo_id
from kernel.actor import Actor
from kernel.coerce import as_uuid
from kernel.unit_of_work import UnitOfWork
from sync import MutationContext, Noop, Rejected
from sync.registry import get_mutation

__all__ = ("DEMO_INTEGRATION_KEY", "seed")

log = logging.getLogger("nomade.seed")
DEMO_INTEGRATION_KEY = "demo-integration-key"


async def _actor(user_id: UUID) -> Actor:
    row = await User.select().where(User.id == user_id).first()
    assert row is not None, user_id
    return Actor(user_id=row["id"], role=row["role"], device_id=demo_id(f"device:{user_id}"),
                 organisation_id=row["organisation"], unit_id=row["unit"],
                 supplier_company_id=row["supplier_company"], language=row["language"])


async def _act(user_id: UUID, name: str, args: msgspec.Struct, *, at: datetime) -> bool:
    """Run intent ``name`` with ``args`` (its argument type) as ``user_id`` in its own
    transaction; False when refused."""
    spec = get_mutation(name)
    assert spec is not None, name
    assert isinstance(args, spec.args), (name, type(args))
    actor = await _actor(user_id)
    try:
        async with UnitOfWork() as unit_of_work:
            ctx = MutationContext(actor=actor, mutation_id=uuid4(), client_time=at,
                                  server_time=at, device_id=actor.device_id,
                                  client_id=demo_id("seed-client"), seq=0,
                                  unit_of_work=unit_of_work)
            try:
                outcome = await spec.handler(ctx, args)
            except Rejected as refused:
                outcome = refused
            if isinstance(outcome, Rejected | Noop):
                raise _Refused(outcome)  # rolls the intent's writes back
    except _Refused as refused:
        log.warning("demo intent %s refused: %s", name, refused.outcome)
        return False
    except Rejected as refused:  # a new row's key exists (raised at the end of the block)
        log.warning("demo intent %s refused: %s", name, refused)
        return False
    return True


class _Refused(Exception):
    def __init__(self, outcome: Rejected | Noop) -> None:
        super().__init__(outcome.code)
        self.outcome = outcome


async def seed(ctx: SeedContext) -> None:
    """Seed the workflows' demo documents (idempotent; runs the intents of the registries
    ``nomade seed-demo`` installed first)."""
    await seed_state_defaults(ctx.organisation_id)
    await deadline_rules(ctx.organisation_id)  # the default reminder and escalation rules
    if not await key_known(DEMO_INTEGRATION_KEY):  # an administrator may have revoked it
        await create_key(ctx.organisation_id, DEMO_INTEGRATION_KEY, name="demo")
    await _missions_and_claims(ctx)
    orders = await _orders(ctx)
    await _invoices(ctx, orders)


MISSION_PLANS = (
    # (state, destination, days from now, booking expiry in hours or None)
    ("draft", "Marseille", 20, None),
    ("submitted", "Lyon", 6, 5),
    ("submitted", "Bordeaux", 12, 60),
    ("submitted", "Strasbourg", 3, 20),
    ("approved", "Lille", -30, None),
    ("approved", "Nantes", -12, None),
    ("approved", "Rennes", -45, None),
    ("approved", "Toulouse", -60, None),
    ("approved", "Montpellier", -20, None),
    ("approved", "Nice", -75, None),
    ("refused", "Paris", 15, None),
    ("returned", "Dijon", 25, 48),
    ("cancelled", "Brest", 9, None),
)
CLAIM_PLANS = ("draft", "submitted", "approved", "refused", "returned", "paid")
# The decision that leads a planned document to its state.
_DECISIONS: dict[str, Decision] = {"approved": "approve", "paid": "approve",
                                   "refused": "refuse", "returned": "return"}


async def _missions_and_claims(ctx: SeedContext) -> None:
    now = ctx.now
    for index, (state, destination, offset, expiry) in enumerate(MISSION_PLANS):
        agent_index = index % len(ctx.agent_ids)
        agent = ctx.agent_ids[agent_index]
        manager = ctx.manager_ids[ctx.unit_ids.index(ctx.agent_unit_ids[agent_index])]
        mission_id = demo_id(f"mission:{index}")
        if await Mission.exists().where(Mission.id == mission_id):
            continue
        start = (now + timedelta(days=offset)).date()
        bookings = [] if expiry is None else [Booking(
            label=f"Train aller-retour {destination}", fare_cents=9800 + 700 * index,
            expires_at=now + timedelta(hours=expiry))]
        created = now - timedelta(days=max(2, -offset + 10))
        await _act(agent, "mission.create", MissionCreateArgs(
            id=mission_id, purpose=f"Réunion régionale à {destination}",
            destination=destination, starts_on=start, ends_on=start + timedelta(days=2),
            transport="train", estimated_cost_cents=35000 + 1000 * index, bookings=bookings),
            at=created)
        if state == "draft":
            continue
        if state == "cancelled":
            await _act(agent, "mission.cancel", MissionCommandArgs(
                id=mission_id, expected_state="draft"), at=created)
            continue
        await _act(agent, "mission.submit", MissionCommandArgs(
            id=mission_id, expected_state="draft"), at=created + timedelta(hours=1))
        if state == "submitted":
            continue
        row = await Mission.select(Mission.content_hash).where(Mission.id == mission_id).first()
        decision = _DECISIONS[state]
        await _act(manager, "mission.decide", MissionDecideArgs(
            id=mission_id, decision=decision, expected_state="submitted",
            content_hash=row["content_hash"] if row else "",
            reason="" if decision == "approve" else "Merci de préciser le programme"),
            at=created + timedelta(hours=3))
    approved = [i for i, plan in enumerate(MISSION_PLANS) if plan[0] == "approved"]
    for claim_index, (state, mission_index) in enumerate(zip(CLAIM_PLANS, approved,
                                                             strict=False)):
        await _claim(ctx, claim_index, state, mission_index)


async def _claim(ctx: SeedContext, claim_index: int, state: str, mission_index: int) -> None:
    claim_id = demo_id(f"claim:{claim_index}")
    if await ExpenseClaim.exists().where(ExpenseClaim.id == claim_id):
        return
    agent_index = mission_index % len(ctx.agent_ids)
    agent = ctx.agent_ids[agent_index]
    manager = ctx.manager_ids[ctx.unit_ids.index(ctx.agent_unit_ids[agent_index])]
    mission = await Mission.select().where(Mission.id == demo_id(f"mission:{mission_index}")
                                           ).first()
    if mission is None or mission["state"] != "approved":
        return
    at = ctx.now - timedelta(days=5)
    await _act(agent, "expense_claim.create", ClaimCreateArgs(
        id=claim_id, mission_id=as_uuid(mission["id"])), at=at)
    # Mileage lines need no receipt photo (receipts are uploaded from the devices); the server
    # prices them from the agent's car, so the agent declares one first (replacing is a no-op).
    await _act(agent, "vehicle_profile.set", VehicleSetArgs(
        id=agent, fiscal_cv=5, year=mission["starts_on"].year, declared_km=0), at=at)
    for line_no, km in enumerate((120, 85)):
        await _act(agent, "expense_line.create", LineCreateArgs(
            id=demo_id(f"claim:{claim_index}:line:{line_no}"),
            date=mission["starts_on"] + timedelta(days=line_no),
            amount_cents=int(km * 32 + (0 if line_no else 500)), category="mileage",
            km=km, fiscal_hp=5, description="Trajet domicile – gare", claim_id=claim_id), at=at)
    if state == "draft":
        return
    await _act(agent, "expense_claim.submit", ClaimCommandArgs(
        id=claim_id, expected_state="draft"), at=at + timedelta(hours=1))
    if state == "submitted":
        return
    row = await ExpenseClaim.select(ExpenseClaim.content_hash).where(
        ExpenseClaim.id == claim_id).first()
    decision = _DECISIONS[state]
    await _act(manager, "expense_claim.decide", ClaimDecideArgs(
        id=claim_id, decision=decision, expected_state="submitted",
        content_hash=row["content_hash"] if row else "",
        reason="" if decision == "approve" else "Kilométrage à justifier"),
        at=at + timedelta(days=1))
    if state == "paid":
        await _act(ctx.back_office_id, "expense_claim.mark_paid", ClaimPaidArgs(
            id=claim_id, expected_state="approved",
            payment_reference=f"VIR-DEMO-{claim_index:03d}"), at=at + timedelta(days=3))


ORDER_PLANS = (
    # (title, supplier index, unit index, lines, certify: None | "all" | {line: qty})
    ("Ramettes et fournitures de bureau", 0, 0,
     [("Ramettes A4 80 g (carton de 5)", "40", 2390), ("Stylos bille (boîte de 50)", "10", 1490)],
     None),
    ("Déménagement du service", 1, 2, [("Forfait déménagement", "1", 480000)], None),
    ("Postes de travail", 2, 1,
     [("Ordinateur portable 14 pouces", "12", 98000), ("Station d'accueil", "12", 18900)],
     {1: "6"}),
    ("Buffet du séminaire", 3, 0, [("Buffet 60 personnes", "60", 2850)], "all"),
    ("Nettoyage des locaux (trimestre)", 4, 2, [("Prestation mensuelle", "3", 215000)], {1: "1"}),
    ("Écrans et câbles", 2, 0, [("Écran 27 pouces", "8", 24900), ("Câble HDMI", "8", 1290)],
     None),
)


async def _orders(ctx: SeedContext) -> list[tuple[str, int, list[tuple[str, str, int]]]]:
    plans = []
    for index, (title, supplier, unit, lines, certify) in enumerate(ORDER_PLANS):
        number = f"BC-2026-{index + 101:04d}"
        plans.append((number, supplier, lines))
        order_id = demo_id(f"order:{index}")
        if await PurchaseOrder.exists().where(PurchaseOrder.id == order_id):
            continue
        at = ctx.now - timedelta(days=40 - index * 3)
        await _act(ctx.back_office_id, "purchase_order.create", OrderCreateArgs(
            id=order_id, number=number, unit_id=ctx.unit_ids[unit],
            supplier_company_id=ctx.supplier_company_ids[supplier],
            ej_number=f"1300{index + 42:06d}", code_service="MTE-SG-75", title=title,
            lines=[OrderLineIn(line_no=n + 1, description=d, quantity=Decimal(q),
                               unit_price_cents=p) for n, (d, q, p) in enumerate(lines)]),
            at=at)
        if certify is None:
            continue
        await _act(ctx.manager_ids[unit], "purchase_order.certify", OrderCertifyArgs(
            id=order_id, round_seen=0, certified_on=(at + timedelta(days=10)).date(),
            comment="Constaté à la livraison",
            lines=[CertifiedQuantity(line_no=n, received=Decimal(q)) for n, q in certify.items()]
            if isinstance(certify, dict) else None),
            at=at + timedelta(days=10))
    return plans


# Status paths of the demo invoices (days after submission for each code).
PATHS: tuple[tuple[tuple[str, int, str], ...], ...] = (
    (("DEPOSEE", 0, ""),),
    (("DEPOSEE", 0, ""), ("EN_COURS_ACHEMINEMENT", 1, "")),
    (("DEPOSEE", 0, ""), ("MISE_A_DISPOSITION", 2, "")),
    (("DEPOSEE", 0, ""), ("MISE_A_DISPOSITION", 1, ""), ("PRISE_EN_COMPTE_DESTINATAIRE", 3, "")),
    (("DEPOSEE", 0, ""), ("MISE_A_DISPOSITION", 1, ""),
     ("SUSPENDUE", 4, "Numéro d'engagement juridique absent")),
    (("DEPOSEE", 0, ""), ("MISE_A_DISPOSITION", 1, ""), ("SUSPENDUE", 3, "RIB manquant"),
     ("COMPLETEE", 8, "")),
    (("DEPOSEE", 0, ""), ("A_RECYCLER", 2, "")),
    (("DEPOSEE", 0, ""), ("REJETEE", 3, "Facture en double")),
    (("DEPOSEE", 0, ""), ("MISE_A_DISPOSITION", 1, ""), ("SERVICE_FAIT", 9, "")),
    (("DEPOSEE", 0, ""), ("SERVICE_FAIT", 6, ""), ("MANDATEE", 12, "")),
    (("DEPOSEE", 0, ""), ("MANDATEE", 14, ""), ("MISE_A_DISPOSITION_COMPTABLE", 16, ""),
     ("COMPTABILISEE", 18, "")),
    (("DEPOSEE", 0, ""), ("SERVICE_FAIT", 8, ""), ("MANDATEE", 15, ""),
     ("MISE_EN_PAIEMENT", 24, "")),
    (("DEPOSEE", 0, ""), ("SERVICE_FAIT", 20, ""), ("MISE_EN_PAIEMENT", 41, "")),
)


async def _invoices(ctx: SeedContext,
                    orders: list[tuple[str, int, list[tuple[str, str, int]]]]) -> None:
    sirets = [r["siret"] for r in [await SupplierCompany.select(SupplierCompany.siret).where(
        SupplierCompany.id == company).first() for company in ctx.supplier_company_ids] if r]
    for index in range(60):
        supplier = index % len(sirets)
        path = PATHS[index % len(PATHS)]
        age = 3 + (index * 7) % 80
        submitted = ctx.now - timedelta(days=age)
        linked = [o for o in orders if o[1] == supplier]
        order = linked[0] if linked and index % 3 == 0 else None
        lines = (
            [InvoiceLine(description=d, quantity=Decimal(q), unit_price_cents=p,
                         order_line_no=n + 1) for n, (d, q, p) in enumerate(order[2])]
            if order else
            [InvoiceLine(description="Prestation", quantity=Decimal("1"),
                         unit_price_cents=15000 + 3700 * index)])
        ht = int(sum(line.quantity * line.unit_price_cents for line in lines))
        vat = ht // 5
        number = f"F2026-{supplier + 1}{index + 1:04d}"
        siret = sirets[supplier]
        events = [IntegrationEventIn(
            event_id=f"demo:{number}", type="invoice.created", occurred_at=submitted,
            invoice=InvoiceIn(
                number=number, supplier_siret=siret,
                issued_on=(submitted - timedelta(days=2)).date(), amount_ht_cents=ht,
                vat_cents=vat, amount_ttc_cents=ht + vat,
                order_number=order[0] if order else "", code_service="MTE-SG-75",
                ej_number=f"1300{index:06d}", lines=lines))]
        for code, day, reason in path[1:]:
            when = submitted + timedelta(days=day)
            if when > ctx.now:
                break
            events.append(IntegrationEventIn(
                event_id=f"demo:{number}:{code}", type="invoice.status", occurred_at=when,
                status=StatusIn(number=number, supplier_siret=siret, code=code,
                                reason=reason)))
        for event in events:
            await process_integration_event(ctx.organisation_id, event, now=ctx.now)
