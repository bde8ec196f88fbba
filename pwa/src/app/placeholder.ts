/** Sample rows shown until the sync engine (src/data) delivers real ones. PLACEHOLDER: the
 * screens read them through app/data.ts only, so switching to the data layer removes this file. */
import type { Approval, ExpenseClaim, ExpenseLine, Invoice, Mission, Notice, PurchaseOrder } from "./model";

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const at = (hours: number): string => new Date(Date.now() + hours * 3_600_000).toISOString();

const FRANCE = { country: "FR", abroad: false, city_class: null, time_zone: "Europe/Paris", advance_requested: false, bookings: [], allowance: null };
export const sampleMissions = (): Mission[] => [
  { id: "m-1", purpose: "Comité régional", destination: "Lyon", starts_on: day(3), ends_on: day(4), transport: "train", estimate_cents: 24_500, status: "approved", ...FRANCE },
  { id: "m-2", purpose: "Formation marchés publics", destination: "Paris", starts_on: day(12), ends_on: day(13), transport: "train", estimate_cents: 31_000, status: "draft", ...FRANCE },
];

export const sampleClaims = (): ExpenseClaim[] => [{ id: "c-1", mission_id: "m-1", status: "draft", findings: [] }];

export const sampleLines = (): ExpenseLine[] => [
  {
    id: "l-1", claim_id: "c-1", spent_on: day(3), category: "meal", merchant: "Brasserie des Terreaux",
    amount_cents: 2_450, vat_rate_permille: 100, currency: "EUR", warnings: ["meal_cap"],
    ocr: { merchant: { value: "Brasserie des Terreaux", confidence: 0.93 }, amount_cents: { value: 2_450, confidence: 0.88 }, spent_on: { value: day(3), confidence: 0.61 } },
  },
];

export const sampleApprovals = (): Approval[] => [
  { id: "a-1", kind: "mission", document_id: "m-9", title: "Salon Pollutec — Lyon", requester: "Camille Martin", amount_cents: 38_000, deadline: at(5), submitted_at: at(-3), findings: 0 },
  { id: "a-2", kind: "claim", document_id: "c-9", title: "Frais — audit Rennes", requester: "Hugo Bernard", amount_cents: 12_780, submitted_at: at(-50), findings: 1 },
  { id: "a-3", kind: "service_done", document_id: "po-1", title: "Maintenance imprimantes", requester: "Bureautique Ouest", amount_cents: 142_000, deadline: at(30), submitted_at: at(-20), findings: 0 },
];

export const sampleOrders = (): PurchaseOrder[] => [
  {
    id: "po-1", ej_number: "1300045127", supplier_name: "Bureautique Ouest", status: "open", round: 0,
    lines: [
      { id: "ol-1", label: "Visite de maintenance", quantity: 4, received: 0, unit_price_cents: 25_000 },
      { id: "ol-2", label: "Kit de toner", quantity: 10, received: 0, unit_price_cents: 4_200 },
    ],
  },
];

const history = (steps: [string, number, string?][]) => steps.map(([status, d, reason]) => ({ status, at: `${day(d)}T09:00:00Z`, ...(reason ? { reason } : {}) }));

export const sampleInvoices = (): Invoice[] => [
  { id: "i-1", number: "F-2026-0142", buyer: "DREAL Bretagne", amount_ttc_cents: 180_000, amount_to_pay_cents: 180_000, issued_on: day(-40), due_on: day(-10), status: "SUSPENDUE", stage: "suspended", action_needed: true,
    history: history([["DEPOSEE", -40], ["MISE_A_DISPOSITION", -39], ["SUSPENDUE", -12, "Bon de commande absent / missing purchase order number"]]) },
  { id: "i-2", number: "F-2026-0150", buyer: "Rectorat de Nantes", amount_ttc_cents: 64_200, amount_to_pay_cents: 64_200, issued_on: day(-25), due_on: day(5), status: "SERVICE_FAIT", stage: "service_done", action_needed: false,
    history: history([["DEPOSEE", -25], ["MISE_A_DISPOSITION", -24], ["SERVICE_FAIT", -5]]) },
  { id: "i-3", number: "F-2026-0117", buyer: "DREAL Bretagne", amount_ttc_cents: 12_000, amount_to_pay_cents: 12_000, issued_on: day(-70), due_on: day(-40), paid_on: day(-30), status: "MISE_EN_PAIEMENT", stage: "paid", action_needed: false,
    history: history([["DEPOSEE", -70], ["SERVICE_FAIT", -50], ["MANDATEE", -35], ["MISE_EN_PAIEMENT", -30]]) },
  { id: "i-4", number: "F-2026-0161", buyer: "CHU de Rennes", amount_ttc_cents: 9_950, amount_to_pay_cents: 9_950, issued_on: day(-8), due_on: day(42), status: "REJETEE", stage: "rejected", action_needed: true,
    history: history([["DEPOSEE", -8], ["REJETEE", -2, "SIRET du destinataire erroné / wrong recipient SIRET"]]) },
];

export const sampleNotices = (): Notice[] => [
  { id: "n-1", title: "Facture F-2026-0142 suspendue", body: "Bon de commande absent.", url: "/invoices/i-1", created_at: at(-12), read: false },
];
