/** Maps the data layer's synced rows (`Row.data`, snake_case as the server sends it) to what
 * the screens show. Tolerant on purpose: entity shapes are still settling across branches. */
import type { Row } from "../data";
import { allowanceOf, bookingsOf } from "./missions";
import type {
  Approval, Finding, DocumentStatus, ExpenseCategory, ExpenseClaim, ExpenseLine, Invoice, InvoiceEvent, InvoicePayment, LateCharges, Mission, Notice, OcrField, OrderLine, PurchaseOrder, ReviewReason,
} from "./model";

type Data = Row["data"];
const str = (d: Data, ...keys: string[]): string => {
  for (const k of keys) if (typeof d[k] === "string") return d[k] as string;
  return "";
};
const num = (d: Data, ...keys: string[]): number => {
  for (const k of keys) if (typeof d[k] === "number") return d[k] as number;
  return 0;
};
const state = (d: Data): DocumentStatus => (str(d, "state", "status") || "draft") as DocumentStatus;
const DECIDED = new Set(["approved", "refused", "returned"]);
const day = (value: string): string => value.slice(0, 10);

export function toMission(r: Row): Mission {
  const d = r.data;
  const expiry = str(d, "earliest_expiry", "booking_expires_at");
  return {
    id: r.id, purpose: str(d, "purpose"), destination: str(d, "destination"),
    starts_on: day(str(d, "starts_on")), ends_on: day(str(d, "ends_on")),
    transport: (str(d, "transport") || "train") as Mission["transport"],
    estimate_cents: num(d, "estimated_cost_cents", "estimate_cents"), status: state(d),
    ...(str(d, "decision_reason") ? { decision_reason: str(d, "decision_reason") } : {}),
    ...(expiry ? { booking_expires_at: expiry } : {}),
    ...(str(d, "agent_name") ? { agent_name: str(d, "agent_name") } : {}),
    ...(str(d, "departs_at") ? { departs_at: str(d, "departs_at") } : {}),
    ...(str(d, "returns_at") ? { returns_at: str(d, "returns_at") } : {}),
    country: (str(d, "country") || "FR").toUpperCase(), time_zone: str(d, "time_zone") || "Europe/Paris",
    advance_requested: d["advance_requested"] === true, bookings: bookingsOf(d["bookings"]), allowance: allowanceOf(d["allowance"]),
  };
}

/** The server's findings on a claim (`findings`: [{line_id, code, severity, message_fr, message_en}]). */
export function findingsOf(raw: unknown): Finding[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).filter((f) => typeof f["code"] === "string").map((f) => ({
    line_id: String(f["line_id"] ?? ""), code: String(f["code"]), severity: f["severity"] === "blocking" ? "blocking" : "warning",
    fr: String(f["message_fr"] ?? ""), en: String(f["message_en"] ?? ""),
  }));
}

export function toClaim(r: Row): ExpenseClaim {
  const d = r.data;
  return {
    id: r.id, mission_id: str(d, "mission_id", "mission"), status: state(d), ...(str(d, "submitted_at") ? { submitted_at: str(d, "submitted_at") } : {}),
    ...(str(d, "decision_reason") ? { decision_reason: str(d, "decision_reason") } : {}), findings: findingsOf(d["findings"]),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The fields a receipt reading filled, with its confidence in each (the server's `ocr` column:
 * `{fields: {merchant: 0.92, …}, code, …}`). Only fields still marked `ocr` in `field_sources`:
 * once the user corrects one it is theirs, and no confidence is shown for it. */
export function ocrFields(d: Data): ExpenseLine["ocr"] {
  const reading = d["ocr"], sources = isObject(d["field_sources"]) ? d["field_sources"] : {};
  if (!isObject(reading) || !isObject(reading["fields"])) return undefined;
  const confidence = reading["fields"];
  const field = <T>(key: string, value: T): OcrField<T> | undefined => {
    const c = confidence[key];
    return typeof c === "number" && sources[key] === "ocr" ? { value, confidence: c } : undefined;
  };
  const out: NonNullable<ExpenseLine["ocr"]> = {};
  const merchant = field("merchant", str(d, "merchant")), amount = field("amount_cents", num(d, "amount_cents"));
  const date = field("date", day(str(d, "date"))), vat = field("vat_rate_bp", Math.round(num(d, "vat_rate_bp") / 10));
  if (merchant) out.merchant = merchant;
  if (amount) out.amount_cents = amount;
  if (date) out.spent_on = date;
  if (vat) out.vat_rate_permille = vat;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The reading's reasons to look at the line (the server's `ocr.review`), well-formed ones only. */
export function reviewOf(d: Data): ReviewReason[] {
  const reading = d["ocr"];
  const raw = isObject(reading) && Array.isArray(reading["review"]) ? (reading["review"] as unknown[]) : [];
  return raw.filter((r): r is ReviewReason => isObject(r) && typeof r["code"] === "string" && typeof r["fr"] === "string" && typeof r["en"] === "string");
}

/** Where the receipt's reading stands, for a line with a receipt. */
export function readingOf(d: Data, hasReceipt: boolean): ExpenseLine["reading"] {
  if (!hasReceipt) return undefined;
  const reading = d["ocr"];
  if (isObject(reading) && typeof reading["status"] === "string") return reading["code"] ? "unreadable" : "read";
  const sources = d["field_sources"];
  return isObject(sources) && Object.values(sources).includes("ocr") ? "pending" : undefined;
}

export function toLine(r: Row, warnings: (l: Omit<ExpenseLine, "warnings">) => string[]): ExpenseLine {
  const d = r.data;
  const receipts = Array.isArray(d["receipts"]) ? (d["receipts"] as unknown[]) : [];
  const first = receipts[0];
  const receipt = typeof first === "string" ? first : first && typeof first === "object" ? String((first as Record<string, unknown>)["sha256"] ?? "") : "";
  const ocr = ocrFields(d), reading = readingOf(d, receipt !== ""), review = reviewOf(d);
  const line: Omit<ExpenseLine, "warnings"> = {
    id: r.id, claim_id: str(d, "claim_id"), spent_on: day(str(d, "date", "spent_on")),
    category: (str(d, "category") || "other") as ExpenseCategory, merchant: str(d, "merchant"),
    amount_cents: num(d, "amount_cents"), vat_rate_permille: Math.round(num(d, "vat_rate_bp") / 10), currency: str(d, "currency") || "EUR",
    ...(receipt ? { receipt_blob: receipt } : {}), ...(ocr ? { ocr } : {}), ...(reading ? { reading } : {}),
    ...(review.length > 0 ? { review } : {}),
  };
  const serverWarnings = Array.isArray(d["warnings"]) ? (d["warnings"] as unknown[]).map((w) => (typeof w === "string" ? w : String((w as Record<string, unknown>)["code"] ?? ""))).map((w) => w.toLowerCase()) : null;
  return { ...line, warnings: serverWarnings ?? warnings(line) };
}

export function toOrder(r: Row): PurchaseOrder {
  const d = r.data;
  const lines = Array.isArray(d["lines"]) ? (d["lines"] as Record<string, unknown>[]) : [];
  return {
    id: r.id, ej_number: str(d, "ej_number", "number"), supplier_name: str(d, "supplier_name", "supplier"), round: num(d, "certification_round"),
    status: (str(d, "state", "status") || "open") as PurchaseOrder["status"],
    lines: lines.map((l, n): OrderLine => ({
      id: String(l["line_no"] ?? l["id"] ?? n + 1), label: String(l["description"] ?? l["label"] ?? ""), quantity: Number(l["quantity"] ?? 0),
      received: Number(l["received"] ?? l["quantity_received"] ?? 0), unit_price_cents: Number(l["unit_price_cents"] ?? 0),
    })),
  };
}

export function toInvoice(r: Row): Invoice {
  const d = r.data;
  const history = Array.isArray(d["history"] ?? d["events"]) ? ((d["history"] ?? d["events"]) as Record<string, unknown>[]) : [];
  return {
    id: r.id, number: str(d, "number"), buyer: str(d, "buyer_name", "buyer", "recipient_name"),
    amount_ttc_cents: num(d, "amount_ttc_cents", "total_cents"), amount_to_pay_cents: num(d, "amount_due_cents", "amount_to_pay_cents", "amount_ttc_cents"),
    issued_on: day(str(d, "issued_on", "invoice_date")), due_on: day(str(d, "due_at", "due_on")),
    ...(str(d, "paid_at", "paid_on") ? { paid_on: day(str(d, "paid_at", "paid_on")) } : {}),
    ...("late_from" in d ? { late_from: d["late_from"] == null ? null : String(d["late_from"]) } : {}),
    status: str(d, "status_code", "status", "state"), certified_cents: num(d, "certified_cents"),
    history: history.map((e): InvoiceEvent => ({
      status: String(e["code"] ?? e["status_code"] ?? e["status"] ?? ""), at: String(e["at"] ?? e["occurred_at"] ?? ""),
      ...(e["reason"] ? { reason: String(e["reason"]) } : {}),
      ...(e["source"] ? { source: String(e["source"]) } : {}),
      ...(Array.isArray(e["attachments"]) ? { attachments: (e["attachments"] as Record<string, unknown>[]).map((a) => ({
        sha256: String(a["sha256"] ?? ""), name: String(a["name"] ?? ""), content_type: String(a["content_type"] ?? ""), size: Number(a["size"] ?? 0),
      })) } : {}),
    })),
    ...(str(d, "organisation") ? { organisation_id: str(d, "organisation") } : {}),
    ...("due_at" in d ? { due_at: d["due_at"] == null ? null : String(d["due_at"]) } : {}),
    status_reason: str(d, "status_reason"),
    amount_paid_cents: num(d, "amount_paid_cents"),
    payments: (Array.isArray(d["payments"]) ? (d["payments"] as Record<string, unknown>[]) : []).map((p): InvoicePayment => ({
      paid_at: String(p["paid_at"] ?? ""), amount_cents: Number(p["amount_cents"] ?? 0), bank_reference: String(p["bank_reference"] ?? ""),
    })),
    ...(d["late_charges"] && typeof d["late_charges"] === "object" ? { late_charges: d["late_charges"] as unknown as LateCharges } : {}),
  };
}

export function toNotice(r: Row): Notice {
  const d = r.data;
  return {
    id: r.id, title: str(d, "title"), body: str(d, "body"), url: str(d, "url") || "/inbox",
    created_at: str(d, "created_at"), read: Boolean(d["read_at"] ?? d["read"]),
  };
}

/** The manager's requests to decide: submitted missions and claims, orders whose service done is
 * still to certify (open or partially received: the server's `purchase_order` rows, synced).
 * A request decided on this phone but not yet sent stays listed (shown "waiting to sync"). */
export function toApprovals(missions: Row[], claims: Row[], orders: Row[], myId: string, pendingIds: ReadonlySet<string> = new Set()): Approval[] {
  const out: Approval[] = [];
  const waiting = (r: Row): boolean => state(r.data) === "submitted" || (DECIDED.has(state(r.data)) && pendingIds.has(r.id));
  for (const r of missions) {
    const d = r.data;
    if (!waiting(r)) continue;
    const deadline = str(d, "earliest_expiry");
    const agent = str(d, "agent_id", "agent");
    if (agent === myId) continue;
    out.push({ id: `mission:${r.id}`, kind: "mission", document_id: r.id, title: `${str(d, "purpose")} — ${str(d, "destination")}`,
      requester: str(d, "agent_name"), amount_cents: num(d, "estimated_cost_cents"), submitted_at: str(d, "submitted_at"), findings: 0, agent_id: agent,
      ...(deadline ? { deadline } : {}) });
  }
  for (const r of claims) {
    const d = r.data;
    const agent = str(d, "agent_id", "agent");
    if (!waiting(r) || agent === myId) continue;
    const findings = Array.isArray(d["findings"]) ? d["findings"].length : 0;
    out.push({ id: `claim:${r.id}`, kind: "claim", document_id: r.id, title: str(d, "title", "mission_purpose"),
      requester: str(d, "agent_name"), amount_cents: num(d, "total_cents", "amount_cents"), submitted_at: str(d, "submitted_at"), findings, agent_id: agent });
  }
  for (const r of orders) {
    const d = r.data;
    const s = str(d, "state", "status") || "open";
    if (s !== "open" && s !== "partially_received" && !(s === "received" && pendingIds.has(r.id))) continue;
    out.push({ id: `service_done:${r.id}`, kind: "service_done", document_id: r.id,
      title: [str(d, "supplier_name"), str(d, "ej_number", "number")].filter(Boolean).join(" — "),
      requester: str(d, "supplier_name"), amount_cents: num(d, "total_cents") - num(d, "certified_cents"), submitted_at: str(d, "created_at"), findings: 0 });
  }
  return out;
}
