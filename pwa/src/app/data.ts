/** The screens' view of the data layer (src/data): its signals mapped to screen models, and
 * the user's actions turned into its commands. Screens import this module, never fetch or
 * IndexedDB. `demo` mode (opened once with `?demo=1`, for screenshots and audits) shows
 * sample rows instead of the synced ones. */
import { computed, signal } from "@preact/signals";
import * as data from "../data";
import type { Device as DataDevice, Notifications, Row } from "../data";
import { setLanguage, type MessageKey } from "./i18n";
import { UndoWindow, type Held } from "./decisions";
import { closeDecided } from "../sw/decided";
import type { ApiProblem } from "./model";
import type {
  Approval, Comment, Device, ExpenseClaim, ExpenseLine, Invoice, Mission, Notice, PurchaseOrder, Rejection, Session,
} from "./model";
import * as sample from "./placeholder";
import { toApprovals, toClaim, toComment, toInvoice, toLine, toMission, toOrder } from "./rows";
import { changedFields, ocrFillable } from "./edits";
import { targetsOf } from "./refusals";
import { missionFactsOf, policyWarnings, ruleSetFor, type PolicyLine } from "./policy";

if (typeof location !== "undefined" && new URLSearchParams(location.search).has("demo")) {
  localStorage.setItem("nomade.demo", new URLSearchParams(location.search).get("demo") === "0" ? "0" : "1");
}
/** Sample rows instead of synced ones (screenshots, accessibility audits). */
export const demo = typeof localStorage !== "undefined" && localStorage.getItem("nomade.demo") === "1";

export const ready = signal<boolean>(false);
/** Starts the data layer (IndexedDB, saved session, sync). */
export async function startData(): Promise<void> {
  await data.initData({ appVersion: __APP_VERSION__ });
  ready.value = true;
  void data.loadErrorTexts(); // the server's texts of refusal codes, out of the first load
}

/** The signed-in session as screens need it (null when signed out). */
export const session = computed<Session | null>(() => {
  const s = data.session.value;
  if (s.status === "signed_in" || s.status === "locked" || s.status === "expired") {
    return { accessToken: "", accessExpiresAt: "", refreshToken: "", deviceId: s.deviceId, user: s.user as Session["user"] };
  }
  return null;
});
export const locked = computed(() => data.session.value.status === "locked");
export const expired = computed(() => data.session.value.status === "expired");
export const online = data.online;
/** The module scripts of the app shell a reload would start (which build), null when unknown. */
export const deployedScripts = (): Promise<string[] | null> => data.deployedScripts();
/** Receipt photos on this phone still to upload. */
export const blobsPending = data.blobsPending;
export const pendingCount = data.pendingCount;
export const lastSyncAt = computed(() => (data.lastSyncAt.value === null ? null : new Date(data.lastSyncAt.value).toISOString()));
export const oldestPendingAt = computed(() => {
  const first = data.pending.value[0];
  return first ? new Date(first.createdAt).toISOString() : null;
});

const myId = (): string => session.value?.user.id ?? "";
const sampled = <T>(make: () => T) => signal<T>(make());
const demoRows = demo ? {
  missions: sampled(sample.sampleMissions), claims: sampled(sample.sampleClaims), lines: sampled(sample.sampleLines),
  approvals: sampled(sample.sampleApprovals), orders: sampled(sample.sampleOrders), invoices: sampled(sample.sampleInvoices), notices: sampled(sample.sampleNotices),
} : null;

const rowsOf = (entity: data.EntityName) => data.rows(entity);
const mapped = <T>(entity: data.EntityName, fn: (r: Row) => T) => computed<T[]>(() => rowsOf(entity).value.map(fn));

export const missions = demoRows?.missions ?? mapped("mission", toMission);
export const claims = demoRows?.claims ?? mapped("expense_claim", toClaim);
export const lines = demoRows?.lines ?? mapped("expense_line", (r) => toLine(r, lineWarnings));
export const orders = demoRows?.orders ?? mapped("purchase_order", toOrder);
export const invoices = demoRows?.invoices ?? mapped("invoice", toInvoice);
export const approvals = demoRows?.approvals ?? computed<Approval[]>(() =>
  toApprovals([...rowsOf("mission").value], [...rowsOf("expense_claim").value], [...rowsOf("purchase_order").value], myId(), pendingDocumentIds.value));

/** Policy: the organisation's rule sets as last received (null: never, then no cap warning). */
export const ruleSets = data.ruleSets;
/** The server's home country, sent with the rule sets: a mission elsewhere is abroad (null: not received yet). */
export const homeCountry = data.homeCountry;
const missionFacts = computed(() => new Map(missions.value.map((m) => [m.id, missionFactsOf(m)])));
const missionOfClaim = computed(() => new Map(claims.value.map((c) => [c.id, c.mission_id])));
/** Local warnings on a line (pure checks in ./policy) under the rule set in force on its
 * mission's first day; the server's own findings replace them once the line is synced. */
export function lineWarnings(line: PolicyLine & Pick<ExpenseLine, "claim_id">): string[] {
  const mission = missionFacts.value.get(missionOfClaim.value.get(line.claim_id) ?? "") ?? null;
  return policyWarnings(line, mission, ruleSetFor(ruleSets.value, line, mission));
}

/** Ids of documents changed by an intent the server has not confirmed yet. */
export const pendingDocumentIds = computed(() => {
  const ids = new Set<string>();
  for (const i of data.pending.value) {
    if (i.name === "comment.add") continue; // a question leaves its document as it is
    for (const key of ["id", "document_id", "purchase_order_id", "claim_id"]) {
      const v = i.args[key];
      if (typeof v === "string") ids.add(v);
    }
  }
  return ids;
});

const plain = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v as string | number));
function moneyOf(p: data.Problem): Rejection["money"] {
  const server = p.details["server"], client = p.details["client"];
  if (p.code !== "MONEY_CONFLICT" || typeof server !== "object" || typeof client !== "object" || !server || !client || Array.isArray(server) || Array.isArray(client)) return null;
  return { server: Number(server["amount_cents"] ?? 0), client: Number(client["amount_cents"] ?? 0), currency: String(client["currency"] ?? server["currency"] ?? "EUR") };
}
export const rejections = computed<Rejection[]>(() => data.problems.value.map((p) => ({
  id: p.key, name: p.intent.name, code: p.code, kind: p.kind, message: p.message, at: new Date(p.at).toISOString(),
  overwritten: p.conflicts.map((c) => ({ field: c.field, lost: plain(c.lost), kept: plain(c.kept) })),
  money: moneyOf(p), targets: targetsOf(p.intent, p.details),
})));
const problemByKey = (key: string): data.Problem | undefined => data.problems.peek().find((p) => p.key === key);
/** Puts back the values another device's later edit overwrote (a new edit), then closes the problem. */
export function restoreOverwritten(key: string): void {
  const problem = problemByKey(key);
  if (!problem) return;
  write(async () => {
    await data.commands.conflicts.restore(problem);
    await data.dismissProblem(key);
  });
}
/** MONEY_CONFLICT: keep this phone's amounts (a new edit) or the other device's (nothing to send). */
export function chooseMoney(key: string, choice: "mine" | "theirs"): void {
  const problem = problemByKey(key);
  if (!problem) return;
  write(async () => {
    await data.commands.conflicts.chooseMoney(problem, choice);
    await data.dismissProblem(key);
  });
}
export const storageFull = computed(() => data.storageError.value !== null);
export const updateRequired = data.updateRequired;

function problemOf(error: unknown): ApiProblem {
  if (error instanceof data.DataError) {
    return { code: error.code, message: error.text, status: error instanceof data.ApiError ? error.status : 0, details: error.details };
  }
  return { code: "UNKNOWN", status: 0, message: { fr: "Erreur inattendue.", en: "Unexpected error." } };
}

async function attempt(action: () => Promise<unknown>): Promise<ApiProblem | null> {
  try {
    await action();
    return null;
  } catch (error) {
    return problemOf(error);
  }
}

/** The supplier answers a suspended invoice (message + photos/PDFs), offline too: the documents
 * wait on the phone and upload resumably, the answer is queued. */
export function answerInvoice(id: string, comment: string, files: readonly File[]): Promise<ApiProblem | null> {
  return attempt(() => data.commands.invoices.complete(id, comment, files));
}

function deviceName(): string {
  const ua = navigator.userAgent;
  const os = /iPhone|iPad/.test(ua) ? "iPhone" : /Android/.test(ua) ? "Android" : /Mac/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : "Linux";
  const browser = /Edg\//.test(ua) ? "Edge" : /Chrom/.test(ua) ? "Chrome" : /Firefox/.test(ua) ? "Firefox" : /Safari/.test(ua) ? "Safari" : "Browser";
  return `${browser} · ${os}`;
}

export const newId = (): string => data.newId();
export const signIn = (email: string, password: string) => attempt(() => data.login(email, password, deviceName()));
export const savePin = (pin: string) => attempt(() => data.setPin(pin));
/** Why the phone asks for the password again (five wrong PINs wiped the session), or null. */
export const wipedNotice = signal<boolean>(false);
export const unlockWithPin = async (pin: string): Promise<ApiProblem | null> => {
  const failed = await attempt(() => data.unlock(pin));
  wipedNotice.value = failed?.code === "SESSION_WIPED";
  return failed;
};
/** Minutes without a touch or key press after which a phone with a PIN locks. */
export const LOCK_CHOICES = [1, 5, 15, 30] as const;
export const lockAfterMinutes = signal<number>(Number(typeof localStorage === "undefined" ? 0 : localStorage.getItem("nomade.lockAfter")) || 5);
export function chooseLockAfter(minutes: number): void {
  lockAfterMinutes.value = minutes;
  localStorage.setItem("nomade.lockAfter", String(minutes));
}
export const hasPin = (): boolean => !demoRows && data.hasPin();
export const lockNow = (): void => { if (hasPin()) data.lock(); };
/** Signs out: this phone's push subscription goes first (nothing more for this person reaches
 * it, even if the sign-out cannot reach the server now), then the session. */
export const signOut = async (): Promise<void> => {
  await forgetPush();
  await attempt(() => data.logout());
};
export const revokeDevice = (id: string) => attempt(() => data.revokeDevice(id));

export async function devices(): Promise<{ ok: true; value: Device[] } | { ok: false; problem: ApiProblem }> {
  try {
    const list = await data.listDevices();
    const current = session.value?.deviceId;
    return { ok: true, value: list.map((d: DataDevice) => ({ id: d.id, name: d.name, last_seen_at: d.last_seen_at ?? d.created_at ?? "", current: d.current ?? d.id === current })) };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}

/** Runs a write; a storage or other failure is logged (the store's signals show it). */
function write(action: () => Promise<unknown>): void {
  void action().catch((error: unknown) => console.warn("nomade: write failed", error));
}

// Every intent goes through the data layer's typed commands (src/data/commands.ts), whose
// arguments are the server's generated contract; none is built here by name.
const rowData = (entity: data.EntityName, id: string): data.JsonObject => data.row(entity, id).peek()?.data ?? {};

export const submitMission = (id: string): void => write(() => data.commands.missions.submit(id));
export const cancelMission = (id: string): void => write(() => data.commands.missions.cancel(id));

/** The expense claim of a mission, if it exists. */
export function claimFor(missionId: string): ExpenseClaim | undefined {
  return claims.value.find((c) => c.mission_id === missionId);
}

/** Opens the expense claim of an approved mission. */
export function createClaim(mission: Mission): ExpenseClaim {
  const claim: ExpenseClaim = { id: data.newId(), mission_id: mission.id, status: "draft", findings: [] };
  write(() => data.commands.claims.create({ id: claim.id, mission_id: mission.id, title: mission.purpose.slice(0, 200) }));
  return claim;
}

/** Saves a line; a new receipt photo (already downscaled) is stored and attached with it. */
export function saveLine(line: Omit<ExpenseLine, "warnings" | "ocr">, photo: Blob | null, existing: boolean): void {
  const fields = {
    date: line.spent_on, amount_cents: line.amount_cents, currency: line.currency, category: line.category,
    merchant: line.merchant, vat_rate_bp: line.vat_rate_permille * 10, claim_id: line.claim_id || null,
    ...(line.km !== undefined ? { km: line.km } : {}),
    fx_rate: line.currency === "EUR" ? null : line.fx_rate ?? null,
  };
  write(async () => {
    if (existing) {
      // Only what the user changed: an untouched field must not overwrite another device's edit.
      const changes = changedFields(rowData("expense_line", line.id), fields);
      if (Object.keys(changes).length > 0) await data.commands.expenseLines.edit(line.id, changes);
    } else await data.commands.expenseLines.create({ id: line.id, ...fields, field_sources: ocrFillable(line, photo) });
    if (photo) await data.commands.expenseLines.attachReceipt(line.id, photo);
  });
}

/** One line per receipt (a line of receipts of different kinds, as the server proposed). */
export function splitLine(lineId: string, receipts: number): void {
  if (receipts < 2) return;
  write(async () => { await data.commands.expenseLines.splitReceipts(lineId, receipts - 1); });
}

/** A receipt image of a line (the queued photo, the cached or the server's rendition). */
export async function receiptImage(lineId: string, sha256: string, rendition: data.ReceiptRendition,
): Promise<{ ok: true; blob: Blob } | { ok: false; problem: ApiProblem; offline: boolean }> {
  try {
    return { ok: true, blob: await data.receiptImage(lineId, sha256, rendition) };
  } catch (error) {
    return { ok: false, problem: problemOf(error), offline: error instanceof data.NetworkError };
  }
}

/** Every document's thread of comments, oldest first (demo mode: none). */
const threads = computed(() => {
  const byDocument = new Map<string, Comment[]>();
  if (demoRows) return byDocument;
  for (const row of rowsOf("comment").value) {
    const c = toComment(row);
    byDocument.set(c.document_id, [...(byDocument.get(c.document_id) ?? []), c]);
  }
  for (const list of byDocument.values()) list.sort((a, b) => a.created_at.localeCompare(b.created_at));
  return byDocument;
});
/** The questions and answers on one mission or expense claim. */
export const threadOf = (documentId: string): Comment[] => threads.value.get(documentId) ?? [];
/** Whether this user wrote the comment (a queued one has no author yet: it is theirs). */
export const isMine = (c: Comment): boolean => c.author_id === null || c.author_id === myId();
/** Writes a question or an answer on the document's thread (queued offline like any change). */
export function addComment(documentType: "mission" | "expense_claim", documentId: string, body: string): void {
  write(() => data.commands.comments.add(documentType, documentId, body));
}
/** Comments on this document the server refused (empty, too long, document closed…). */
export const commentRefusals = (documentId: string): data.Problem[] =>
  data.problems.value.filter((p) => p.kind === "rejected" && p.intent.name === "comment.add" && p.intent.args["document_id"] === documentId);

export const submitClaim = (id: string): void => write(() => data.commands.claims.submit(id));

/** One decision on a request; the server checks the state and the content the manager saw. */
export function decide(approvalId: string, decision: "approve" | "refuse" | "return", reason = ""): void {
  const a = approvals.value.find((x) => x.id === approvalId);
  if (!a) return;
  if (a.kind === "service_done") {
    if (decision === "approve") certifyServiceDone(a.document_id, null, reason);
    return;
  }
  const documents = a.kind === "mission" ? data.commands.missions : data.commands.claims;
  write(() => documents.decide(a.document_id, decision, reason));
}

/** A decision the manager just made, held a few seconds (undo) before it is queued. */
export interface HeldDecision {
  approvalId: string;
  title: string;
  decision: "approve" | "refuse" | "return";
  reason: string;
  /** Service done: the quantities certified (null: every line) and the comment. */
  certify?: { orderId: string; received: Record<string, number> | null; comment: string };
}
export const UNDO_SECONDS = 5;
/** Decisions still in their undo window, and the last thing that happened (for the status line). */
export const heldDecisions = signal<Held<HeldDecision>[]>([]);
export const lastDecision = signal<{ text: MessageKey; title: string; n?: number; at: number } | null>(null);
const undoWindow = new UndoWindow<HeldDecision>(
  (d) => (d.certify ? certifyServiceDone(d.certify.orderId, d.certify.received, d.certify.comment) : decide(d.approvalId, d.decision, d.reason)),
  (held) => { heldDecisions.value = held; },
  UNDO_SECONDS * 1000,
);
if (typeof window !== "undefined") window.addEventListener("pagehide", () => undoWindow.flushAll());

/** Decides after the undo window (the status line says what happened and offers undo). */
export function decideLater(d: HeldDecision): void {
  undoWindow.hold(d.approvalId, d);
  lastDecision.value = { text: d.certify ? "decision.queued.certify" : `decision.queued.${d.decision}`, title: d.title, at: Date.now() };
}
/** Several clean requests approved at once (each keeps its own undo window). */
export function approveMany(list: readonly Approval[]): void {
  for (const a of list) undoWindow.hold(a.id, { approvalId: a.id, title: a.title, decision: "approve", reason: "" });
  lastDecision.value = { text: "bulk.done", title: "", n: list.length, at: Date.now() };
}
export function undoDecision(approvalId: string): void {
  const held = heldDecisions.peek().find((h) => h.key === approvalId);
  if (held && undoWindow.undo(approvalId)) lastDecision.value = { text: "decision.undone", title: held.value.title, at: Date.now() };
}
export const isHeld = (approvalId: string): boolean => heldDecisions.value.some((h) => h.key === approvalId);

/** The server's latest refusal of a decision on `documentId` (shown on the decision screen). */
export function decisionRefusal(documentId: string): { key: string; code: string; state: string; message: { fr: string; en: string } } | null {
  const p = [...data.problems.value].reverse().find((x) => x.intent.args["id"] === documentId
    && (x.intent.name.endsWith(".decide") || x.intent.name.startsWith("purchase_order.")) && x.kind === "rejected");
  if (!p) return null;
  const state = p.details["state"];
  return { key: p.key, code: p.code, state: typeof state === "string" ? state : "", message: p.message };
}

/** After a pull: the approval notifications of documents decided elsewhere, withdrawn or
 * certified are closed (by tag), so the lock screen never offers a stale decision. */
export async function closeDecidedNotifications(): Promise<void> {
  if (demoRows || typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration) return;
    await closeDecided(registration, (entity, id) => {
      const d = data.row(entity, id).peek()?.data;
      const state = d?.["state"], hash = d?.["content_hash"];
      return typeof state === "string" ? { state, ...(typeof hash === "string" ? { content_hash: hash } : {}) } : undefined;
    });
  } catch {
    // No notification support here: nothing to close.
  }
}

/** Raw synced row data of a document (decision screens read bookings, findings, lines). */
export const documentRow = (entity: data.EntityName, id: string) => computed(() => data.row(entity, id).value);
export const allRows = (entity: data.EntityName) => data.rows(entity);

/** "Service fait assisté": the quantities proposed from the invoices (null offline / on error). */
export async function serviceDoneProposal(orderId: string): Promise<Record<string, number> | null> {
  if (demoRows) return null;
  try {
    const p = await data.approvals().serviceDoneProposal(orderId);
    return Object.fromEntries(p.lines.map((l) => [String(l.line_no), Number(l.received)]));
  } catch {
    return null;
  }
}

export type Delegation = data.Delegation;
export async function delegations(): Promise<{ ok: true; value: Delegation[] } | { ok: false; problem: ApiProblem }> {
  try {
    return { ok: true, value: await data.approvals().delegations() };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}
export type DelegableKind = data.DelegableKind;
export const delegate = (delegateId: string, startsAt: string, endsAt: string, kinds: DelegableKind[] = []) =>
  attempt(() => data.approvals().delegate(delegateId, startsAt, endsAt, kinds));
export type Delegate = data.Delegate;
/** The colleagues a manager may delegate to (online; the server's rule). */
export async function delegates(): Promise<{ ok: true; value: Delegate[] } | { ok: false; problem: ApiProblem }> {
  try {
    return { ok: true, value: await data.approvals().delegates() };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}

/** Person id → managers the user decides for as a delegate (cards: "on behalf of …"). */
export const onBehalf = signal<Record<string, string[]>>({});
export async function refreshOnBehalf(): Promise<void> {
  if (demoRows) return;
  try {
    onBehalf.value = await data.approvals().onBehalf();
  } catch {
    // Signed out or no data layer: nothing to say on the cards.
  }
}
/** "on behalf of …" names for a request of `agentId`, or "" when the user decides in their own right. */
export const onBehalfOf = (agentId: string | undefined): string => (agentId ? (onBehalf.value[agentId] ?? []).join(", ") : "");
export const endDelegation = (id: string) => attempt(() => data.approvals().endDelegation(id));

/** Service done on a purchase order: every line (`received` null) or the quantities given. */
export function certifyServiceDone(orderId: string, received: Record<string, number> | null, comment: string): void {
  write(() => data.commands.purchaseOrders.certify(orderId, {
    certified_on: new Date().toISOString().slice(0, 10), comment,
    lines: received === null ? null : Object.entries(received).map(([line_no, q]) => ({ line_no: Number(line_no), received: String(q) })),
  }));
}

/** Revokes service done on a purchase order (every line), with the reason the supplier sees. */
export function revokeServiceDone(orderId: string, reason: string): void {
  write(() => data.commands.purchaseOrders.revoke(orderId, reason));
}

/** The notification inbox (from the server; demo rows in demo mode) and its unread count. */
export const inbox = signal<Notice[] | null>(null);
export const unreadCount = signal<number>(0);
export async function loadInbox(): Promise<ApiProblem | null> {
  if (demoRows) {
    inbox.value = demoRows.notices.value;
    unreadCount.value = inbox.value.filter((n) => !n.read).length;
    return null;
  }
  try {
    const page = await data.notifications().inbox({ limit: 50 });
    inbox.value = page.items.map((n) => ({ id: n.id, title: n.title, body: n.body, url: n.url || "/inbox", created_at: n.created_at, read: n.read_at !== null }));
    unreadCount.value = page.unread;
    return null;
  } catch (error) {
    return problemOf(error);
  }
}

/** Refreshes the unread badge (best effort: offline it keeps the last known count). */
export async function refreshUnread(): Promise<void> {
  if (demoRows || !ready.value || !session.value) return;
  try {
    unreadCount.value = await data.notifications().unreadCount();
  } catch {
    // Offline or signed out: keep the last count.
  }
}

/** Marks a notification read (offline too: sent by the next sync). */
export function markRead(id: string): void {
  if (inbox.value?.some((n) => n.id === id && !n.read)) unreadCount.value = Math.max(0, unreadCount.value - 1);
  if (inbox.value) inbox.value = inbox.value.map((n) => (n.id === id ? { ...n, read: true } : n));
  if (!demoRows) write(() => data.notifications().markRead(id));
}

/** Marks every notification read (needs the network). */
export async function markAllRead(): Promise<ApiProblem | null> {
  if (!demoRows) {
    const failed = await attempt(() => data.notifications().markAllRead());
    if (failed) return failed;
  }
  if (inbox.value) inbox.value = inbox.value.map((n) => ({ ...n, read: true }));
  unreadCount.value = 0;
  return null;
}

/** The application server key a subscription was made with, base64url without padding. */
function subscriptionKey(subscription: PushSubscription): string {
  const raw = subscription.options.applicationServerKey;
  if (!raw) return "";
  let text = "";
  for (const byte of new Uint8Array(raw)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Subscribes this phone (again when the server's VAPID key changed) and registers the
 * subscription with the server: called at each app start and when the user allows push. */
async function registerPush(lang: "fr" | "en"): Promise<void> {
  const key = (await data.notifications().vapidPublicKey()).replace(/=+$/, "");
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && subscriptionKey(subscription) !== key) {
    await subscription.unsubscribe(); // the key was rotated: the old subscription is refused
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await data.notifications().subscribe(subscription.toJSON() as Parameters<Notifications["subscribe"]>[0], lang);
}

/** Removes this phone's push subscription from the browser (best effort): the push service
 * then refuses whatever is still sent to it, and the next person to sign in subscribes afresh.
 * The server drops its copy when the session ends. */
async function forgetPush(): Promise<void> {
  if (demoRows || typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    const subscription = await registration?.pushManager.getSubscription();
    await subscription?.unsubscribe();
  } catch {
    // No push service here or already gone: the server side is dropped with the session.
  }
}

/** At app start: keeps the push subscription registered (best effort, silent offline). */
export async function refreshPushSubscription(lang: "fr" | "en"): Promise<void> {
  if (demoRows || !("Notification" in globalThis) || Notification.permission !== "granted" || !("serviceWorker" in navigator)) return;
  try {
    await registerPush(lang);
  } catch {
    // Offline or no push service: the next start tries again; the inbox still receives everything.
  }
}

/** The app speaks `lang` from now on, and so does the server to this person: their language
 * (digests, inbox) and this phone's push subscription. Also called at each start, so a choice
 * made offline reaches the server later (best effort, silent offline). */
export async function chooseLanguage(lang: "fr" | "en"): Promise<void> {
  setLanguage(lang);
  if (!demoRows && ready.value && session.value) {
    try {
      await data.notifications().saveLanguage(lang);
    } catch {
      // Offline: the next start sends it again.
    }
  }
  await refreshPushSubscription(lang);
}

/** Asks permission, subscribes this phone to Web Push and registers it with the server. */
export async function enablePush(lang: "fr" | "en"): Promise<ApiProblem | NotificationPermission> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission;
  try {
    await registerPush(lang);
    return "granted";
  } catch (error) {
    return problemOf(error);
  }
}

/** The document on screen: no push about it while it stays open (best effort). */
export function reportPresence(kind: string, id: string): void {
  if (!demoRows && ready.value && session.value && online.value) void data.notifications().reportPresence(kind, id);
}

/** Notification preferences (GET/PUT /api/v1/push/preferences through the data layer). The last
 * values read are kept on the phone per user so the screen stays readable offline. */
export type PushPreferences = data.PushPreferences;
export const pushPrefs = signal<PushPreferences | null>(null);
const prefsKey = (): string => `nomade.pushPrefs:${myId()}`;
function cachePrefs(prefs: PushPreferences): void {
  pushPrefs.value = prefs;
  try { localStorage.setItem(prefsKey(), JSON.stringify(prefs)); } catch { /* storage full: the screen still has them */ }
}
export async function loadPushPrefs(): Promise<ApiProblem | null> {
  const saved = localStorage.getItem(prefsKey());
  if (saved && pushPrefs.value === null) pushPrefs.value = JSON.parse(saved) as PushPreferences;
  try {
    cachePrefs(await data.notifications().preferences());
    return null;
  } catch (error) {
    return problemOf(error);
  }
}
export async function savePushPrefs(prefs: PushPreferences): Promise<ApiProblem | null> {
  const { version: _version, ...body } = prefs;
  try {
    cachePrefs(await data.notifications().savePreferences(body));
    return null;
  } catch (error) {
    return problemOf(error);
  }
}
/** "Send me a test": the number of this user's devices it went to. */
export async function sendTestPush(): Promise<{ devices: number } | ApiProblem> {
  try {
    return { devices: await data.notifications().sendTest() };
  } catch (error) {
    return problemOf(error);
  }
}

export const syncNow = (): Promise<void> => (ready.value ? data.syncNow().catch(() => undefined) : Promise.resolve());
export const dismissRejection = (id: string): void => write(() => data.dismissProblem(id));
export const requestPersistentStorage = (): Promise<boolean> => data.requestPersistentStorage().catch(() => false);
