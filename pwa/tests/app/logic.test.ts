import { describe, expect, it } from "vitest";
import { byUrgency, isUrgent } from "../../src/app/urgency";
import { amountsPerStage, deadlineOf, filterInvoices, invoicesCsv, lateInvoices, median, STAGES, type InvoiceQuery, type Stage } from "../../src/app/invoice-stages";
import type { Approval, Invoice } from "../../src/app/model";
import { en } from "../../src/app/i18n/en";
import { fr } from "../../src/app/i18n/fr";

const approval = (id: string, submitted_at: string, deadline?: string): Approval => ({
  id, kind: "mission", document_id: id, title: id, requester: "", amount_cents: 0, submitted_at, findings: 0, ...(deadline ? { deadline } : {}),
});

describe("approvals inbox order", () => {
  it("puts the soonest deadline first, then the oldest waiting requests", () => {
    const list = [
      approval("old", "2026-11-01T08:00:00Z"),
      approval("later-deadline", "2026-11-21T08:00:00Z", "2026-11-23T12:00:00Z"),
      approval("older", "2026-10-01T08:00:00Z"),
      approval("soon-deadline", "2026-11-22T08:00:00Z", "2026-11-22T12:00:00Z"),
    ];
    expect([...list].sort(byUrgency).map((a) => a.id)).toEqual(["soon-deadline", "later-deadline", "older", "old"]);
  });

  it("calls urgent what must be decided within 24 hours", () => {
    const now = Date.parse("2026-11-22T08:00:00Z");
    expect(isUrgent(approval("a", "", "2026-11-22T20:00:00Z"), now)).toBe(true);
    expect(isUrgent(approval("b", "", "2026-11-24T20:00:00Z"), now)).toBe(false);
    expect(isUrgent(approval("c", ""), now)).toBe(false);
  });
});

/** The stage the server sends with each code these tests use (backend/invoices/statuses.py
 * CODES, ACTION_STAGES): fixtures only, the phone maps no code. */
const SENT: Record<string, [Stage, boolean]> = {
  DEPOSEE: ["submitted", false], SUSPENDUE: ["suspended", true], SERVICE_FAIT: ["service_done", false], MISE_EN_PAIEMENT: ["paid", false],
};
const invoice = (id: string, status: string, cents: number, issued_on: string, due_on: string, paid_on?: string): Invoice => ({
  id, number: `F-${id}`, buyer: id === "a" ? "DREAL" : "CHU", amount_ttc_cents: cents, amount_to_pay_cents: cents,
  issued_on, due_on, status, stage: SENT[status]![0], action_needed: SENT[status]![1], history: [], ...(paid_on ? { paid_on } : {}),
});
const all = [
  invoice("a", "SUSPENDUE", 10_000, "2026-09-01", "2026-10-01"),
  invoice("b", "MISE_EN_PAIEMENT", 5_000, "2026-08-01", "2026-08-31", "2026-09-20"),
  invoice("c", "DEPOSEE", 2_500, "2026-11-20", "2026-12-20"),
  invoice("d", "MISE_EN_PAIEMENT", 1_000, "2026-08-01", "2026-08-31", "2026-08-21"),
];
const query: InvoiceQuery = { text: "", stage: "", from: "", to: "", minCents: null, maxCents: null, buyer: "", sort: "date" };

describe("supplier invoices", () => {
  it("reads each invoice's stage and need to act from the server, never from its status code", () => {
    // After the supplier's answer the server may keep the code but move the stage on: the phone follows.
    const answered = { ...invoice("x", "SUSPENDUE", 700, "2026-11-01", "2026-12-01"), stage: "received" as const, action_needed: false };
    const rerouted = { ...invoice("y", "DEPOSEE", 300, "2026-11-01", "2026-12-01"), stage: "to_reroute" as const, action_needed: true };
    expect(filterInvoices([answered, rerouted], { ...query, show: "action" }).map((i) => i.id)).toEqual(["y"]);
    expect(filterInvoices([answered, rerouted], { ...query, stage: "received" }).map((i) => i.id)).toEqual(["x"]);
    expect(amountsPerStage([answered, rerouted])).toMatchObject({ received: 700, to_reroute: 300, suspended: 0, submitted: 0 });
  });

  it("lists every stage the server has, each once, along the invoice's path", () => {
    for (const stage of STAGES) {
      expect([stage, (fr as Record<string, string>)[`stage.${stage}`]]).toEqual([stage, expect.any(String)]);
      expect([stage, (en as Record<string, string>)[`stage.${stage}`]]).toEqual([stage, expect.any(String)]);
    }
    expect(STAGES).toEqual(["submitted", "received", "service_partly_done", "service_done", "payment_ordered", "paid", "suspended", "to_reroute", "rejected"]);
  });

  it("filters by stage, amount and dates, and sorts", () => {
    expect(filterInvoices(all, { ...query, stage: "paid" }).map((i) => i.id)).toEqual(["b", "d"]);
    expect(filterInvoices(all, { ...query, minCents: 2_000, maxCents: 6_000 }).map((i) => i.id)).toEqual(["c", "b"]);
    expect(filterInvoices(all, { ...query, from: "2026-09-01" }).map((i) => i.id)).toEqual(["c", "a"]);
    expect(filterInvoices(all, { ...query, sort: "amount" }).map((i) => i.id)).toEqual(["a", "b", "c", "d"]);
    expect(filterInvoices(all, { ...query, text: "dreal" }).map((i) => i.id)).toEqual(["a"]);
  });

  it("sums amounts per stage and finds late invoices", () => {
    expect(amountsPerStage(all)).toEqual({
      submitted: 2_500, received: 0, suspended: 10_000, to_reroute: 0, rejected: 0, service_done: 0, service_partly_done: 0, payment_ordered: 0, paid: 6_000,
    });
    expect(lateInvoices(all, new Date("2026-11-22T12:00:00Z")).map((i) => i.id)).toEqual(["a", "b"]);
  });

  it("counts late as the server does once it sends late_from (a suspension stops the clock)", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const suspendedInTime = { ...invoice("s", "SUSPENDUE", 1_000, "2026-09-01", "2026-10-01"), late_from: null };
    const overdue = { ...invoice("o", "DEPOSEE", 1_000, "2026-09-01", "2026-12-31"), late_from: "2026-11-22T11:59:00+00:00" };
    const dueLater = { ...invoice("l", "DEPOSEE", 1_000, "2026-09-01", "2026-10-01"), late_from: "2026-11-22T12:01:00+00:00" };
    expect(lateInvoices([suspendedInTime, overdue, dueLater], now).map((i) => i.id)).toEqual(["o"]);
    expect(median([50, 20, 30])).toBe(30);
    expect(median([])).toBeNull();
  });
});

describe("invoice deadlines, sorting, filters and export", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const withDue = (id: string, status: string, due_at: string | null, late_from: string | null, extra: Partial<Invoice> = {}): Invoice => ({
    ...invoice(id, status, 10_000, "2026-09-01", ""), due_at, late_from, ...extra,
  });
  const late15 = withDue("l15", "DEPOSEE", "2026-11-07T12:00:00Z", "2026-11-07T12:00:00Z");
  const late5 = withDue("l5", "SERVICE_FAIT", "2026-11-17T12:00:00Z", "2026-11-17T12:00:00Z");
  const soon = withDue("soon", "DEPOSEE", "2026-11-30T12:00:00Z", "2026-11-30T12:00:00Z");
  const interrupted = { ...withDue("int", "SUSPENDUE", null, null), history: [{ status: "DEPOSEE", at: "2026-11-01T00:00:00Z" }, { status: "SUSPENDUE", at: "2026-11-10T00:00:00Z" }] };
  const list = [soon, interrupted, late5, late15];

  it("says days left, days late or interrupted, as the server's due_at says", () => {
    expect(deadlineOf(soon, now)).toEqual({ kind: "left", days: 8, due: "2026-11-30T12:00:00Z" });
    expect(deadlineOf(late15, now)).toEqual({ kind: "late", days: 15, due: "2026-11-07T12:00:00Z" });
    expect(deadlineOf(interrupted, now)).toEqual({ kind: "interrupted" });
  });

  it("sorts by due date and by lateness, filters late and to act on", () => {
    const ids = (q: Partial<InvoiceQuery>) => filterInvoices(list, { ...query, ...q }, now).map((i) => i.id);
    expect(ids({ sort: "due" })).toEqual(["l15", "l5", "soon", "int"]);
    expect(ids({ sort: "lateness" })).toEqual(["l15", "l5", "soon", "int"]);
    expect(ids({ show: "late", sort: "lateness" })).toEqual(["l15", "l5"]);
    expect(ids({ show: "action" })).toEqual(["int"]);
  });

  it("exports the list as CSV, French with ';' and a decimal comma", () => {
    const charged = { ...late15, late_charges: { rate_percent: "10.15", days_late: 15, interest_cents: 417, indemnity_cents: 4000, as_of: "2026-11-22T12:00:00Z" } };
    const csv = invoicesCsv([charged, soon], "fr", (s) => s.toLowerCase(), now).split("\r\n");
    expect(csv[0]).toBe("Numéro;Acheteur;Émise le;Montant TTC;Statut;Échéance;Jours de retard;Intérêts moratoires;Indemnité forfaitaire;Montant payé");
    expect(csv[1]).toBe("F-l15;CHU;2026-09-01;100,00;deposee;2026-11-07;15;4,17;40,00;0,00");
    expect(invoicesCsv([soon], "en", (s) => s, now).split("\r\n")[1]).toBe("F-soon,CHU,2026-09-01,100.00,DEPOSEE,2026-11-30,0,0.00,0.00,0.00");
  });
});
