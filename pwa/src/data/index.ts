/**
 * Nomade's data layer: the ONLY module the UI imports for data (house habit 10: screens never
 * call fetch or IndexedDB themselves).
 *
 * Usage (once, at app start):
 *
 *     import { initData, rows, pendingCount, commands } from './data';
 *     await initData({ appVersion: __APP_VERSION__ });
 *     const lines = rows('expense_line');          // ReadonlySignal<readonly Row[]>
 *     await commands.expenseLines.create({ ... }); // optimistic: shows at once, syncs later
 *
 * Everything below works offline: writes go to a per-user IndexedDB queue and are pushed by the
 * sync leader tab when the server is reachable.
 */
import type { ReadonlySignal } from '@preact/signals';

import { makeCommands, type Commands } from './commands';
import { DataLayer, type DataLayerOptions } from './engine';
import type { Administration, Onboarding } from './admin';
import type { Approvals } from './approvals';
import type { Notifications } from './notifications';
import type { ReceiptRendition } from './receipts';
import { createStore, type Store } from './store';
import type { Device, EntityName, Row, User } from './types';

export type * from './types';
export type { Store, View } from './store';
export type { DataLayerOptions } from './engine';
export type { Commands, Decision, ExpenseLineFields, MissionFields } from './commands';
export type { ReceiptRendition } from './receipts';
export type { RuleSet } from './policy';
export type * from './admin';
export type { Delegate, DelegableKind, Delegation, ServiceDoneProposal } from './approvals';
export type { InboxItem, InboxPage, Notifications, PushPreferences, PushSubscriptionJson } from './notifications';
export { DataLayer } from './engine';
export { createStore } from './store';
export { ApiError, DataError, NetworkError, NotSignedInError, StorageFullError } from './errors';
export { newId } from './ids';
export { describeCode, loadErrorTexts } from './messages';
export { deployedScripts } from './deployment';

/** The app's store: signals are importable before initData() (they start empty/loading). */
export const store: Store = createStore();

let layer: DataLayer | null = null;

/**
 * Opens IndexedDB, restores the saved session, starts sync (leader election, triggers).
 * Idempotent: later calls return the same layer.
 */
export async function initData(options: Omit<DataLayerOptions, 'store'> = {}): Promise<DataLayer> {
  if (layer === null) {
    layer = new DataLayer({ ...options, store });
    await layer.start();
  }
  return layer;
}

/** The initialised data layer (throws before initData()). */
export function getData(): DataLayer {
  if (layer === null) throw new Error('initData() has not been called');
  return layer;
}

/** Stops sync and closes IndexedDB (tests, or before an app update reload). */
export async function stopData(): Promise<void> {
  const current = layer;
  layer = null;
  if (current !== null) await current.stop();
}

// ---------------------------------------------------------------- signals (read-only for UI)

export const session = store.session;
export const view = store.view;
export const pending = store.pending;
export const pendingCount = store.pendingCount;
export const oldestPendingAgeMs = store.oldestPendingAgeMs;
export const lastSyncAt = store.lastSyncAt;
export const online = store.online;
export const syncStatus = store.syncStatus;
export const lastError = store.lastError;
export const problems = store.problems;
export const storageError = store.storageError;
export const updateRequired = store.updateRequired;
export const blobsPending = store.blobsPending;
/** The organisation's dated expense rule sets (kept on the phone; null until first received). */
export const ruleSets = store.ruleSets;
/** The country whose missions are not abroad, the server's (null until first received). */
export const homeCountry = store.homeCountry;

/** Rows of one entity in the optimistic view (base rows + pending intents replayed). */
export function rows(entity: EntityName): ReadonlySignal<readonly Row[]> {
  return store.rows(entity);
}

/** One row of the optimistic view. */
export function row(entity: EntityName, id: string): ReadonlySignal<Row | undefined> {
  return store.row(entity, id);
}

// ---------------------------------------------------------------- session

/** Signs in with email + password; the device is named for the devices list. */
export function login(email: string, password: string, deviceName: string): Promise<User> {
  return getData().login(email, password, deviceName);
}
/** Unlocks a locked session with the short PIN (server-checked). */
export function unlock(pin: string): Promise<User> {
  return getData().unlock(pin);
}
/** Locks the session (access token dropped, sync paused; queue kept). */
/** True when the session has a PIN on this phone (it locks at start and after inactivity). */
export function hasPin(): boolean {
  return getData().hasPin();
}

export function lock(): void {
  getData().lock();
}
/** Sets or changes the PIN of this device. */
export function setPin(pin: string): Promise<void> {
  return getData().setPin(pin);
}
/** Signs out: the user's pending intents stay queued for their next sign-in on this device. */
export function logout(): Promise<void> {
  return getData().logout();
}
/** The signed-in user's devices. */
export function listDevices(): Promise<Device[]> {
  return getData().listDevices();
}
/** Revokes one device of the signed-in user. */
export function revokeDevice(id: string): Promise<void> {
  return getData().revokeDevice(id);
}

// ---------------------------------------------------------------- writes and sync

/** The only way the app queues intents: one typed command per server intent, its arguments
 * those of the generated contract (commands.expenseLines.create(...), commands.missions.decide(id, "approve")…). */
export const commands: Commands = makeCommands({
  enqueue: (name, v, args) => getData().enqueue(name, v, args),
  currentRow: (entity, id) => store.row(entity, id).peek(),
  storeReceipt: (file) => getData().storeReceipt(file),
  storeDocuments: (invoiceId, files) => getData().storeDocuments(invoiceId, files),
  markNotificationRead: (id) => getData().notifications.markRead(id),
});

/**
 * Push notifications and the inbox: vapidPublicKey(), subscribe(json), unsubscribe(endpoint),
 * preferences(), savePreferences(p), sendTest(), reportPresence(kind, id), inbox({before,
 * limit, unreadOnly}), unreadCount(), markRead(id) (offline too), markAllRead().
 */
export function notifications(): Notifications {
  return getData().notifications;
}

/** The organisation's administration (role admin): organisation, units, people, supplier
 * registrations, integration keys, rule sets, CSV import. Online only. */
export function administration(): Administration {
  return getData().administration;
}

/** A supplier's registration and an invitation's acceptance, before any sign-in. */
export function onboarding(): Onboarding {
  return getData().onboarding;
}

/** What a manager reads beside the rows to decide: service-done proposals, delegations (online). */
export function approvals(): Approvals {
  return getData().approvals;
}

/** A receipt photo's bytes (local while uploading, else downloaded); show with URL.createObjectURL. */
export function getReceipt(sha256: string): Promise<Blob> {
  return getData().getReceipt(sha256);
}

/**
 * A receipt image of an expense line, `thumbnail` (480 px) or `image` (1600 px): the photo
 * still queued on the device, else the cached one (offline too), else the server's.
 */
export function receiptImage(lineId: string, sha256: string, rendition: ReceiptRendition): Promise<Blob> {
  return getData().receiptImage(lineId, sha256, rendition);
}

/** The PDF of a mission order or an expense claim, in `lang` (online only). */
export function printedDocument(kind: 'mission' | 'claim', id: string, lang: 'fr' | 'en'): Promise<Blob> {
  const path = kind === 'mission' ? `/api/v1/missions/${id}/order.pdf` : `/api/v1/claims/${id}/claim.pdf`;
  return getData().printedDocument(`${path}?lang=${lang}`);
}

/** Removes a rejection/conflict from the problems list once the user has seen it. */
export function dismissProblem(key: string): Promise<void> {
  return getData().dismissProblem(key);
}

/** Runs one sync cycle now (pull-to-refresh); resolves when done or failed. */
export function syncNow(): Promise<void> {
  return getData().syncNow();
}

/** Asks the browser for persistent storage (Safari evicts after 7 days otherwise). */
export function requestPersistentStorage(): Promise<boolean> {
  return getData().requestPersistentStorage();
}
