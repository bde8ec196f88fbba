/** Maps the data layer's synced rows (`Row.data`) to what the screens show. Each entity is read
 * through its generated row type (`SyncedRows` in contract.gen.ts, from the server's row Structs):
 * the field names are the server's, one name per fact. */
import type { Row } from "../data";
import type { ClaimFindingRow, SyncedRows } from "../data/contract.gen";
import { allowanceOf, bookingsOf } from "./missions";
import { splitOf, type VehicleProfile } from "./mileage";
import type {
  Approval, Comment, Finding, DocumentStatus, ExpenseCategory, ExpenseClaim, ExpenseLine, Invoice, InvoiceEvent, InvoicePayment, LineFinding, Mission, OcrField, OrderLine, PurchaseOrder, ReceiptRead, ReviewReason,
} from "./model";

/** What the phone holds of a row of entity `E`: the server's row, or one an intent queued on this
 * phone created or changed (the data layer's optimistic view): until the server's row replaces
 * it, a field the intent did not carry is missing. */
export type Held<E extends keyof SyncedRows> = Partial<SyncedRows[E]>;
/** The data of `r`, a row of entity `E`, read through its generated type. */
export const held = <E extends keyof SyncedRows>(r: Row): Held<E> => r.data as unknown as Held<E>;

const state = (s: string | undefined): DocumentStatus => (s || "draft") as DocumentStatus;
const DECIDED = new Set(["approved", "refused", "returned"]);
const day = (value: string): string => value.slice(0, 10);

export function toMission(r: Row): Mission {
  const d = held<"mission">(r);
  return {
    id: r.id, purpose: d.purpose ?? "", destination: d.destination ?? "",
    starts_on: day(d.starts_on ?? ""), ends_on: day(d.ends_on ?? ""),
    transport: (d.transport || "train") as Mission["transport"],
    estimate_cents: d.estimated_cost_cents ?? 0, status: state(d.state),
    ...(d.decision_reason ? { decision_reason: d.decision_reason } : {}),
    ...(d.earliest_expiry ? { booking_expires_at: d.earliest_expiry } : {}),
    ...(d.agent_name ? { agent_name: d.agent_name } : {}),
    ...(d.departs_at ? { departs_at: d.departs_at } : {}),
    ...(d.returns_at ? { returns_at: d.returns_at } : {}),
    country: (d.country || "FR").toUpperCase(), abroad: d.abroad === true, city_class: d.city_class || null, time_zone: d.time_zone || "Europe/Paris",
    advance_requested: d.advance_requested === true, bookings: bookingsOf(d.bookings), allowance: allowanceOf(d.allowance),
  };
}

/** The server's findings on a claim, in both languages. */
export function findingsOf(findings: readonly ClaimFindingRow[] = []): Finding[] {
  return findings.map((f) => ({
    line_id: f.line_id, code: f.code, severity: f.severity === "blocking" ? "blocking" : "warning", fr: f.message_fr, en: f.message_en,
  }));
}

/** A claim: the server's row, or the one `expense_claim.create` queued on this phone (held in
 * the row's shape by its mutator). */
export function toClaim(r: Row): ExpenseClaim {
  const d = held<"expense_claim">(r);
  const status = state(d.state);
  return {
    id: r.id, mission_id: d.mission ?? "", status, ...(d.submitted_at ? { submitted_at: d.submitted_at } : {}),
    ...(d.decision_reason ? { decision_reason: d.decision_reason } : {}), findings: findingsOf(d.findings),
    ...(status !== "draft" && d.total_cents !== undefined
      ? { totals: { total_cents: d.total_cents, allowance_cents: d.allowance_cents ?? 0, advance_cents: d.advance_cents ?? 0 } }
      : {}),
  };
}

type Line = Held<"expense_line">;
/** The last receipt reading of a line (the server's `ocr`: free-form, what the reader said). */
type Reading = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const listIn = (reading: Reading | undefined, key: string): unknown[] => {
  const value = reading?.[key];
  return Array.isArray(value) ? value : [];
};

/** The fields a receipt reading filled, with its confidence in each (the server's `ocr`:
 * `{fields: {merchant: 0.92, …}, code, …}`). Only fields still marked `ocr` in `field_sources`:
 * once the user corrects one it is theirs, and no confidence is shown for it. */
export function ocrFields(d: Line): ExpenseLine["ocr"] {
  const confidence = d.ocr?.["fields"], sources = d.field_sources ?? {};
  if (!isObject(confidence)) return undefined;
  const field = <T>(key: string, value: T): OcrField<T> | undefined => {
    const c = confidence[key];
    return typeof c === "number" && sources[key] === "ocr" ? { value, confidence: c } : undefined;
  };
  const out: NonNullable<ExpenseLine["ocr"]> = {};
  const merchant = field("merchant", d.merchant ?? ""), amount = field("amount_cents", d.amount_cents ?? 0);
  const date = field("date", day(d.date ?? "")), vat = field("vat_rate_bp", Math.round((d.vat_rate_bp ?? 0) / 10));
  if (merchant) out.merchant = merchant;
  if (amount) out.amount_cents = amount;
  if (date) out.spent_on = date;
  if (vat) out.vat_rate_permille = vat;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The reading's reasons to look at the line (`ocr.review`), well-formed ones only. */
export function reviewOf(d: Line): ReviewReason[] {
  return listIn(d.ocr, "review").filter((r): r is ReviewReason => isObject(r) && typeof r["code"] === "string" && typeof r["fr"] === "string" && typeof r["en"] === "string");
}

/** What each receipt of the line said (`ocr.receipts`), well-formed ones only. */
export function receiptsReadOf(d: Line): ReceiptRead[] {
  return listIn(d.ocr, "receipts").filter(isObject).filter((e) => typeof e["sha256"] === "string").map((e): ReceiptRead => ({
    sha256: String(e["sha256"]), merchant: typeof e["merchant"] === "string" ? e["merchant"] : "",
    amount_cents: typeof e["amount_cents"] === "number" ? e["amount_cents"] : null,
    currency: typeof e["currency"] === "string" && e["currency"] ? e["currency"] : "EUR",
    date: typeof e["date"] === "string" ? e["date"] : null,
  }));
}

/** The server's findings on the line's receipts (`ocr.findings`), duplicates first. */
export function lineFindingsOf(d: Line): LineFinding[] {
  return listIn(d.ocr, "findings").filter(isObject).filter((f) => typeof f["code"] === "string").map((f): LineFinding => ({
    code: String(f["code"]), severity: f["severity"] === "blocking" ? "blocking" : "warning",
    fr: String(f["message_fr"] ?? f["code"]), en: String(f["message_en"] ?? f["code"]),
  })).sort((a, b) => Number(b.code === "DUPLICATE_RECEIPT") - Number(a.code === "DUPLICATE_RECEIPT"));
}

/** Where the receipt's reading stands, for a line with a receipt. */
export function readingOf(d: Line, hasReceipt: boolean): ExpenseLine["reading"] {
  if (!hasReceipt) return undefined;
  if (typeof d.ocr?.["status"] === "string") return d.ocr["code"] ? "unreadable" : "read";
  return Object.values(d.field_sources ?? {}).includes("ocr") ? "pending" : undefined;
}

/** An expense line; its warnings are the phone's own policy checks (`warnings`). */
export function toLine(r: Row, warnings: (l: Omit<ExpenseLine, "warnings">) => string[]): ExpenseLine {
  const d = held<"expense_line">(r);
  const receipts = d.receipts ?? [];
  const receipt = receipts[0] ?? "";
  const ocr = ocrFields(d), reading = readingOf(d, receipt !== ""), review = reviewOf(d), mileage = splitOf(d.mileage);
  const receiptsRead = receiptsReadOf(d), findings = lineFindingsOf(d);
  const line: Omit<ExpenseLine, "warnings"> = {
    id: r.id, claim_id: d.claim_id ?? "", spent_on: day(d.date ?? ""),
    category: (d.category || "other") as ExpenseCategory, merchant: d.merchant ?? "",
    amount_cents: d.amount_cents ?? 0, vat_rate_permille: Math.round((d.vat_rate_bp ?? 0) / 10), currency: d.currency || "EUR",
    ...(d.fx_rate ? { fx_rate: d.fx_rate } : {}),
    ...(receipt ? { receipt_blob: receipt } : {}), ...(ocr ? { ocr } : {}), ...(reading ? { reading } : {}),
    ...(review.length > 0 ? { review } : {}),
    ...(typeof d.km === "number" ? { km: d.km } : {}), ...(mileage ? { mileage } : {}),
    ...(receipts.length > 1 ? { receipt_count: receipts.length } : {}),
    ...(receiptsRead.length > 1 ? { receipts_read: receiptsRead } : {}), ...(findings.length > 0 ? { findings } : {}),
  };
  return { ...line, warnings: warnings(line) };
}

export function toOrder(r: Row): PurchaseOrder {
  const d = held<"purchase_order">(r);
  return {
    id: r.id, ej_number: d.ej_number ?? "", supplier_name: d.supplier_name ?? "", round: d.certification_round ?? 0,
    status: (d.state || "open") as PurchaseOrder["status"],
    lines: (d.lines ?? []).map((l): OrderLine => ({
      id: String(l.line_no), label: l.description, quantity: Number(l.quantity), received: Number(l.received), unit_price_cents: l.unit_price_cents,
    })),
  };
}

export function toInvoice(r: Row): Invoice {
  const d = held<"invoice">(r);
  return {
    id: r.id, number: d.number ?? "", buyer: d.buyer_name ?? "",
    amount_ttc_cents: d.amount_ttc_cents ?? 0, amount_to_pay_cents: d.amount_due_cents ?? 0,
    issued_on: day(d.issued_on ?? ""), due_on: day(d.due_at ?? ""),
    ...(d.paid_at ? { paid_on: day(d.paid_at) } : {}),
    ...(d.late_from !== undefined ? { late_from: d.late_from } : {}),
    status: d.status_code ?? "", stage: d.stage ?? "submitted", action_needed: d.action_needed === true, certified_cents: d.certified_cents ?? 0,
    history: (d.history ?? []).map((e): InvoiceEvent => ({
      status: e.code, at: e.occurred_at,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.source ? { source: e.source } : {}),
      ...(e.attachments !== undefined ? { attachments: e.attachments.map((a) => ({
        sha256: a.sha256, name: a.name ?? "", content_type: a.content_type ?? "", size: a.size ?? 0,
      })) } : {}),
    })),
    ...(d.organisation ? { organisation_id: d.organisation } : {}),
    ...(d.due_at !== undefined ? { due_at: d.due_at } : {}),
    status_reason: d.status_reason ?? "",
    amount_paid_cents: d.amount_paid_cents ?? 0,
    payments: (d.payments ?? []).map((p): InvoicePayment => ({
      paid_at: p.paid_at, amount_cents: p.amount_cents, bank_reference: p.bank_reference ?? "",
    })),
    ...(d.late_charges ? { late_charges: d.late_charges } : {}),
  };
}

/** The agent's car (the server's row, or the one `vehicle_profile.set` queued). */
export function toVehicle(r: Row): VehicleProfile {
  const d = held<"vehicle_profile">(r);
  return { fiscal_cv: d.fiscal_cv ?? 0, year: d.year ?? 0, declared_km: d.declared_km ?? 0 };
}

/** A comment row (the server's, or this phone's queued one: no author yet). */
export function toComment(r: Row): Comment {
  const d = held<"comment">(r);
  return {
    id: r.id, document_id: d.document_id ?? "", author_id: d.author ?? null,
    author_name: d.author_name ?? "", body: d.body ?? "", created_at: d.created_at ?? "", pending: r.pending,
  };
}

/** The manager's requests to decide: submitted missions and claims, orders whose service done is
 * still to certify (open or partially received: the server's `purchase_order` rows, synced).
 * A request decided on this phone but not yet sent stays listed (shown "waiting to sync"). */
export function toApprovals(missions: Row[], claims: Row[], orders: Row[], myId: string, pendingIds: ReadonlySet<string> = new Set()): Approval[] {
  const out: Approval[] = [];
  const waiting = (id: string, s: string | undefined): boolean => state(s) === "submitted" || (DECIDED.has(state(s)) && pendingIds.has(id));
  for (const r of missions) {
    const d = held<"mission">(r);
    const agent = d.agent ?? "";
    if (!waiting(r.id, d.state) || agent === myId) continue;
    out.push({ id: `mission:${r.id}`, kind: "mission", document_id: r.id, title: `${d.purpose ?? ""} — ${d.destination ?? ""}`,
      requester: d.agent_name ?? "", amount_cents: d.estimated_cost_cents ?? 0, submitted_at: d.submitted_at ?? "", findings: 0, agent_id: agent,
      ...(d.earliest_expiry ? { deadline: d.earliest_expiry } : {}), ...((d.escalation_level ?? 0) > 0 ? { escalated: true } : {}) });
  }
  for (const r of claims) {
    const d = held<"expense_claim">(r);
    const agent = d.agent ?? "";
    if (!waiting(r.id, d.state) || agent === myId) continue;
    out.push({ id: `claim:${r.id}`, kind: "claim", document_id: r.id, title: d.title ?? "",
      requester: d.agent_name ?? "", amount_cents: d.total_cents ?? 0, submitted_at: d.submitted_at ?? "", findings: d.findings?.length ?? 0, agent_id: agent,
      ...((d.escalation_level ?? 0) > 0 ? { escalated: true } : {}) });
  }
  for (const r of orders) {
    const d = held<"purchase_order">(r);
    const s = d.state || "open";
    if (s !== "open" && s !== "partially_received" && !(s === "received" && pendingIds.has(r.id))) continue;
    out.push({ id: `service_done:${r.id}`, kind: "service_done", document_id: r.id,
      title: [d.supplier_name, d.ej_number].filter(Boolean).join(" — "),
      requester: d.supplier_name ?? "", amount_cents: (d.total_cents ?? 0) - (d.certified_cents ?? 0), submitted_at: d.created_at ?? "", findings: 0 });
  }
  return out;
}
