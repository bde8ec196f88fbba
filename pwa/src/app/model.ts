/** Shapes of the rows the screens show (mirrors the pulled entities; money in integer cents). */
import type { MissionAllowance, Stage as InvoiceStage } from "../data/contract.gen";
import type { MileageSplit } from "./mileage";

/** What a supplier sees of an invoice's status: the server's stages (generated). */
export type { InvoiceStage };

export type Role = "agent" | "manager" | "supplier" | "back_office" | "admin";

export interface User {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  language: "fr" | "en";
}

export interface Session {
  accessToken: string;
  accessExpiresAt: string;
  refreshToken: string;
  deviceId: string;
  user: User;
}

export type DocumentStatus = "draft" | "submitted" | "approved" | "refused" | "returned" | "cancelled" | "paid";

export interface Mission {
  id: string;
  purpose: string;
  destination: string;
  starts_on: string;
  ends_on: string;
  transport: "train" | "plane" | "car" | "public_transport" | "boat" | "other";
  estimate_cents: number;
  status: DocumentStatus;
  decision_reason?: string;
  booking_expires_at?: string;
  agent_name?: string;
  /** The place's wall clock or an instant (server: UTC), absent on missions without times. */
  departs_at?: string;
  returns_at?: string;
  country: string;
  /** The server's word: the destination is abroad (its daily allowance applies). */
  abroad: boolean;
  /** The server's lodging class of the destination (a key of the rule set's lodging caps);
   * null when it sent none (then no lodging cap is checked). */
  city_class: string | null;
  time_zone: string;
  advance_requested: boolean;
  bookings: Booking[];
  /** The server's figures from the times and the rule set; null before it computed them. */
  allowance: Allowance | null;
}

/** A fare held for the mission until `expires_at` (an instant; "" when none). */
export interface Booking {
  label: string;
  fare_cents: number;
  mode: Mission["transport"];
  expires_at: string;
}

/** What a mission is expected to pay in allowances (computed by the server, cents). */
export interface Allowance {
  meals: number;
  nights: number;
  meals_cents: number;
  lodging_cap_cents: number;
  abroad_cents: number;
  expected_cents: number;
  advance_cents: number;
  /** Abroad: the rule set has no daily rate for the country. */
  rate_missing: boolean;
  /** The server's word: the line categories the allowance pays (their receipts are proofs, not
   * refunded at cost); empty when it computed none (no rate abroad). */
  covers: CoveredCategory[];
}

/** A line category an allowance may pay (the server's union). */
export type CoveredCategory = NonNullable<MissionAllowance["covers"]>[number];

export type ExpenseCategory =
  | "train" | "plane" | "taxi" | "public_transport" | "fuel" | "tolls" | "parking" | "mileage" | "meal" | "lodging" | "other";

export interface OcrField<T> {
  value: T;
  confidence: number; // 0..1
}

export interface ExpenseLine {
  id: string;
  claim_id: string;
  spent_on: string;
  category: ExpenseCategory;
  merchant: string;
  amount_cents: number;
  vat_rate_permille: number; // 100 = 10 %
  currency: string;
  /** Euros for one unit of a foreign `currency`, as typed (absent: the day's published rate). */
  fx_rate?: string;
  receipt_blob?: string;
  ocr?: { merchant?: OcrField<string>; amount_cents?: OcrField<number>; spent_on?: OcrField<string>; vat_rate_permille?: OcrField<number> };
  /** The receipt's reading: awaited (fields left to it, not read yet), read, or unreadable. */
  reading?: "pending" | "read" | "unreadable";
  /** Why the reading needs a look (which check failed), in French and English, from the server. */
  review?: ReviewReason[];
  /** Mileage lines: the distance, and the server's price split per annual km band. */
  km?: number;
  mileage?: MileageSplit;
  /** How many receipts the line holds (when more than one). */
  receipt_count?: number;
  /** What each receipt of the line said, when it holds several (their amounts add up). */
  receipts_read?: ReceiptRead[];
  /** The server's findings on the line's receipts (duplicates, kinds that differ, dates). */
  findings?: LineFinding[];
  warnings: string[];
}

/** One receipt's reading kept on its line (the server's `ocr.receipts`). */
export interface ReceiptRead {
  sha256: string;
  merchant: string;
  amount_cents: number | null;
  currency: string;
  date: string | null;
}

/** A finding of the server on a line's receipts (`ocr.findings`), synced with the line. */
export interface LineFinding {
  code: string;
  severity: "warning" | "blocking";
  fr: string;
  en: string;
}

/** One reason to check a receipt's reading: a stable code and its words in each language. */
export interface ReviewReason {
  code: string;
  fr: string;
  en: string;
}

export interface ExpenseClaim {
  id: string;
  mission_id: string;
  status: DocumentStatus;
  agent_name?: string;
  submitted_at?: string;
  /** The manager's reason when the claim was returned or refused. */
  decision_reason?: string;
  /** The server's policy findings, per line, computed at submission. */
  findings: Finding[];
  /** The server's figures, computed at submission (absent on a draft): the total counted
   * (receipts kept plus allowances), of which allowances, and the advance already paid. */
  totals?: { total_cents: number; allowance_cents: number; advance_cents: number };
}

/** One policy observation of the server on a line of a claim, in both languages. */
export interface Finding {
  line_id: string;
  code: string;
  severity: "warning" | "blocking";
  fr: string;
  en: string;
}

export interface OrderLine {
  id: string;
  label: string;
  quantity: number;
  received: number;
  unit_price_cents: number;
}

export interface PurchaseOrder {
  id: string;
  ej_number: string;
  supplier_name: string;
  status: "open" | "partially_received" | "received";
  /** Certification round the manager saw (the server refuses a stale one). */
  round: number;
  lines: OrderLine[];
}

export interface Approval {
  id: string;
  kind: "mission" | "claim" | "service_done";
  document_id: string;
  title: string;
  requester: string;
  amount_cents: number;
  deadline?: string;
  submitted_at: string;
  /** The server's policy findings on a claim (0 for missions and service done). */
  findings: number;
  /** Service done: orders are always opened; missions and claims: who asked. */
  agent_id?: string;
  /** Passed up the unit tree because its deadline passed below (server's escalation_level). */
  escalated?: boolean;
}

export interface InvoiceDocument {
  sha256: string;
  name: string;
  content_type: string;
  size: number;
}

export interface InvoiceEvent {
  status: string;
  at: string;
  reason?: string;
  /** "nomade" (certified or answered in Nomade) or the financial system ("chorus_pro"…). */
  source?: string;
  attachments?: InvoiceDocument[];
}

export interface InvoicePayment {
  paid_at: string;
  amount_cents: number;
  bank_reference: string;
}

/** Interest and indemnity owed for late payment, as computed by the server at `as_of`. */
export interface LateCharges {
  rate_percent: string | null;
  days_late: number;
  interest_cents: number;
  indemnity_cents: number;
  as_of: string;
}

export interface Invoice {
  id: string;
  number: string;
  buyer: string;
  amount_ttc_cents: number;
  amount_to_pay_cents: number;
  issued_on: string;
  due_on: string;
  paid_on?: string;
  /** When it becomes late if nothing else happens (server's rule, suspensions included); null: it cannot; absent: a row pulled before the server sent it. */
  late_from?: string | null;
  status: string;
  /** The server's stage of that status (what the supplier sees; several codes share one). */
  stage: InvoiceStage;
  /** The server's word: the stage asks the supplier to act (complete, re-route, invoice again). */
  action_needed: boolean;
  /** Before VAT, what service done covers now (part of the invoice after a partial certification). */
  certified_cents?: number;
  history: InvoiceEvent[];
  /** The buyer organisation (documents sent with an answer are uploaded to it). */
  organisation_id?: string;
  /** The legal payment deadline (instant); null while interrupted or without deadline. */
  due_at?: string | null;
  status_reason?: string;
  amount_paid_cents?: number;
  payments?: InvoicePayment[];
  late_charges?: LateCharges;
}

/** One message of a document's thread (a question or an answer). */
export interface Comment {
  id: string;
  document_id: string;
  author_id: string | null;
  author_name: string;
  body: string;
  created_at: string;
  /** Not yet confirmed by the server. */
  pending: boolean;
}

export interface Notice {
  id: string;
  title: string;
  body: string;
  url: string;
  created_at: string;
  read: boolean;
}

export interface PendingIntent {
  id: string;
  name: string;
  args: Record<string, unknown>;
  created_at: string;
}

export interface Rejection {
  id: string;
  name: string;
  code: string;
  message: { fr: string; en: string };
  at: string;
  /** "rejected" (not applied) or "conflict" (applied, another device's value overwritten). */
  kind: "rejected" | "conflict" | "noop";
  /** Values overwritten by a later edit from another device (kind "conflict"): restorable. */
  overwritten: { field: string; lost: string; kept: string }[];
  /** MONEY_CONFLICT: the amount on the server and the one this phone sent (cents). */
  money: { server: number; client: number; currency: string } | null;
  /** The documents it is about: the intent's own first, then those the server named. */
  targets: string[];
}

export interface Device {
  id: string;
  name: string;
  last_seen_at: string;
  current: boolean;
}

/** An error the user is shown: a stable code and a FR/EN message. */
export interface ApiProblem {
  code: string;
  message: { fr: string; en: string };
  status: number;
  details?: Record<string, unknown>;
}
