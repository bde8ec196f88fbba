/**
 * The push/pull loop of the sync leader tab.
 *
 * One cycle: upload pending receipts → push queued intents in seq order (batches) → pull pages
 * until `has_more` is false → apply them in ONE IndexedDB transaction (rows, cookie, last_seq,
 * and removal of intents the server has processed), so the UI never sees a half-applied pull.
 * Failures back off exponentially with jitter; a 503/429 Retry-After is a floor no trigger can
 * shorten. A 409 SEQ_GAP re-sends from the seq the server expects. A `reset` replaces the base
 * rows in its scope by a fresh snapshot and keeps every pending intent (replayed on top).
 */
import type { Auth } from './auth';
import type { BlobUploader } from './blobs';
import { pendingBlobs } from './blobs';
import { clientKey, guarded, type ClientMeta, type Db } from './db';
import type { Clock } from './engine';
import { ApiError, DataError, NetworkError, NotSignedInError } from './errors';
import { ensureClient, getClient, listIntents, problemOf, recordAcks, textsFor, toWire } from './queue';
import type { Store } from './store';
import type { Cookie, PatchOp, PullResponse, PushRequest, PushResponse, WireAck } from './types';

/** A complete pull, staged before it is applied. */
interface StagedPull {
  patch: PatchOp[];
  acks: WireAck[];
  lastSeq: number;
  cookie: Cookie;
  replace: Set<string> | 'all' | null;
}

/** Version of the client's understanding of the wire format and entities. */
export const SCHEMA_VERSION = 1;
/** Pull pages buffered before giving up on one cycle (a runaway server). */
const MAX_PAGES = 10_000;
/** Intent names that must wait until the user's receipts are uploaded. */
const NEEDS_BLOBS = new Set(['expense_claim.submit']);

export interface SyncSettings {
  appVersion: string;
  pullLimit: number;
  pushBatch: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  periodicMs: number;
}

export interface SyncDeps {
  db: Db;
  auth: Auth;
  uploader: BlobUploader;
  store: Store;
  clock: Clock;
  random: () => number;
  settings: SyncSettings;
  /** Called after local state changed (acks, applied pull): refresh views, tell other tabs. */
  onChanged: () => Promise<void>;
  /** Extra work at the end of a cycle (e.g. inbox reads made offline). */
  afterCycle?: (userId: string) => Promise<void>;
  /** The browser's own connectivity signal (navigator.onLine): a cycle whose requests were
   * answered before the phone went offline must not mark it online again. */
  isOnline?: () => boolean;
}

/** Delay before retry number `attempt` (0-based): exponential, capped, "equal jitter". */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class SyncLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: unknown = null;
  private attempts = 0;
  /** No request before this instant (Retry-After). */
  private notBefore = 0;
  private active = false;

  constructor(private readonly deps: SyncDeps) {}

  /** Starts answering triggers (this tab became the leader). */
  activate(): void {
    this.active = true;
    this.trigger();
  }

  /** Stops: no new cycle, timers cleared (a running cycle finishes). */
  deactivate(): void {
    this.active = false;
    this.clearTimer();
  }

  /** The delay of the next scheduled attempt, for tests and diagnostics. */
  nextAttemptAt: number | null = null;

  /** Asks for a cycle soon (coalesced; ignored inside a Retry-After window). */
  trigger(): void {
    if (!this.active) return;
    if (this.deps.clock.now() < this.notBefore) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.runLoop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no cycle is running. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /** Runs a cycle now (or joins the running one) and resolves when it is over. */
  async syncNow(): Promise<void> {
    if (this.running !== null) this.again = true;
    else this.trigger();
    while (this.running !== null) await this.running;
  }

  private async runLoop(): Promise<void> {
    do {
      this.again = false;
      this.clearTimer();
      const userId = this.deps.auth.currentUserId();
      if (userId === null) {
        this.deps.store.syncStatus.value = 'paused';
        return;
      }
      this.deps.store.syncStatus.value = 'syncing';
      try {
        await this.cycle(userId);
        this.attempts = 0;
        this.notBefore = 0;
        if (this.deps.isOnline?.() ?? true) this.deps.store.online.value = true;
        this.deps.store.lastError.value = null;
        this.deps.store.syncStatus.value = 'idle';
        this.schedule(this.deps.settings.periodicMs);
      } catch (error) {
        this.onFailure(error);
        return;
      }
    } while (this.again && this.active);
  }

  private onFailure(error: unknown): void {
    const { store, clock, settings, random } = this.deps;
    if (error instanceof NotSignedInError) {
      store.syncStatus.value = 'paused';
      return;
    }
    const delay = backoffDelay(this.attempts, settings.backoffBaseMs, settings.backoffMaxMs, random);
    this.attempts += 1;
    if (error instanceof NetworkError) {
      store.online.value = false;
      store.syncStatus.value = 'offline';
    } else {
      store.syncStatus.value = error instanceof ApiError && error.status >= 500 ? 'backoff' : 'error';
    }
    store.lastError.value = error instanceof DataError ? error : null;
    let wait = delay;
    if (error instanceof ApiError && error.retryAfter !== null) {
      wait = Math.round(error.retryAfter * 1000 + random() * Math.min(1000, settings.backoffBaseMs));
      this.notBefore = clock.now() + error.retryAfter * 1000;
    }
    if (error instanceof DataError && error.code === 'SCHEMA_TOO_OLD') {
      store.updateRequired.value = true;
      return;
    }
    this.schedule(wait);
  }

  private schedule(ms: number): void {
    this.clearTimer();
    if (!this.active || ms <= 0) {
      this.nextAttemptAt = null;
      return;
    }
    this.nextAttemptAt = this.deps.clock.now() + ms;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.nextAttemptAt = null;
      this.trigger();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One full cycle for `userId`: uploads, push, pull. */
  async cycle(userId: string): Promise<void> {
    let uploadError: unknown = null;
    try {
      await this.deps.uploader.uploadAll(userId);
    } catch (error) {
      if (error instanceof NetworkError || error instanceof NotSignedInError) throw error;
      uploadError = error; // keep pushing what does not need the receipt
    }
    this.deps.store.blobsPending.value = (await pendingBlobs(this.deps.db, userId)).length;
    await this.push(userId);
    await this.pull(userId);
    await this.deps.afterCycle?.(userId);
    if (uploadError !== null) throw uploadError;
  }

  private assertUser(userId: string): void {
    if (this.deps.auth.currentUserId() !== userId) throw new NotSignedInError();
  }

  /** Pushes queued intents from the first one the server has not processed. */
  async push(userId: string): Promise<void> {
    const { db, auth, settings } = this.deps;
    let client = await ensureClient(db, userId);
    const blobsWaiting = (await pendingBlobs(db, userId)).length > 0;
    let batchSize = settings.pushBatch;
    let recoveries = 0;
    for (let round = 0; round < 10_000; round++) {
      this.assertUser(userId);
      let batch = (await listIntents(db, userId, client.server_seq + 1)).slice(0, batchSize);
      if (blobsWaiting) {
        const stop = batch.findIndex((intent) => NEEDS_BLOBS.has(intent.name));
        if (stop >= 0) batch = batch.slice(0, stop);
      }
      const first = batch[0];
      if (first === undefined) return;
      const request: PushRequest = {
        client_id: client.client_id,
        schema_version: SCHEMA_VERSION,
        app_version: settings.appVersion,
        // No cookie key: the pull that follows fetches the patch (all pages, staged).
        mutations: batch.map(toWire),
      };
      let response: PushResponse;
      try {
        response = (await auth.authed<PushResponse>(userId, { method: 'POST', path: '/sync/v1/push', json: request })).body;
      } catch (error) {
        const recoverable = error instanceof ApiError && (error.code === 'SEQ_GAP' || error.code === 'CLIENT_TAKEN');
        if (recoverable && ++recoveries > 3) throw error; // the server keeps disagreeing: back off
        if (error instanceof ApiError && error.status === 409 && error.code === 'SEQ_GAP') {
          client = await this.recoverGap(userId, client, expectedSeq(error), first.seq);
          continue;
        }
        if (error instanceof ApiError && error.code === 'CLIENT_TAKEN') {
          // This client_id belongs to another user on the server: this user gets a new one.
          client = await this.renumber(userId);
          continue;
        }
        if (error instanceof ApiError && error.status === 413 && batchSize > 1) {
          batchSize = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        throw error;
      }
      await recordAcks(db, userId, response.acks ?? [], this.deps.clock.now());
      const before = client.server_seq;
      client = await this.updateClient(userId, { server_seq: Math.max(client.server_seq, response.last_seq) });
      await this.deps.onChanged();
      if (client.server_seq <= before) {
        throw new DataError('PUSH_STALLED', {
          fr: "Le serveur n'a traité aucune modification ; nouvel essai plus tard.",
          en: 'The server processed no change; retrying later.',
        });
      }
    }
  }

  /**
   * The server expects `expected`: when it already has more than we thought, skip ahead; when it
   * lacks intents we still hold, re-send from there; when it lacks intents we no longer hold
   * (server restored from a backup), start a new client and renumber the queue from 1, keeping
   * each mutation id so the server can still recognise what it already applied.
   */
  private async recoverGap(userId: string, client: ClientMeta, expected: number | null, firstSent: number): Promise<ClientMeta> {
    if (expected === null || expected < 1) throw new DataError('SEQ_GAP', { fr: 'Séquence perdue.', en: 'Sequence lost.' });
    const held = await listIntents(this.deps.db, userId);
    const lowest = held[0]?.seq ?? client.next_seq;
    if (expected > firstSent || expected >= lowest) {
      return this.updateClient(userId, { server_seq: expected - 1 });
    }
    return this.renumber(userId);
  }

  private async renumber(userId: string): Promise<ClientMeta> {
    return guarded(async () => {
      const tx = this.deps.db.transaction(['meta', 'intents'], 'readwrite');
      const meta = tx.objectStore('meta');
      const intents = tx.objectStore('intents');
      const old = (await meta.get(clientKey(userId))) as ClientMeta;
      const held = await intents.getAll(IDBKeyRange.bound([userId, 0], [userId, Number.MAX_SAFE_INTEGER]));
      const clientId = crypto.randomUUID();
      for (const intent of held) await intents.delete([userId, intent.seq]);
      let seq = 1;
      for (const intent of held) {
        const { ack: _ack, ...rest } = intent;
        await intents.put({ ...rest, seq: seq++, client_id: clientId });
      }
      const client: ClientMeta = { ...old, client_id: clientId, next_seq: seq, server_seq: 0, cookie: null };
      await meta.put(client);
      await tx.done;
      return client;
    });
  }

  /** Pulls every page (staged in memory), then applies them at once. */
  async pull(userId: string): Promise<void> {
    const { db, auth, settings } = this.deps;
    let client = await ensureClient(db, userId);
    let cookie: Cookie = client.cookie;
    const staged: PatchOp[] = [];
    const acks: WireAck[] = [];
    let lastSeq = 0;
    // Entities whose base rows the staged pages replace ('all' = every entity). A pull from no
    // cookie is a full snapshot.
    let replace: Set<string> | 'all' | null = cookie === null ? 'all' : null;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new DataError('PULL_RUNAWAY', { fr: 'Synchronisation interrompue.', en: 'Sync interrupted.' });
      this.assertUser(userId);
      let response: PullResponse;
      try {
        response = (
          await auth.authed<PullResponse>(userId, {
            method: 'POST',
            path: '/sync/v1/pull',
            json: { client_id: client.client_id, cookie, limit: settings.pullLimit, schema_version: SCHEMA_VERSION },
          })
        ).body;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'COOKIE_INVALID' && cookie !== null) {
          cookie = null;
          staged.length = 0;
          replace = 'all';
          continue;
        }
        if (error instanceof ApiError && error.code === 'CLIENT_TAKEN') {
          client = await this.renumber(userId);
          continue;
        }
        throw error;
      }
      if (response.reset) {
        // This page and the following ones are a snapshot of the entities in scope: earlier
        // staged patches of those entities are superseded.
        const scope = response.reset.scope;
        if (scope === 'all' || replace === 'all') {
          replace = 'all';
          staged.length = 0;
        } else {
          const entities = Array.isArray(scope) ? scope : [scope];
          replace = new Set([...(replace ?? []), ...entities]);
          const kept = staged.filter((op) => !entities.includes(op.entity));
          staged.length = 0;
          staged.push(...kept);
        }
      }
      staged.push(...(response.patch ?? []));
      acks.push(...(response.acks ?? []));
      lastSeq = Math.max(lastSeq, response.last_seq ?? 0);
      cookie = response.cookie;
      if (!response.has_more) break;
    }
    await this.apply(userId, { patch: staged, acks, lastSeq, cookie, replace });
    await this.deps.onChanged();
  }

  /** Applies the staged pull in one transaction; drops intents the server has processed. */
  private async apply(userId: string, pulled: StagedPull): Promise<void> {
    const { db, clock } = this.deps;
    const now = clock.now();
    await textsFor(pulled.acks);
    await guarded(async () => {
      const tx = db.transaction(['rows', 'intents', 'acks', 'meta'], 'readwrite');
      const rows = tx.objectStore('rows');
      const meta = tx.objectStore('meta');
      const owner = await meta.get('rows_owner');
      if (owner === undefined || owner.key !== 'rows_owner' || owner.user_id !== userId) {
        tx.done.catch(() => undefined);
        tx.abort();
        throw new NotSignedInError();
      }
      if (pulled.replace === 'all') await rows.clear();
      else if (pulled.replace !== null) {
        for (const entity of pulled.replace) {
          for (const key of await rows.index('by-entity').getAllKeys(entity)) await rows.delete(key);
        }
      }
      for (const op of pulled.patch) {
        if (op.op === 'put') {
          await rows.put({ entity: op.entity, id: op.id, row_version: op.row_version, data: op.data ?? {} });
        } else {
          await rows.delete([op.entity, op.id]);
        }
      }
      const intents = tx.objectStore('intents');
      const ackStore = tx.objectStore('acks');
      for (const ack of pulled.acks) {
        const intent = await intents.get([userId, ack.seq]);
        if (intent === undefined || intent.id !== ack.id) continue;
        const problem = problemOf(intent, ack, now);
        if (problem !== null && (await ackStore.get([userId, ack.seq])) === undefined) await ackStore.put(problem);
      }
      if (pulled.lastSeq > 0) await intents.delete(IDBKeyRange.bound([userId, 0], [userId, pulled.lastSeq]));
      const client = (await meta.get(clientKey(userId))) as ClientMeta;
      await meta.put({
        ...client,
        cookie: pulled.cookie,
        server_seq: Math.max(client.server_seq, pulled.lastSeq),
        last_sync_at: now,
      });
      await tx.done;
    });
    this.deps.store.lastSyncAt.value = now;
  }

  private async updateClient(userId: string, changes: Partial<ClientMeta>): Promise<ClientMeta> {
    return guarded(async () => {
      const tx = this.deps.db.transaction('meta', 'readwrite');
      const current = (await tx.store.get(clientKey(userId))) as ClientMeta;
      const next = { ...current, ...changes };
      await tx.store.put(next);
      await tx.done;
      return next;
    });
  }
}

function expectedSeq(error: ApiError): number | null {
  for (const key of ['expected_seq', 'expected']) {
    const value = error.details[key];
    if (typeof value === 'number') return value;
  }
  const last = error.details['last_seq'];
  return typeof last === 'number' ? last + 1 : null;
}

export { getClient };
