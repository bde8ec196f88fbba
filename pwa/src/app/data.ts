/** The screens' only door to data: the thin adapter that stands in for `src/data/` (the sync
 * engine, built on branch pwa-data) until it lands. Sign-in, PIN and devices use the real API;
 * lists are kept on the phone (localStorage) and seeded with PLACEHOLDER rows; writes become
 * pending intents, each with its idempotency key, shown as "waiting to sync". */
import { computed, effect, signal } from "@preact/signals";
import * as api from "./api";
import type { ApiProblem, ApiResult } from "./api";
import { uuidv7 } from "./ids";
import type {
  Approval, Device, ExpenseClaim, ExpenseLine, Invoice, Mission, Notice, PendingIntent, PurchaseOrder, Rejection, Session,
} from "./model";
import * as sample from "./placeholder";
import { readOutbox, saveReceipt } from "../sw/outbox";

/** Whether the lists come from the placeholder rows rather than the sync engine. */
export const usesPlaceholderData = true;

function persisted<T>(key: string, fallback: () => T) {
  const raw = localStorage.getItem(`nomade.${key}`);
  const s = signal<T>(raw ? (JSON.parse(raw) as T) : fallback());
  effect(() => localStorage.setItem(`nomade.${key}`, JSON.stringify(s.value)));
  return s;
}

export const session = persisted<Session | null>("session", () => null);
export const hasPin = persisted<boolean>("hasPin", () => false);
/** Locked after a restart when a PIN exists: the PIN (or the password) unlocks. */
export const locked = signal<boolean>(session.value !== null && hasPin.value);
export const online = signal<boolean>(navigator.onLine);
addEventListener("online", () => { online.value = true; void syncNow(); });
addEventListener("offline", () => { online.value = false; });

export const missions = persisted<Mission[]>("missions", sample.sampleMissions);
export const claims = persisted<ExpenseClaim[]>("claims", sample.sampleClaims);
export const lines = persisted<ExpenseLine[]>("lines", sample.sampleLines);
export const approvals = persisted<Approval[]>("approvals", sample.sampleApprovals);
export const orders = persisted<PurchaseOrder[]>("orders", sample.sampleOrders);
export const invoices = persisted<Invoice[]>("invoices", sample.sampleInvoices);
export const notices = persisted<Notice[]>("notices", sample.sampleNotices);
export const pending = persisted<PendingIntent[]>("pending", () => []);
export const rejections = persisted<Rejection[]>("rejections", () => []);
export const lastSyncAt = persisted<string | null>("lastSyncAt", () => null);
export const pushPrefs = persisted<Record<"invoice" | "approval" | "decision", boolean>>("pushPrefs", () => ({ invoice: true, approval: true, decision: true }));

export const pendingCount = computed(() => pending.value.length);
/** Ids of documents touched by an intent not yet accepted by the server. */
export const pendingDocumentIds = computed(() => new Set(pending.value.map((i) => String(i.args["id"] ?? i.args["document_id"] ?? ""))));

function deviceName(): string {
  const ua = navigator.userAgent;
  const os = /iPhone|iPad/.test(ua) ? "iPhone" : /Android/.test(ua) ? "Android" : /Mac/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : "Linux";
  const browser = /Edg\//.test(ua) ? "Edge" : /Chrom/.test(ua) ? "Chrome" : /Firefox/.test(ua) ? "Firefox" : /Safari/.test(ua) ? "Safari" : "Browser";
  return `${browser} · ${os}`;
}

export async function signIn(email: string, password: string): Promise<ApiProblem | null> {
  const r = await api.login(email, password, deviceName());
  if (!r.ok) return r.problem;
  session.value = r.value;
  locked.value = false;
  return null;
}

export async function savePin(pin: string): Promise<ApiProblem | null> {
  const s = session.value;
  if (!s) return null;
  const r = await api.setPin(s.accessToken, pin);
  if (!r.ok) return r.problem;
  hasPin.value = true;
  return null;
}

export async function unlockWithPin(pin: string): Promise<ApiProblem | null> {
  const s = session.value;
  if (!s) return null;
  const r = await api.unlock(s.deviceId, s.refreshToken, pin);
  if (!r.ok) return r.problem;
  session.value = r.value;
  locked.value = false;
  return null;
}

export async function signOut(): Promise<void> {
  const s = session.value;
  if (s && online.value) await api.logout(s.accessToken);
  session.value = null;
  hasPin.value = false;
  locked.value = false;
}

export async function devices(): Promise<ApiResult<Device[]>> {
  const s = session.value;
  if (!s) return { ok: true, value: [] };
  return api.listDevices(s.accessToken, s.deviceId);
}

export async function revokeDevice(id: string): Promise<ApiProblem | null> {
  const s = session.value;
  if (!s) return null;
  const r = await api.revokeDevice(s.accessToken, id);
  return r.ok ? null : r.problem;
}

/** Records a write as a pending intent (the server re-runs it under its rules later). */
function enqueue(name: string, args: Record<string, unknown>): void {
  pending.value = [...pending.value, { id: uuidv7(), name, args, created_at: new Date().toISOString() }];
  void syncNow();
}

const today = (): string => new Date().toISOString().slice(0, 10);

export function createMission(fields: Omit<Mission, "id" | "status">): string {
  const id = uuidv7();
  missions.value = [{ ...fields, id, status: "draft" }, ...missions.value];
  enqueue("mission.create", { id, ...fields });
  return id;
}

function setMissionStatus(id: string, status: Mission["status"], intent: string): void {
  missions.value = missions.value.map((m) => (m.id === id ? { ...m, status } : m));
  enqueue(intent, { id, expected_state: missions.value.find((m) => m.id === id)?.status });
}
export const submitMission = (id: string): void => setMissionStatus(id, "submitted", "mission.submit");
export const cancelMission = (id: string): void => setMissionStatus(id, "cancelled", "mission.cancel");

/** The claim of a mission, created on first use. */
export function claimFor(missionId: string): ExpenseClaim {
  const found = claims.value.find((c) => c.mission_id === missionId);
  if (found) return found;
  const claim: ExpenseClaim = { id: uuidv7(), mission_id: missionId, status: "draft" };
  claims.value = [...claims.value, claim];
  enqueue("expense_claim.create", { id: claim.id, mission_id: missionId });
  return claim;
}

/** Local checks mirroring the server's policy (meal €20.00 cap; a line without receipt). */
export function policyWarnings(line: Pick<ExpenseLine, "category" | "amount_cents" | "receipt_blob">): string[] {
  const warnings: string[] = [];
  if (line.category === "meal" && line.amount_cents > 2_000) warnings.push("meal_cap");
  if (line.category === "lodging" && line.amount_cents > 14_000) warnings.push("lodging_cap");
  if (!line.receipt_blob) warnings.push("no_receipt");
  return warnings;
}

export function saveLine(line: Omit<ExpenseLine, "warnings">): void {
  const full: ExpenseLine = { ...line, warnings: policyWarnings(line) };
  const exists = lines.value.some((l) => l.id === line.id);
  lines.value = exists ? lines.value.map((l) => (l.id === line.id ? full : l)) : [...lines.value, full];
  const { ocr: _ocr, ...args } = line;
  enqueue(exists ? "expense_line.update" : "expense_line.create", args);
}

/** Keeps a downscaled receipt on the phone until it is uploaded; returns its local key. */
export async function queueReceipt(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  const sha = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  await saveReceipt(sha, blob);
  return sha;
}

export function submitClaim(id: string): void {
  claims.value = claims.value.map((c) => (c.id === id ? { ...c, status: "submitted", submitted_at: new Date().toISOString() } : c));
  enqueue("expense_claim.submit", { id, expected_state: "draft" });
}

export function decide(approvalId: string, decision: "approve" | "refuse" | "return", reason = ""): void {
  const a = approvals.value.find((x) => x.id === approvalId);
  if (!a) return;
  approvals.value = approvals.value.filter((x) => x.id !== approvalId);
  enqueue(`${a.kind}.${decision}`, { document_id: a.document_id, reason, expected_state: "submitted" });
}

export function certifyServiceDone(orderId: string, received: Record<string, number>, comment: string): void {
  orders.value = orders.value.map((o) => {
    if (o.id !== orderId) return o;
    const newLines = o.lines.map((l) => ({ ...l, received: Math.max(l.received, Math.min(l.quantity, received[l.id] ?? l.received)) }));
    const all = newLines.every((l) => l.received >= l.quantity);
    return { ...o, lines: newLines, status: all ? "received" : "partially_received" };
  });
  enqueue("purchase_order.certify_service_done", { id: orderId, received, comment, service_date: today() });
}

export function markRead(id: string): void {
  notices.value = notices.value.map((n) => (n.id === id ? { ...n, read: true } : n));
  enqueue("notification.mark_read", { id });
}

export function setPushPref(kind: "invoice" | "approval" | "decision", on: boolean): void {
  pushPrefs.value = { ...pushPrefs.value, [kind]: on };
  enqueue("notification_preferences.update", { ...pushPrefs.value });
}

let syncing = false;
/** Collects intents queued by the service worker (notification actions) and sends the queue. */
export async function syncNow(): Promise<void> {
  if (syncing || !online.value || !session.value) return;
  syncing = true;
  try {
    const fromWorker = await readOutbox();
    if (fromWorker.length) {
      const known = new Set(pending.value.map((p) => p.id));
      pending.value = [...pending.value, ...fromWorker.filter((p) => !known.has(p.id))];
    }
    // PLACEHOLDER: the sync engine (src/data) will push the intents here and set lastSyncAt;
    // until it lands they stay queued on the phone, shown as "waiting to sync".
  } finally {
    syncing = false;
  }
}

export function dismissRejection(id: string): void {
  rejections.value = rejections.value.filter((r) => r.id !== id);
}
