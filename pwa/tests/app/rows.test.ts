import { describe, expect, it } from "vitest";
import { toApprovals, toClaim, toComment, toInvoice, toLine, toMission, toOrder, toVehicle } from "../../src/app/rows";
import type { EntityName, Row } from "../../src/data";
import type { ClaimRow, CommentRow, ExpenseLineRow, InvoiceRow, MissionRow, OrderRow, SyncedRows } from "../../src/data/contract.gen";

/** A row as pull stores it: `data` is exactly the server's row Struct (every field of the
 * generated type must be given, so a change of the server's rows breaks these tests). */
function pulled<E extends keyof SyncedRows>(entity: E, data: SyncedRows[E], pending = false): Row {
  return { entity, id: String(data.id), row_version: 3, pending, data } as unknown as Row;
}
/** A row created on this phone from an intent's arguments, not confirmed by the server yet. */
function queued(entity: EntityName, id: string, data: Record<string, unknown>): Row {
  return { entity, id, row_version: 0, pending: true, data } as unknown as Row;
}

const ORG = "0b8c2d52-0000-4000-8000-000000000001", AGENT = "a9a1c7e0-0000-4000-8000-000000000002";
const columns = { organisation: ORG, row_version: 3, sync_version: 41, deleted_at: null };

const mission: MissionRow = {
  ...columns, id: "4a03f61f-666e-508b-8e2c-f9c0c73f0c36", agent: AGENT, agent_name: "Camille Martin", unit: null,
  purpose: "Comité de pilotage", destination: "Lyon", starts_on: "2026-12-07", ends_on: "2026-12-09", transport: "train",
  estimated_cost_cents: 24_500,
  bookings: [{ label: "Train aller-retour Lyon", fare_cents: 10_500, expires_at: "2026-12-06T12:26:57.893278Z", mode: null }],
  departs_at: "2026-12-07T07:00:00Z", returns_at: "2026-12-09T19:00:00Z", time_zone: "Europe/Paris", country: "fr",
  advance_requested: true,
  allowance: { rule_set: "state-2023", meals: 5, nights: 2, meals_cents: 10_000, lodging_cap_cents: 18_000, abroad_cents: 0, expected_cents: 34_000, advance_cents: 25_500, rate_missing: false, abroad_nights_cents: 0, covers: ["meal"] },
  state: "submitted", content_hash: "d6b0a491", earliest_expiry: "2026-12-06T12:26:57.893278Z", submitted_at: "2026-12-02T08:26:57.893278Z",
  escalation_level: 1, decided_at: null, decided_by: null, decision_reason: "", created_at: "2026-12-01T07:26:57.893278Z",
  updated_at: "2026-12-02T08:26:57.893278Z", urgent: true, booking_expired: false, city_class: "large_city", abroad: false,
};

const claim: ClaimRow = {
  ...columns, id: "c1", agent: AGENT, agent_name: "Camille Martin", unit: null, mission: mission.id, title: "Frais — Lyon",
  state: "submitted", total_cents: 41_250, allowance_cents: 6_000, advance_cents: 25_500, vat_cents: 3_100, line_count: 2,
  findings: [{ line_id: "l1", code: "MEAL_OVER_CAP", severity: "warning", message_fr: "Repas au-dessus du plafond", message_en: "Meal above the cap", figures: { cap_cents: 2_000 } }],
  content_hash: "aa", submitted_at: "2026-12-10T09:00:00Z", escalation_level: 0, decided_at: null, decided_by: null,
  decision_reason: "", paid_at: null, paid_by: null, payment_reference: "", created_at: "2026-12-09T20:00:00Z",
};

function line(data: Partial<ExpenseLineRow> = {}): Row {
  return pulled("expense_line", {
    id: "l1", owner: AGENT, claim_id: "c1", date: "2025-02-24", category: "meal", merchant: "AU BON ACCUEIL", description: "",
    amount_cents: 14_625, currency: "EUR", vat_rate_bp: 1000, vat_cents: 1_330, fx_rate: null, km: null, fiscal_hp: null,
    receipts: ["abc"], field_versions: { amount_cents: 3 }, field_sources: {}, ocr: {}, mileage: {}, row_version: 3, ...data,
  });
}
const reading = { sha256: "abc", status: "read", code: null, auto_accept: true, filled: ["amount_cents", "date", "merchant"],
  fields: { merchant: 0.92, date: 0.99, amount_cents: 1, vat_rate_bp: 0.9 } };
const noWarnings = () => [];

const order: OrderRow = {
  ...columns, id: "po1", unit: null, supplier_company: null, supplier_name: "Bureautique Ouest", number: "PO-2026-0042",
  ej_number: "1300004567", code_service: "DSI", title: "Fournitures",
  lines: [{ line_no: 1, description: "Ramettes A4", quantity: "40", unit_price_cents: 2_390, received: "12.5" },
          { line_no: 2, description: "Stylos", quantity: "10", unit_price_cents: 1_490, received: "0" }],
  total_cents: 110_500, certified_cents: 30_000, state: "partially_received", certification_round: 2, certified_at: null,
  certified_by: null, certified_on: "", certification_comment: "", created_at: "2026-11-12T07:26:57Z",
};

const invoice: InvoiceRow = {
  ...columns, id: "i1", supplier_company: "s1", supplier_siret: "12345678900011", supplier_name: "Bureautique Ouest",
  buyer_name: "Préfecture du Rhône", number: "F-2026-118", purchase_order: "po1", order_number: "PO-2026-0042", ej_number: "1300004567",
  code_service: "DSI", unit: null, issued_on: "2026-11-19", amount_ht_cents: 100_000, vat_cents: 20_000, amount_ttc_cents: 120_000,
  amount_due_cents: 118_000, lines: [{ description: "Ramettes A4", quantity: "40", unit_price_cents: 2_390, order_line_no: 1 }],
  status_code: "SUSPENDUE", stage: "suspended", action_needed: true, status_reason: "Bon de commande manquant", status_at: "2026-11-21T07:26:57Z",
  submitted_at: "2026-11-19T07:26:57Z", paid_at: "2026-12-20T10:00:00Z", due_at: "2026-12-19T07:26:57Z", late_from: null,
  history: [
    { code: "DEPOSEE", occurred_at: "2026-11-19T07:26:57.893278+00:00", reason: "", source: "chorus_pro" },
    { code: "SERVICE_FAIT_PARTIEL", occurred_at: "2026-11-20T08:00:00+00:00", reason: "", source: "nomade", certified_cents: 50_000 },
    { code: "COMPLETEE", occurred_at: "2026-11-22T08:00:00+00:00", reason: "Voici le bon", source: "nomade",
      attachments: [{ sha256: "f".repeat(64), name: "bon.pdf", content_type: "application/pdf", size: 2_048 }] },
  ],
  payments: [{ paid_at: "2026-12-20T10:00:00+00:00", amount_cents: 18_000, bank_reference: "VIR-1" }], amount_paid_cents: 18_000,
  source: "chorus_pro", created_at: "2026-11-19T07:26:57Z", certified_cents: 50_000,
  late_charges: { rate_percent: "12.15", days_late: 1, interest_cents: 39, indemnity_cents: 4_000, as_of: "2026-12-20T07:26:59Z" },
};

const comment: CommentRow = {
  ...columns, id: "k1", document_type: "mission", document_id: mission.id, agent: AGENT, author: "m1", author_name: "Dominique Petit",
  body: "Pourquoi le train de 7 h ?", created_at: "2026-12-02T09:00:00Z",
};

describe("a mission as the server sends it", () => {
  it("shows its fields, the booking deadline and the allowance", () => {
    const m = toMission(pulled("mission", mission));
    expect(m).toMatchObject({
      id: mission.id, purpose: "Comité de pilotage", destination: "Lyon", starts_on: "2026-12-07", ends_on: "2026-12-09",
      transport: "train", estimate_cents: 24_500, status: "submitted", booking_expires_at: "2026-12-06T12:26:57.893278Z",
      agent_name: "Camille Martin", departs_at: "2026-12-07T07:00:00Z", returns_at: "2026-12-09T19:00:00Z", country: "FR",
      time_zone: "Europe/Paris", advance_requested: true, abroad: false, city_class: "large_city",
    });
    expect(m.bookings).toEqual([{ label: "Train aller-retour Lyon", fare_cents: 10_500, mode: "train", expires_at: "2026-12-06T12:26:57.893278Z" }]);
    expect(m.allowance).toMatchObject({ meals: 5, nights: 2, expected_cents: 34_000, advance_cents: 25_500, covers: ["meal"] });
    expect(m.decision_reason).toBeUndefined();
  });
  it("carries the manager's reason once returned", () => {
    expect(toMission(pulled("mission", { ...mission, state: "returned", decision_reason: "Trop cher" }))).toMatchObject({ status: "returned", decision_reason: "Trop cher" });
  });
  it("shows a mission created on this phone as a draft before the server has it", () => {
    const m = toMission(queued("mission", "m9", { id: "m9", purpose: "Audit", destination: "Rennes", starts_on: "2026-12-14", ends_on: "2026-12-15",
      transport: "car", estimated_cost_cents: 9_000, bookings: [], time_zone: "Europe/Paris", country: "FR", advance_requested: false, state: "draft" }));
    expect(m).toMatchObject({ purpose: "Audit", transport: "car", estimate_cents: 9_000, status: "draft", allowance: null, bookings: [] });
    expect(m.agent_name).toBeUndefined();
  });
});

describe("a claim as the server sends it", () => {
  it("shows its mission, its findings in both languages and the server's totals", () => {
    expect(toClaim(pulled("expense_claim", claim))).toEqual({
      id: "c1", mission_id: mission.id, status: "submitted", submitted_at: "2026-12-10T09:00:00Z",
      findings: [{ line_id: "l1", code: "MEAL_OVER_CAP", severity: "warning", fr: "Repas au-dessus du plafond", en: "Meal above the cap" }],
      totals: { total_cents: 41_250, allowance_cents: 6_000, advance_cents: 25_500 },
    });
  });
  it("has no totals while a draft, and links a claim created on this phone to its mission", () => {
    expect(toClaim(pulled("expense_claim", { ...claim, state: "draft", findings: [] })).totals).toBeUndefined();
    const local = toClaim(queued("expense_claim", "c9", { id: "c9", mission: mission.id, title: "Lyon", state: "draft" }));
    expect([local.mission_id, local.status, local.findings]).toEqual([mission.id, "draft", []]);
  });
});

describe("receipt reading on a line", () => {
  it("shows each field the reading filled with its confidence, not the ones the user typed", () => {
    const l = toLine(line({ ocr: reading, field_sources: { merchant: "ocr", date: "ocr", amount_cents: "ocr", vat_rate_bp: "user" } }), noWarnings);
    expect(l.reading).toBe("read");
    expect(l.ocr).toEqual({
      merchant: { value: "AU BON ACCUEIL", confidence: 0.92 },
      spent_on: { value: "2025-02-24", confidence: 0.99 },
      amount_cents: { value: 14_625, confidence: 1 },
    });
  });
  it("waits for the reading when fields were left to it, and says when the receipt was unreadable", () => {
    const left = { merchant: "ocr", amount_cents: "ocr", date: "ocr" };
    expect(toLine(line({ ocr: {}, field_sources: left }), noWarnings)).toMatchObject({ reading: "pending" });
    expect(toLine(line({ ocr: {}, field_sources: left, receipts: [] }), noWarnings).reading).toBeUndefined();
    const unreadable = toLine(line({ ocr: { ...reading, status: "rejected", code: "OCR_NOT_A_RECEIPT", fields: {} }, field_sources: left }), noWarnings);
    expect(unreadable.reading).toBe("unreadable");
    expect(unreadable.ocr).toBeUndefined();
  });
});

describe("an expense line as the server sends it", () => {
  it("shows its date, amount, VAT, receipt and the phone's own warnings", () => {
    const l = toLine(line(), (x) => (x.amount_cents > 10_000 ? ["meal_over_cap"] : []));
    expect(l).toMatchObject({ id: "l1", claim_id: "c1", spent_on: "2025-02-24", category: "meal", merchant: "AU BON ACCUEIL",
      amount_cents: 14_625, vat_rate_permille: 100, currency: "EUR", receipt_blob: "abc", warnings: ["meal_over_cap"] });
    expect([l.receipt_count, l.km, l.mileage, l.fx_rate]).toEqual([undefined, undefined, undefined, undefined]);
  });
  it("counts its receipts and shows what each said when it holds several", () => {
    const receipts = [{ sha256: "abc", merchant: "SNCF", amount_cents: 4_250, currency: "EUR", date: "2025-02-24" }, { sha256: "def", merchant: "", amount_cents: null, currency: "", date: null }];
    const l = toLine(line({ receipts: ["abc", "def"], ocr: { receipts } }), noWarnings);
    expect(l.receipt_count).toBe(2);
    expect(l.receipts_read).toEqual([receipts[0], { sha256: "def", merchant: "", amount_cents: null, currency: "EUR", date: null }]);
  });
  it("shows a car line's distance and the server's price per band", () => {
    const l = toLine(line({ category: "mileage", km: 120, mileage: { parts: [{ km: 120, euros_per_km: "0.32", cents: 3_840 }], annual_km_before: 0, fiscal_cv: 5, rule_set: "state-2023" } }), noWarnings);
    expect(l.km).toBe(120);
    expect(l.mileage).toBeDefined();
  });
});

describe("reasons to check a reading", () => {
  it("carries the server's reasons, in both languages, and drops malformed ones", () => {
    const review = [{ code: "OCR_REVIEW_SUM", fr: "Les montants ne s'additionnent pas", en: "The amounts do not add up" }, { code: 3 }];
    const l = toLine(line({ ocr: { ...reading, auto_accept: false, review }, field_sources: { amount_cents: "ocr" } }), noWarnings);
    expect(l.review).toEqual([review[0]]);
    expect(toLine(line({ ocr: reading, field_sources: {} }), noWarnings).review).toBeUndefined();
  });
});

describe("a line in a foreign currency", () => {
  it("keeps the rate of the day the agent typed, and has none when it was left blank", () => {
    const typed = toLine(line({ currency: "USD", amount_cents: 1_200, fx_rate: "0.92" }), noWarnings);
    expect([typed.currency, typed.fx_rate]).toEqual(["USD", "0.92"]);
    expect(toLine(line({ currency: "USD", fx_rate: null }), noWarnings).fx_rate).toBeUndefined();
  });
});

describe("a purchase order as the server sends it", () => {
  it("shows its EJ number, supplier, round and lines with the quantities received", () => {
    expect(toOrder(pulled("purchase_order", order))).toEqual({
      id: "po1", ej_number: "1300004567", supplier_name: "Bureautique Ouest", round: 2, status: "partially_received",
      lines: [{ id: "1", label: "Ramettes A4", quantity: 40, received: 12.5, unit_price_cents: 2_390 },
              { id: "2", label: "Stylos", quantity: 10, received: 0, unit_price_cents: 1_490 }],
    });
  });
});

describe("an invoice as the server sends it", () => {
  it("shows its amounts, deadline, status, history with attachments, payments and late charges", () => {
    const i = toInvoice(pulled("invoice", invoice));
    expect(i).toMatchObject({
      id: "i1", number: "F-2026-118", buyer: "Préfecture du Rhône", amount_ttc_cents: 120_000, amount_to_pay_cents: 118_000,
      issued_on: "2026-11-19", due_on: "2026-12-19", paid_on: "2026-12-20", late_from: null, status: "SUSPENDUE", stage: "suspended", action_needed: true,
      certified_cents: 50_000, organisation_id: ORG, due_at: "2026-12-19T07:26:57Z", status_reason: "Bon de commande manquant",
      amount_paid_cents: 18_000, payments: [{ paid_at: "2026-12-20T10:00:00+00:00", amount_cents: 18_000, bank_reference: "VIR-1" }],
      late_charges: invoice.late_charges,
    });
    expect(i.history).toEqual([
      { status: "DEPOSEE", at: "2026-11-19T07:26:57.893278+00:00", source: "chorus_pro" },
      { status: "SERVICE_FAIT_PARTIEL", at: "2026-11-20T08:00:00+00:00", source: "nomade" },
      { status: "COMPLETEE", at: "2026-11-22T08:00:00+00:00", reason: "Voici le bon", source: "nomade",
        attachments: [{ sha256: "f".repeat(64), name: "bon.pdf", content_type: "application/pdf", size: 2_048 }] },
    ]);
  });
  it("has no payment date nor deadline before the server set them", () => {
    const i = toInvoice(pulled("invoice", { ...invoice, paid_at: null, due_at: null, payments: [] }));
    expect([i.paid_on, i.due_on, i.due_at, i.payments]).toEqual([undefined, "", null, []]);
  });
});

describe("the agent's car", () => {
  it("reads the server's vehicle profile, and the one set on this phone before it is sent", () => {
    expect(toVehicle(pulled("vehicle_profile", { id: AGENT, owner: AGENT, fiscal_cv: 5, year: 2026, declared_km: 1_200, row_version: 2 })))
      .toEqual({ fiscal_cv: 5, year: 2026, declared_km: 1_200 });
    expect(toVehicle(queued("vehicle_profile", AGENT, { id: AGENT, fiscal_cv: 7, year: 2026 }))).toEqual({ fiscal_cv: 7, year: 2026, declared_km: 0 });
  });
});

describe("comments", () => {
  it("shows the server's comment with its author, and this phone's queued one without", () => {
    expect(toComment(pulled("comment", comment))).toEqual({ id: "k1", document_id: mission.id, author_id: "m1", author_name: "Dominique Petit",
      body: "Pourquoi le train de 7 h ?", created_at: "2026-12-02T09:00:00Z", pending: false });
    const mine = toComment(queued("comment", "k2", { id: "k2", document_type: "mission", document_id: mission.id, body: "Le seul direct", created_at: "2026-12-02T09:05:00Z" }));
    expect([mine.author_id, mine.author_name, mine.pending]).toEqual([null, "", true]);
  });
});

describe("requests to decide", () => {
  const rows = (me: string, pending: ReadonlySet<string> = new Set()) => toApprovals(
    [pulled("mission", mission), pulled("mission", { ...mission, id: "m2", state: "draft" })],
    [pulled("expense_claim", claim)], [pulled("purchase_order", order), pulled("purchase_order", { ...order, id: "po2", state: "received" })], me, pending);

  it("lists submitted missions and claims of others and orders still to certify, with the server's figures", () => {
    expect(rows("m1")).toEqual([
      { id: `mission:${mission.id}`, kind: "mission", document_id: mission.id, title: "Comité de pilotage — Lyon", requester: "Camille Martin",
        amount_cents: 24_500, submitted_at: "2026-12-02T08:26:57.893278Z", findings: 0, agent_id: AGENT,
        deadline: "2026-12-06T12:26:57.893278Z", escalated: true },
      { id: "claim:c1", kind: "claim", document_id: "c1", title: "Frais — Lyon", requester: "Camille Martin", amount_cents: 41_250,
        submitted_at: "2026-12-10T09:00:00Z", findings: 1, agent_id: AGENT },
      { id: "service_done:po1", kind: "service_done", document_id: "po1", title: "Bureautique Ouest — 1300004567",
        requester: "Bureautique Ouest", amount_cents: 80_500, submitted_at: "2026-11-12T07:26:57Z", findings: 0 },
    ]);
  });
  it("leaves out one's own requests, and keeps an order certified here until it is sent", () => {
    expect(rows(AGENT).map((a) => a.id)).toEqual(["service_done:po1"]);
    expect(rows(AGENT, new Set(["po2"])).map((a) => a.id)).toEqual(["service_done:po1", "service_done:po2"]);
  });
});
