/** Mapping layer between invoice status codes (Chorus Pro today, reform codes tomorrow) and
 * the few stages suppliers see; plus the figures of the statistics screen. */
import type { Invoice } from "./model";

export type Stage = "received" | "action" | "service_done" | "payment" | "paid";
export const STAGES: Stage[] = ["received", "action", "service_done", "payment", "paid"];

const STAGE_OF: Record<string, Stage> = {
  DEPOSEE: "received", EN_COURS_ACHEMINEMENT: "received", MISE_A_DISPOSITION: "received",
  PRISE_EN_COMPTE_DESTINATAIRE: "received", COMPLETEE: "received", SERVICE_FAIT_ANNULE: "received",
  SUSPENDUE: "action", A_RECYCLER: "action", REJETEE: "action",
  SERVICE_FAIT: "service_done", SERVICE_FAIT_PARTIEL: "service_done",
  MANDATEE: "payment", MISE_A_DISPOSITION_COMPTABLE: "payment", COMPTABILISEE: "payment",
  MISE_EN_PAIEMENT: "paid",
};

export const stageOf = (status: string): Stage => STAGE_OF[status] ?? "received";
export const needsAction = (status: string): boolean => stageOf(status) === "action";

export function amountsPerStage(invoices: Invoice[]): Record<Stage, number> {
  const totals = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const i of invoices) totals[stageOf(i.status)] += i.amount_ttc_cents;
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
    return i.paid_on ? i.paid_on > i.due_on : i.due_on < today && i.status !== "REJETEE";
  });
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
}

export interface InvoiceQuery {
  text: string;
  stage: Stage | "";
  from: string;
  to: string;
  minCents: number | null;
  maxCents: number | null;
  buyer: string;
  sort: "date" | "amount" | "status";
}

export function filterInvoices(invoices: Invoice[], q: InvoiceQuery): Invoice[] {
  const text = q.text.trim().toLowerCase();
  const out = invoices.filter((i) =>
    (!text || i.number.toLowerCase().includes(text) || i.buyer.toLowerCase().includes(text))
    && (!q.stage || stageOf(i.status) === q.stage)
    && (!q.from || i.issued_on >= q.from) && (!q.to || i.issued_on <= q.to)
    && (q.minCents === null || i.amount_ttc_cents >= q.minCents) && (q.maxCents === null || i.amount_ttc_cents <= q.maxCents)
    && (!q.buyer || i.buyer === q.buyer));
  const order: Record<InvoiceQuery["sort"], (a: Invoice, b: Invoice) => number> = {
    date: (a, b) => b.issued_on.localeCompare(a.issued_on),
    amount: (a, b) => b.amount_ttc_cents - a.amount_ttc_cents,
    status: (a, b) => STAGES.indexOf(stageOf(a.status)) - STAGES.indexOf(stageOf(b.status)),
  };
  return out.sort(order[q.sort]);
}
