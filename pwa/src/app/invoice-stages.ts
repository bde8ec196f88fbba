/** The supplier's invoice lists and figures. Each invoice's stage and whether it asks the
 * supplier to act are the server's (InvoiceRow `stage`, `action_needed`): no status code is
 * mapped here. */
import type { Invoice, InvoiceStage } from "./model";

export type Stage = InvoiceStage;
/** The server's stages in the order a supplier reads them (along the invoice's path, the
 * stages asking to act after those it reached). Typed against the generated stages: a stage
 * the server adds or renames fails the type check until it is placed here and worded in the
 * dictionaries (`stage.<name>`, FR and EN). */
const ORDER = {
  submitted: 0, received: 1, service_partly_done: 2, service_done: 3, payment_ordered: 4, paid: 5,
  suspended: 6, to_reroute: 7, rejected: 8,
} as const satisfies Record<Stage, number>;
export const STAGES = (Object.keys(ORDER) as Stage[]).sort((a, b) => ORDER[a] - ORDER[b]);

export function amountsPerStage(invoices: Invoice[]): Record<Stage, number> {
  const totals = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const i of invoices) totals[i.stage] += i.amount_ttc_cents;
  return totals;
}

const DAY = 86_400_000;

/** Days from issue to payment, for paid invoices. */
export function paymentDelays(invoices: Invoice[]): number[] {
  return invoices.filter((i) => i.paid_on).map((i) => Math.round((Date.parse(i.paid_on as string) - Date.parse(i.issued_on)) / DAY));
}

/**
 * Invoices late at `now`, as the server counts them: past their `late_from` (which already
 * accounts for suspensions stopping the clock). Rows pulled before the server sent
 * `late_from` fall back to the due date: paid after it, or unpaid and past it.
 */
export function lateInvoices(invoices: Invoice[], now: Date = new Date()): Invoice[] {
  const today = now.toISOString().slice(0, 10);
  return invoices.filter((i) => {
    if (i.late_from !== undefined) return i.late_from !== null && Date.parse(i.late_from) < now.getTime();
    return i.paid_on ? i.paid_on > i.due_on : i.due_on < today && i.stage !== "rejected";
  });
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
}

/** Where an invoice stands against its legal payment deadline (the server computes `due_at`:
 * one interruption per R.2192-27..29, then a new deadline). */
export type DeadlineState =
  | { kind: "none" }
  | { kind: "interrupted" }
  | { kind: "left"; days: number; due: string }
  | { kind: "late"; days: number; due: string }
  | { kind: "paid"; late: boolean; due: string };

export function deadlineOf(i: Invoice, now: Date = new Date()): DeadlineState {
  if (i.stage === "rejected") return { kind: "none" };
  const due = i.due_at === undefined ? (i.due_on || null) : i.due_at;
  if (due === null) return i.history.some((e) => e.status === "SUSPENDUE") ? { kind: "interrupted" } : { kind: "none" };
  const dueMs = Date.parse(due);
  if (i.paid_on || i.stage === "paid") return { kind: "paid", late: lateInvoices([i], now).length > 0, due };
  const gap = dueMs - now.getTime();
  if (gap >= 0) return { kind: "left", days: Math.ceil(gap / DAY), due };
  return { kind: "late", days: Math.max(1, Math.floor(-gap / DAY)), due };
}

export type InvoiceSort = "date" | "amount" | "status" | "due" | "lateness";

export interface InvoiceQuery {
  text: string;
  stage: Stage | "";
  from: string;
  to: string;
  minCents: number | null;
  maxCents: number | null;
  buyer: string;
  sort: InvoiceSort;
  /** Only the late ones, or only those the supplier must act on. */
  show?: "" | "late" | "action";
}

/** The deadline as a sortable number: soonest due first, no deadline last. */
const dueKey = (i: Invoice): number => {
  const due = i.due_at === undefined ? (i.due_on || null) : i.due_at;
  return due === null || i.stage === "rejected" ? Number.POSITIVE_INFINITY : Date.parse(due);
};
/** When lateness started (late_from): the most days late first, never-late last. */
const lateKey = (i: Invoice): number => (i.late_from ? Date.parse(i.late_from) : Number.POSITIVE_INFINITY);

export function filterInvoices(invoices: Invoice[], q: InvoiceQuery, now: Date = new Date()): Invoice[] {
  const text = q.text.trim().toLowerCase();
  const late = new Set(q.show === "late" ? lateInvoices(invoices, now) : []);
  const out = invoices.filter((i) =>
    (!text || i.number.toLowerCase().includes(text) || i.buyer.toLowerCase().includes(text))
    && (!q.stage || i.stage === q.stage)
    && (!q.from || i.issued_on >= q.from) && (!q.to || i.issued_on <= q.to)
    && (q.minCents === null || i.amount_ttc_cents >= q.minCents) && (q.maxCents === null || i.amount_ttc_cents <= q.maxCents)
    && (!q.buyer || i.buyer === q.buyer)
    && (!q.show || (q.show === "action" ? i.action_needed : late.has(i))));
  const order: Record<InvoiceSort, (a: Invoice, b: Invoice) => number> = {
    date: (a, b) => b.issued_on.localeCompare(a.issued_on),
    amount: (a, b) => b.amount_ttc_cents - a.amount_ttc_cents,
    status: (a, b) => ORDER[a.stage] - ORDER[b.stage],
    due: (a, b) => compare(dueKey(a), dueKey(b)) || b.issued_on.localeCompare(a.issued_on),
    lateness: (a, b) => compare(lateKey(a), lateKey(b)) || compare(dueKey(a), dueKey(b)),
  };
  return out.sort(order[q.sort]);
}

const compare = (a: number, b: number): number => (a === b ? 0 : a < b ? -1 : 1);

/** The listed invoices as CSV for a spreadsheet: French uses `;` and a decimal comma. */
export function invoicesCsv(invoices: Invoice[], lang: "fr" | "en", label: (status: string) => string, now: Date = new Date()): string {
  const sep = lang === "fr" ? ";" : ",";
  const money = (cents: number): string => {
    const text = (cents / 100).toFixed(2);
    return lang === "fr" ? text.replace(".", ",") : text;
  };
  const cell = (value: string | number): string => {
    const text = String(value);
    return text.includes(sep) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const head = lang === "fr"
    ? ["Numéro", "Acheteur", "Émise le", "Montant TTC", "Statut", "Échéance", "Jours de retard", "Intérêts moratoires", "Indemnité forfaitaire", "Montant payé"]
    : ["Number", "Buyer", "Issued on", "Amount incl. VAT", "Status", "Due", "Days late", "Late-payment interest", "Recovery indemnity", "Amount paid"];
  const lines = invoices.map((i) => {
    const d = deadlineOf(i, now);
    const due = d.kind === "left" || d.kind === "late" || d.kind === "paid" ? d.due.slice(0, 10) : "";
    const charges = i.late_charges;
    return [i.number, i.buyer, i.issued_on, money(i.amount_ttc_cents), label(i.status), due, d.kind === "late" ? d.days : charges?.days_late ?? 0,
      money(charges?.interest_cents ?? 0), money(charges?.indemnity_cents ?? 0), money(i.amount_paid_cents ?? 0)].map(cell).join(sep);
  });
  return [head.map(cell).join(sep), ...lines].join("\r\n") + "\r\n";
}
