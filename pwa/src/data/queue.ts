/**
 * The per-user outbox of intents, layered database → store → API as in workbox-background-sync,
 * but intents are never dropped (no expiry, no "500 means success"): an intent leaves the queue
 * only when a pull shows the server processed it (its seq ≤ the server's last_seq).
 *
 * Seqs are contiguous per client (one client per (installation, user)); the seq counter and the
 * intent are written in one IndexedDB transaction, so tabs enqueuing at once cannot collide.
 */
import { clientKey, guarded, type ClientMeta, type Db, type StoredAck, type StoredIntent } from './db';
import { newMutationId } from './ids';
import { describeCode, loadErrorTexts } from './messages';
import type { JsonObject, WireAck, WireMutation } from './types';

const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** BroadcastChannel name on which tabs (and the service worker) announce queued intents. */
export const QUEUE_CHANNEL = 'nomade-data';

/** Reads the client record of a user (undefined before their first sync or write). */
export async function getClient(db: Db, userId: string): Promise<ClientMeta | undefined> {
  return (await db.get('meta', clientKey(userId))) as ClientMeta | undefined;
}

function freshClient(userId: string): ClientMeta {
  return {
    key: clientKey(userId),
    user_id: userId,
    client_id: crypto.randomUUID(),
    next_seq: 1,
    server_seq: 0,
    cookie: null,
    last_sync_at: null,
  };
}

/** The user's client record, created (with a new client_id) on first use. */
export async function ensureClient(db: Db, userId: string): Promise<ClientMeta> {
  return guarded(async () => {
    const tx = db.transaction('meta', 'readwrite');
    let client = (await tx.store.get(clientKey(userId))) as ClientMeta | undefined;
    if (client === undefined) {
      client = freshClient(userId);
      await tx.store.put(client);
    }
    await tx.done;
    return client;
  });
}

/**
 * Queues an intent for `userId`: next contiguous seq, a new mutation UUID (idempotency key),
 * the device time. Throws StorageFullError when the device is out of space.
 */
export async function enqueueIntent(
  db: Db,
  userId: string,
  name: string,
  v: number,
  args: JsonObject,
  now: number = Date.now(),
): Promise<StoredIntent> {
  return guarded(async () => {
    const tx = db.transaction(['meta', 'intents'], 'readwrite');
    const meta = tx.objectStore('meta');
    const client = ((await meta.get(clientKey(userId))) as ClientMeta | undefined) ?? freshClient(userId);
    const intent: StoredIntent = {
      user_id: userId,
      seq: client.next_seq,
      client_id: client.client_id,
      id: newMutationId(),
      name,
      v,
      args,
      client_time: new Date(now).toISOString(),
      created_at: now,
    };
    await tx.objectStore('intents').add(intent);
    await meta.put({ ...client, next_seq: client.next_seq + 1 });
    await tx.done;
    return intent;
  });
}

/** The user's queued intents in seq order. */
export async function listIntents(db: Db, userId: string, fromSeq = 0): Promise<StoredIntent[]> {
  return db.getAll('intents', IDBKeyRange.bound([userId, fromSeq], [userId, MAX_SEQ]));
}

/** A stored intent as the server receives it (and as a problem report keeps it). */
export function toWire(intent: StoredIntent): WireMutation {
  return { seq: intent.seq, id: intent.id, name: intent.name, v: intent.v, args: intent.args, client_time: intent.client_time };
}

/** What an ack means for the user, or null when it needs no attention. */
export function problemOf(intent: StoredIntent, ack: WireAck, now: number): StoredAck | null {
  const details = ack.details ?? {};
  const conflicts = ack.conflicts ?? [];
  let kind: StoredAck['kind'] | null = null;
  let code = ack.code ?? '';
  if (ack.status === 'rejected') kind = 'rejected';
  else if (conflicts.length > 0) {
    kind = 'conflict';
    code = code || 'TEXT_OVERWRITTEN';
  } else if (ack.status === 'noop' && code) kind = 'noop';
  if (kind === null) return null;
  code = code || 'REJECTED';
  return {
    user_id: intent.user_id,
    seq: intent.seq,
    kind,
    code,
    message: describeCode(code, ack.message),
    details,
    conflicts,
    intent: toWire(intent),
    at: now,
    dismissed: false,
  };
}

/** Loads the error catalogue first when an ack needs a text the server did not send (an
 * overwritten value, or an older server's ack): IndexedDB transactions cannot wait for it. */
export async function textsFor(acks: readonly WireAck[]): Promise<void> {
  if (acks.some((ack) => !ack.message && (ack.status === 'rejected' || !!ack.code || (ack.conflicts ?? []).length > 0))) {
    await loadErrorTexts();
  }
}

/**
 * Records server acks on the queued intents (matched by seq AND mutation id, so a stale ack
 * never lands on another intent) and keeps the ones the user must see.
 */
export async function recordAcks(db: Db, userId: string, acks: readonly WireAck[], now: number): Promise<void> {
  if (acks.length === 0) return;
  await textsFor(acks);
  await guarded(async () => {
    const tx = db.transaction(['intents', 'acks'], 'readwrite');
    for (const ack of acks) {
      const intent = await tx.objectStore('intents').get([userId, ack.seq]);
      if (intent === undefined || intent.id !== ack.id) continue;
      await tx.objectStore('intents').put({ ...intent, ack });
      const problem = problemOf(intent, ack, now);
      if (problem !== null && (await tx.objectStore('acks').get([userId, ack.seq])) === undefined) {
        await tx.objectStore('acks').put(problem);
      }
    }
    await tx.done;
  });
}

/** Problems not yet dismissed, newest first. */
export async function listProblems(db: Db, userId: string): Promise<StoredAck[]> {
  const all = await db.getAll('acks', IDBKeyRange.bound([userId, 0], [userId, MAX_SEQ]));
  return all.filter((ack) => !ack.dismissed).reverse();
}

/** Marks a problem seen. */
export async function dismissProblem(db: Db, userId: string, seq: number): Promise<void> {
  await guarded(async () => {
    const tx = db.transaction('acks', 'readwrite');
    const ack = await tx.store.get([userId, seq]);
    if (ack !== undefined) await tx.store.put({ ...ack, dismissed: true });
    await tx.done;
  });
}
