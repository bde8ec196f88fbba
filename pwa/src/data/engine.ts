/**
 * The data layer object: composes IndexedDB (db.ts), the per-user queue (queue.ts), optimistic
 * replay (mutators.ts), the sync loop (sync.ts), receipt uploads (blobs.ts), the session
 * (auth.ts) and the UI signals (store.ts). index.ts exposes one instance to the app.
 */
import { Auth } from './auth';
import { BlobUploader, DEFAULT_CHUNK_SIZE, localBlob, pendingBlobs, storeBlob } from './blobs';
import { getMeta, guarded, openDatabase, type BaseRow, type ClientMeta, type Db, type StoredAck, type StoredIntent } from './db';
import { NotSignedInError, StorageFullError } from './errors';
import { clearReceiptCache, keepUploadedPhoto, receiptImage, type ReceiptRendition } from './receipts';
import { makeCommands, type Attachment, type Commands } from './commands';
import { Http } from './http';
import { Notifications } from './notifications';
import { Administration, Onboarding } from './admin';
import { Approvals } from './approvals';
import { PolicyRules } from './policy';
import { findMutator, replay } from './mutators';
import {
  dismissProblem as dismissStoredProblem,
  ensureClient,
  enqueueIntent,
  getClient,
  listIntents,
  listProblems,
  QUEUE_CHANNEL,
} from './queue';
import { createStore, type Store } from './store';
import { SyncLoop } from './sync';
import type { Device, JsonObject, PendingIntent, Problem, User } from './types';

/** Timers, injectable so tests drive time. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The part of the Web Locks API used for leader election. */
export interface LockManagerLike {
  request(name: string, options: { mode: 'exclusive' }, callback: () => Promise<void>): Promise<unknown>;
}

/** The part of BroadcastChannel used between tabs. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** The part of EventSource used for pokes. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

/** Where `online` and `visibilitychange` come from (window and document in the browser). */
export interface Environment {
  addEventListener(type: 'online' | 'offline' | 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline' | 'visibilitychange', listener: () => void): void;
  isOnline(): boolean;
  isVisible(): boolean;
}

export interface DataLayerOptions {
  /** Signals to write (the app passes its own; default: a fresh store). */
  store?: Store;
  /** API origin prefix, '' for same origin. */
  apiBase?: string;
  /** IndexedDB database name (default 'nomade'). */
  dbName?: string;
  /** Sent with each push (`app_version`). */
  appVersion?: string;
  fetch?: typeof fetch;
  /** Periodic pull interval in ms (default 60 000; 0 disables). */
  periodicSyncMs?: number;
  /** Rows per pull page (default 500). */
  pullLimit?: number;
  /** Mutations per push (default 100). */
  pushBatch?: number;
  /** Exponential backoff: first delay and cap in ms (default 1 000 and 300 000). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Receipt upload chunk size in bytes (default 256 KiB). */
  chunkSize?: number;
  clock?: Clock;
  /** Random source for jitter and ids (default Math.random). */
  random?: () => number;
  /** Web Locks (default navigator.locks; null: this tab is always the leader). */
  locks?: LockManagerLike | null;
  /** Tab-to-tab channel factory (default BroadcastChannel; null: none). */
  channel?: ((name: string) => ChannelLike) | null;
  /** SSE factory (default EventSource; null: no live pokes). */
  eventSource?: ((url: string) => EventSourceLike) | null;
  /** online / visibility source (default window + document; null: none). */
  environment?: Environment | null;
  /** Cache Storage for receipt images (default globalThis.caches; null: no cache). */
  caches?: CacheStorage | null;
}

type TabMessage =
  | { type: 'enqueued'; userId: string }
  | { type: 'changed' }
  | { type: 'session' }
  | { type: 'sync-request' };

const LEADER_LOCK = 'nomade-sync-leader';
const TICK_MS = 5_000;

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function browserEnvironment(): Environment | null {
  if (typeof window === 'undefined' || typeof document === 'undefined') return null;
  return {
    addEventListener: (type, listener) =>
      (type === 'visibilitychange' ? document : window).addEventListener(type, listener),
    removeEventListener: (type, listener) =>
      (type === 'visibilitychange' ? document : window).removeEventListener(type, listener),
    isOnline: () => navigator.onLine !== false,
    isVisible: () => document.visibilityState === 'visible',
  };
}

function defaultLocks(): LockManagerLike | null {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as { locks?: LockManagerLike }).locks;
  return locks ?? null;
}

function defaultChannel(): ((name: string) => ChannelLike) | null {
  return typeof BroadcastChannel === 'undefined' ? null : (name) => new BroadcastChannel(name);
}

function defaultEventSource(): ((url: string) => EventSourceLike) | null {
  return typeof EventSource === 'undefined' ? null : (url) => new EventSource(url);
}

function toPending(intent: StoredIntent, unknown: boolean): PendingIntent {
  return {
    userId: intent.user_id,
    clientId: intent.client_id,
    seq: intent.seq,
    id: intent.id,
    name: intent.name,
    v: intent.v,
    args: intent.args,
    clientTime: intent.client_time,
    createdAt: intent.created_at,
    ack: intent.ack,
    unknown,
  };
}

function toProblem(ack: StoredAck): Problem {
  return {
    key: `${ack.user_id}:${ack.seq}`,
    kind: ack.kind,
    code: ack.code,
    message: ack.message,
    details: ack.details,
    conflicts: ack.conflicts ?? [],
    intent: {
      seq: ack.intent.seq,
      id: ack.intent.id,
      name: ack.intent.name,
      v: ack.intent.v,
      args: ack.intent.args,
      clientTime: ack.intent.client_time,
    },
    at: ack.at,
  };
}

/** One data layer instance (one per page; tests make several over the same IndexedDB). */
export class DataLayer {
  readonly store: Store;
  readonly options: DataLayerOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly locks: LockManagerLike | null;
  private dbHandle: Db | null = null;
  private authHandle: Auth | null = null;
  private syncHandle: SyncLoop | null = null;
  private uploader: BlobUploader | null = null;
  private notificationsHandle: Notifications | null = null;
  private administrationHandle: Administration | null = null;
  private onboardingHandle: Onboarding | null = null;
  private approvalsHandle: Approvals | null = null;
  private policyHandle: PolicyRules | null = null;
  private commandsCache: Commands | null = null;
  private channel: ChannelLike | null = null;
  private events: EventSourceLike | null = null;
  private eventsRetry: unknown = null;
  private ticker: unknown = null;
  private leader = false;
  private releaseLeader: (() => void) | null = null;
  private stopped = false;
  private viewRefresh: Promise<void> = Promise.resolve();
  /** Base rows as last read (they change only with a pull or a sign-in/out). */
  private baseCache: { userId: string; rows: BaseRow[] } | null = null;
  private readonly listeners: [Parameters<Environment['addEventListener']>[0], () => void][] = [];
  private readonly caches: CacheStorage | null;

  constructor(options: DataLayerOptions = {}) {
    this.options = options;
    this.store = options.store ?? createStore();
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.locks = options.locks === undefined ? defaultLocks() : options.locks;
    this.caches = options.caches === undefined ? (globalThis.caches ?? null) : options.caches;
  }

  /** Push subscription, preferences and the inbox (REST on the server; reads work offline). */
  get notifications(): Notifications {
    if (this.notificationsHandle === null) throw new Error('DataLayer not started');
    return this.notificationsHandle;
  }

  /** The organisation's administration (role admin; REST, online only). */
  get administration(): Administration {
    if (this.administrationHandle === null) throw new Error('DataLayer not started');
    return this.administrationHandle;
  }

  /** A supplier's registration and an invitation's acceptance (public routes). */
  get onboarding(): Onboarding {
    if (this.onboardingHandle === null) throw new Error('DataLayer not started');
    return this.onboardingHandle;
  }

  /** What a manager reads beside the rows to decide (REST, online only). */
  get approvals(): Approvals {
    if (this.approvalsHandle === null) throw new Error('DataLayer not started');
    return this.approvalsHandle;
  }

  /** Typed intent builders bound to this layer (index.ts exports the app's as `commands`). */
  get commands(): Commands {
    this.commandsCache ??= makeCommands({
      enqueue: (name, v, args) => this.enqueue(name, v, args),
      currentRow: (entity, id) => this.store.row(entity, id).peek(),
      storeReceipt: (file) => this.storeReceipt(file),
      storeDocuments: (invoiceId, files) => this.storeDocuments(invoiceId, files),
      markNotificationRead: (id) => this.notifications.markRead(id),
    });
    return this.commandsCache;
  }

  /** True while this tab runs the sync loop. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** The sync loop (tests and diagnostics). */
  get sync(): SyncLoop {
    if (this.syncHandle === null) throw new Error('DataLayer not started');
    return this.syncHandle;
  }

  private get db(): Db {
    if (this.dbHandle === null) throw new Error('DataLayer not started');
    return this.dbHandle;
  }

  private get auth(): Auth {
    if (this.authHandle === null) throw new Error('DataLayer not started');
    return this.authHandle;
  }

  /** Opens IndexedDB, restores the session, starts leader election and sync triggers. */
  async start(): Promise<void> {
    const options = this.options;
    const db = await openDatabase(options.dbName ?? 'nomade', {
      // A newer app version opened in another tab needs to upgrade the database: step aside
      // (close, give up leadership) and ask the user to reload this tab.
      onBlocking: () => {
        this.store.updateRequired.value = true;
        void this.stop();
      },
    });
    this.dbHandle = db;
    if ((await getMeta(db, 'installation')) === undefined) {
      await guarded(() => db.put('meta', { key: 'installation', installation_id: crypto.randomUUID() }));
    }
    const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
    const http = new Http(options.apiBase ?? '', fetcher);
    this.authHandle = new Auth(db, http, this.store, this.clock, this.locks);
    // An uploaded photo stays viewable offline until the server's thumbnail replaces it.
    this.uploader = new BlobUploader(db, this.authHandle, options.chunkSize ?? DEFAULT_CHUNK_SIZE,
      (blob) => keepUploadedPhoto(this.caches, blob));
    const auth = this.authHandle;
    this.notificationsHandle = new Notifications(db, http, auth, () => {
      const userId = auth.currentUserId();
      if (userId === null) throw new NotSignedInError();
      return userId;
    });
    const notifications = this.notificationsHandle;
    this.onboardingHandle = new Onboarding(http);
    this.administrationHandle = new Administration(auth, () => {
      const userId = auth.currentUserId();
      if (userId === null) throw new NotSignedInError();
      return userId;
    });
    this.approvalsHandle = new Approvals(auth, () => {
      const userId = auth.currentUserId();
      if (userId === null) throw new NotSignedInError();
      return userId;
    }, db);
    const policy = new PolicyRules(db, auth, () => {
      const session = this.store.session.peek();
      return 'user' in session ? session.user : undefined;
    }, () => this.clock.now());
    this.policyHandle = policy;
    const environment = options.environment === undefined ? browserEnvironment() : options.environment;
    this.syncHandle = new SyncLoop({
      db,
      auth: this.authHandle,
      uploader: this.uploader,
      store: this.store,
      clock: this.clock,
      random: this.random,
      settings: {
        appVersion: options.appVersion ?? '0.0.0',
        pullLimit: options.pullLimit ?? 500,
        pushBatch: options.pushBatch ?? 100,
        backoffBaseMs: options.backoffBaseMs ?? 1_000,
        backoffMaxMs: options.backoffMaxMs ?? 300_000,
        periodicMs: options.periodicSyncMs ?? 60_000,
      },
      onChanged: () => this.changed(),
      afterCycle: async (userId) => {
        await notifications.flush(userId);
        // The rule sets for offline checks, revalidated by ETag (never fails the cycle).
        if (await policy.refresh(userId)) await this.changed();
      },
      isOnline: () => environment?.isOnline() ?? true,
    });
    const saved = await this.authHandle.restore();
    if (saved !== undefined) await this.prepareRows(saved.user.id);
    await this.refreshView();

    const makeChannel = options.channel === undefined ? defaultChannel() : options.channel;
    if (makeChannel !== null) {
      this.channel = makeChannel(QUEUE_CHANNEL);
      this.channel.addEventListener('message', (event) => void this.onTabMessage(event.data as TabMessage));
    }
    if (environment !== null) {
      this.store.online.value = environment.isOnline();
      this.listen(environment, 'online', () => {
        this.store.online.value = true;
        this.syncHandle?.trigger();
      });
      this.listen(environment, 'offline', () => {
        this.store.online.value = false;
      });
      this.listen(environment, 'visibilitychange', () => {
        if (environment.isVisible()) this.syncHandle?.trigger();
      });
    }
    this.tick();
    this.electLeader();
  }

  /** Stops timers, SSE, leadership; closes IndexedDB. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.syncHandle?.deactivate();
    this.leader = false;
    this.releaseLeader?.();
    this.releaseLeader = null;
    this.closeEvents();
    this.channel?.close();
    this.channel = null;
    for (const [type, listener] of this.listeners.splice(0)) {
      (this.options.environment ?? browserEnvironment())?.removeEventListener(type, listener);
    }
    if (this.ticker !== null) this.clock.clearTimeout(this.ticker);
    this.ticker = null;
    await this.syncHandle?.idle();
    await this.viewRefresh;
    this.dbHandle?.close();
  }

  // ------------------------------------------------------------ session

  async login(email: string, password: string, deviceName: string): Promise<User> {
    const user = await this.auth.login(email, password, deviceName);
    await this.prepareRows(user.id);
    await ensureClient(this.db, user.id);
    await this.afterSessionChange();
    return user;
  }

  async unlock(pin: string): Promise<User> {
    const user = await this.auth.unlock(pin);
    await this.prepareRows(user.id);
    await this.afterSessionChange();
    return user;
  }

  /** True when this phone's session has a PIN (it can lock). */
  hasPin(): boolean {
    return this.auth.hasPin();
  }

  lock(): void {
    this.auth.lock();
    this.closeEvents();
    void this.afterSessionChange();
  }

  async setPin(pin: string): Promise<void> {
    await this.auth.setPin(pin);
  }

  /** Signs out; the user's rows leave the device, their pending intents stay queued. */
  async logout(): Promise<void> {
    await this.auth.logout();
    this.closeEvents();
    await this.clearRows(null);
    await this.afterSessionChange();
  }

  listDevices(): Promise<Device[]> {
    return this.auth.listDevices();
  }

  revokeDevice(id: string): Promise<void> {
    return this.auth.revokeDevice(id);
  }

  // ------------------------------------------------------------ writes

  /** Queues an intent for the signed-in user and shows it optimistically at once. */
  async enqueue(name: string, v: number, args: JsonObject): Promise<PendingIntent> {
    const userId = this.auth.currentUserId();
    if (userId === null) throw new NotSignedInError();
    let intent: StoredIntent;
    try {
      intent = await enqueueIntent(this.db, userId, name, v, args, this.clock.now());
    } catch (error) {
      if (error instanceof StorageFullError) this.store.storageError.value = error;
      throw error;
    }
    await this.refreshView(false);
    this.post({ type: 'enqueued', userId });
    this.syncHandle?.trigger();
    return toPending(intent, findMutator(name, v) === undefined);
  }

  /** Keeps a receipt photo on the device for a resumable upload; its SHA-256 (the typed
   * command then queues `expense_line.attach_receipt`). */
  async storeReceipt(file: Blob): Promise<string> {
    return (await this.keepBlob(file)).sha256;
  }

  /**
   * Keeps each document (photo, PDF) of an answer to a suspended invoice on the device for a
   * resumable upload to the invoice's organisation (the typed command then queues
   * `invoice.complete` with them; the server waits for the uploads: BLOB_PENDING is retried).
   */
  async storeDocuments(invoiceId: string, files: readonly File[]): Promise<Attachment[]> {
    const data = this.store.row('invoice', invoiceId).peek()?.data;
    const organisation = typeof data?.['organisation'] === 'string' ? data['organisation'] : undefined;
    const attachments: Attachment[] = [];
    for (const file of files) {
      const blob = await this.keepBlob(file, organisation);
      attachments.push({ sha256: blob.sha256, name: file.name.slice(0, 200), content_type: blob.content_type.slice(0, 100), size: blob.size });
    }
    return attachments;
  }

  private async keepBlob(file: Blob, organisation?: string) {
    const userId = this.auth.currentUserId();
    if (userId === null) throw new NotSignedInError();
    try {
      return await storeBlob(this.db, userId, file, this.clock.now(), organisation);
    } catch (error) {
      if (error instanceof StorageFullError) this.store.storageError.value = error;
      throw error;
    }
  }

  /** A receipt photo still on the device (not uploaded yet), for previews. */
  async localReceipt(sha256: string): Promise<Blob | undefined> {
    const userId = this.auth.currentUserId();
    return userId === null ? undefined : localBlob(this.db, userId, sha256);
  }

  /**
   * A receipt's bytes: from the device while its upload waits, else downloaded from the server
   * (only for users who can see a document referencing it). Use URL.createObjectURL to show it.
   */
  async getReceipt(sha256: string): Promise<Blob> {
    const userId = this.auth.currentUserId();
    if (userId === null) throw new NotSignedInError();
    const local = await localBlob(this.db, userId, sha256);
    if (local !== undefined) return local;
    return this.auth.authedBlob(userId, `/sync/v1/blobs/${encodeURIComponent(sha256)}`);
  }

  /**
   * A receipt image of an expense line (thumbnail or full image): the photo still on the
   * device, else the cached rendition, else the server's (then cached). See ./receipts.ts.
   */
  async receiptImage(lineId: string, sha256: string, rendition: ReceiptRendition): Promise<Blob> {
    const userId = this.auth.currentUserId();
    if (userId === null) throw new NotSignedInError();
    const sources = { db: this.db, caches: this.caches, download: (user: string, path: string) => this.auth.authedBlob(user, path) };
    return receiptImage(sources, userId, lineId, sha256, rendition);
  }

  /** A printed document (mission order, expense claim) as the server renders it: needs a
   * connection (the PDF is made from the server's rows and receipts). */
  async printedDocument(path: string): Promise<Blob> {
    const userId = this.auth.currentUserId();
    if (userId === null) throw new NotSignedInError();
    return this.auth.authedBlob(userId, path);
  }

  async dismissProblem(key: string): Promise<void> {
    const split = key.lastIndexOf(':');
    const userId = key.slice(0, split);
    const seq = Number(key.slice(split + 1));
    if (userId !== this.auth.currentUserId() || !Number.isInteger(seq)) return;
    await dismissStoredProblem(this.db, userId, seq);
    await this.refreshView(false);
    this.post({ type: 'changed' });
  }

  /** Runs a sync cycle now in the leader tab (other tabs ask the leader and return). */
  async syncNow(): Promise<void> {
    if (this.leader) await this.sync.syncNow();
    else this.post({ type: 'sync-request' });
  }

  /** Asks the browser for persistent storage (Safari evicts unused sites after 7 days). */
  async requestPersistentStorage(): Promise<boolean> {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (storage?.persist === undefined) return false;
    return (await storage.persisted()) || storage.persist();
  }

  // ------------------------------------------------------------ internals

  /**
   * Recomputes the optimistic view and the signals from IndexedDB (serialised). `rowsChanged`
   * false re-reads only the queue (a local write), keeping the base rows read last time.
   */
  refreshView(rowsChanged = true): Promise<void> {
    this.viewRefresh = this.viewRefresh.then(() => this.computeView(rowsChanged)).catch(() => undefined);
    return this.viewRefresh;
  }

  private async computeView(rowsChanged: boolean): Promise<void> {
    if (this.dbHandle === null) return;
    const session = this.store.session.peek();
    const userId = 'user' in session ? session.user.id : null;
    if (userId === null) {
      this.store.view.value = new Map();
      this.store.pending.value = [];
      this.store.problems.value = [];
      this.store.blobsPending.value = 0;
      this.store.ruleSets.value = null;
      this.store.homeCountry.value = null;
      return;
    }
    const db = this.dbHandle;
    if (rowsChanged || this.baseCache?.userId !== userId) {
      const owner = await getMeta(db, 'rows_owner');
      this.baseCache = { userId, rows: owner?.user_id === userId ? await db.getAll('rows') : [] };
    }
    const base = this.baseCache.rows;
    const intents = await listIntents(db, userId);
    const client = await getClient(db, userId);
    this.store.view.value = replay(base, intents);
    this.store.pending.value = intents.map((intent) => toPending(intent, findMutator(intent.name, intent.v) === undefined));
    this.store.problems.value = (await listProblems(db, userId)).map(toProblem);
    this.store.blobsPending.value = (await pendingBlobs(db, userId)).length;
    const policy = (await this.policyHandle?.read(userId)) ?? null;
    this.store.ruleSets.value = policy?.rule_sets ?? null;
    this.store.homeCountry.value = policy?.home_country ?? null;
    if (client?.last_sync_at != null) this.store.lastSyncAt.value = client.last_sync_at;
  }

  /** Rows on the device belong to one user: another user's sign-in starts from a full pull. */
  private async prepareRows(userId: string): Promise<void> {
    const owner = await getMeta(this.db, 'rows_owner');
    if (owner?.user_id !== userId) await this.clearRows(userId);
  }

  private async clearRows(newOwner: string | null): Promise<void> {
    await clearReceiptCache(this.caches); // one user's receipts, like the rows
    await guarded(async () => {
      const tx = this.db.transaction(['rows', 'meta'], 'readwrite');
      await tx.objectStore('rows').clear();
      await tx.objectStore('meta').put({ key: 'rows_owner', user_id: newOwner });
      // Every client's cookie pointed into the cleared rows.
      let cursor = await tx.objectStore('meta').openCursor(IDBKeyRange.bound('client:', 'client:\uffff'));
      while (cursor) {
        await cursor.update({ ...(cursor.value as ClientMeta), cookie: null });
        cursor = await cursor.continue();
      }
      await tx.done;
    });
  }

  private async afterSessionChange(): Promise<void> {
    await this.refreshView();
    this.post({ type: 'session' });
    if (this.leader) {
      this.openEvents();
      this.syncHandle?.trigger();
    }
  }

  private async changed(): Promise<void> {
    await this.refreshView();
    this.post({ type: 'changed' });
  }

  private async onTabMessage(message: TabMessage): Promise<void> {
    if (this.stopped) return;
    switch (message.type) {
      case 'enqueued':
        await this.refreshView(false);
        this.syncHandle?.trigger();
        break;
      case 'changed':
        await this.refreshView();
        break;
      case 'session': {
        const saved = await this.auth.restore();
        if (saved !== undefined) await this.prepareRows(saved.user.id);
        await this.afterSessionChangeLocal();
        break;
      }
      case 'sync-request':
        this.syncHandle?.trigger();
        break;
    }
  }

  private async afterSessionChangeLocal(): Promise<void> {
    await this.refreshView();
    if (this.leader) {
      this.openEvents();
      this.syncHandle?.trigger();
    }
  }

  private post(message: TabMessage): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A closed channel only costs other tabs a delay until their next refresh.
    }
  }

  private listen(environment: Environment, type: Parameters<Environment['addEventListener']>[0], listener: () => void): void {
    environment.addEventListener(type, listener);
    this.listeners.push([type, listener]);
  }

  private tick(): void {
    if (this.stopped) return;
    this.store.now.value = this.clock.now();
    this.ticker = this.clock.setTimeout(() => this.tick(), TICK_MS);
  }

  /** One leader per browser profile (Web Locks); without Web Locks every tab leads. */
  private electLeader(): void {
    if (this.locks === null) {
      this.becomeLeader();
      return;
    }
    this.locks
      .request(LEADER_LOCK, { mode: 'exclusive' }, () => {
        if (this.stopped) return Promise.resolve();
        this.becomeLeader();
        return new Promise<void>((resolve) => {
          this.releaseLeader = resolve;
        });
      })
      .catch(() => {
        // Lock manager unavailable (e.g. opaque origin): lead without it.
        if (!this.stopped && !this.leader) this.becomeLeader();
      });
  }

  private becomeLeader(): void {
    if (this.stopped) return;
    this.leader = true;
    this.openEvents();
    this.sync.activate();
  }

  /** Live pokes: each poke triggers a pull. Reopened with a fresh token after an error. */
  private openEvents(): void {
    const make = this.options.eventSource === undefined ? defaultEventSource() : this.options.eventSource;
    const userId = this.authHandle?.currentUserId() ?? null;
    this.closeEvents();
    if (make === null || userId === null || !this.leader || this.stopped) return;
    const base = this.options.apiBase ?? '';
    this.auth
      .accessToken(userId)
      .then((token) => {
        if (this.stopped || !this.leader || this.auth.currentUserId() !== userId || this.events !== null) return;
        const source = make(`${base}/sync/v1/events?access_token=${encodeURIComponent(token)}`);
        const poke = () => this.syncHandle?.trigger();
        source.addEventListener('message', poke);
        source.addEventListener('poke', poke);
        source.addEventListener('error', () => {
          if (this.events !== source) return;
          this.closeEvents();
          this.retryEvents();
        });
        this.events = source;
      })
      .catch(() => this.retryEvents());
  }

  private retryEvents(): void {
    if (this.stopped || this.eventsRetry !== null) return;
    this.eventsRetry = this.clock.setTimeout(() => {
      this.eventsRetry = null;
      this.openEvents();
    }, 5_000 + Math.round(this.random() * 25_000));
  }

  private closeEvents(): void {
    this.events?.close();
    this.events = null;
    if (this.eventsRetry !== null) this.clock.clearTimeout(this.eventsRetry);
    this.eventsRetry = null;
  }
}
