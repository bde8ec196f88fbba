/**
 * IndexedDB schema of the data layer (idb 8, typed with DBSchema) and its stepwise upgrades.
 *
 * Stores:
 * - `rows`: base rows as last pulled from the server, key [entity, id], index by entity;
 * - `intents`: pending intents per user, key [user_id, seq];
 * - `acks`: acks worth showing (rejections, conflicts), key [user_id, seq];
 * - `blobs`: receipt photos waiting for upload (bytes + server offset), key [user_id, sha256];
 * - `meta`: installation id, session, one record per (installation, user) client, rows owner,
 *   the user's organisation's rule sets.
 *
 * Every version bump appends a step to UPGRADES (house habit 10); a step never rewrites an older
 * one, so a device that skipped versions runs each step in order.
 */
import type { PinVault } from './pinvault';
import type { RuleSet } from './policy';
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

import { StorageFullError, isQuotaError } from './errors';
import type { Cookie, EntityName, FieldConflict, JsonObject, LocalizedText, User, WireAck, WireMutation } from './types';

/** A base row: the server's truth as of the last applied pull. */
export interface BaseRow {
  entity: EntityName;
  id: string;
  row_version: number;
  data: JsonObject;
}

/** A queued intent; `ack` is set once the server answered, until a pull includes its effects. */
export interface StoredIntent {
  user_id: string;
  seq: number;
  client_id: string;
  /** Mutation UUID: idempotency key, re-sent unchanged on every retry. */
  id: string;
  name: string;
  v: number;
  args: JsonObject;
  client_time: string;
  /** Epoch ms when queued (added in schema v2). */
  created_at: number;
  ack?: WireAck;
}

/** An ack kept for the user to see (rejected, noop with a code, applied with conflicts). */
export interface StoredAck {
  user_id: string;
  seq: number;
  kind: 'rejected' | 'conflict' | 'noop';
  code: string;
  message: LocalizedText;
  details: JsonObject;
  conflicts?: FieldConflict[];
  intent: WireMutation;
  at: number;
  dismissed: boolean;
}

/** A receipt photo waiting for (or during) its resumable upload. */
export interface StoredBlob {
  user_id: string;
  sha256: string;
  size: number;
  content_type: string;
  bytes: ArrayBuffer;
  /** Bytes the server has confirmed. */
  offset: number;
  status: 'pending' | 'uploaded';
  created_at: number;
  /** For users outside any organisation (suppliers): the organisation the document is for. */
  organisation_id?: string;
}

export interface InstallationMeta {
  key: 'installation';
  installation_id: string;
}

export interface SessionMeta {
  key: 'session';
  user: User;
  device_id: string;
  /** Empty when the PIN vault holds it (see pinvault.ts). */
  refresh_token: string;
  pin_set: boolean;
  /** The refresh token encrypted under the PIN-derived key, once a PIN is set on this phone. */
  vault?: PinVault;
  /** Wrong PINs in a row typed on this phone (the local session is wiped at the fifth). */
  pin_failures?: number;
}

/** Sync state of one (installation, user) client. */
export interface ClientMeta {
  key: `client:${string}`;
  user_id: string;
  client_id: string;
  /** Next seq to assign (contiguous from 1). */
  next_seq: number;
  /** Highest seq the server has processed (its `last_seq`). */
  server_seq: number;
  cookie: Cookie;
  last_sync_at: number | null;
}

/** Whose rows are in `rows` (they are cleared when another user signs in). */
export interface RowsOwnerMeta {
  key: 'rows_owner';
  user_id: string | null;
}

/** Inbox items marked read while offline, sent by the next sync cycle. */
export interface InboxReadsMeta {
  key: `inbox_reads:${string}`;
  ids: string[];
}

/** The user's organisation's expense rule sets as last received (data/policy.ts); a meta record,
 * so no schema version of its own. */
export interface RuleSetsMeta {
  key: `rule_sets:${string}`;
  etag: string;
  fetched_at: number;
  rule_sets: RuleSet[];
  /** Sent beside the rule sets (absent from records kept before the server sent it). */
  home_country?: string;
}

/** For whom the user decides as a delegate (data/approvals.ts): person id → managers' names, as
 * last received, so approval cards say "on behalf of …" offline too. */
export interface OnBehalfMeta {
  key: `on_behalf:${string}`;
  people: Record<string, string[]>;
}

export type MetaRecord = InstallationMeta | SessionMeta | ClientMeta | RowsOwnerMeta | InboxReadsMeta | RuleSetsMeta | OnBehalfMeta;

export interface NomadeDB extends DBSchema {
  rows: { key: [string, string]; value: BaseRow; indexes: { 'by-entity': string } };
  intents: {
    key: [string, number];
    value: StoredIntent;
    indexes: { 'by-user': string; 'by-mutation': string };
  };
  acks: { key: [string, number]; value: StoredAck; indexes: { 'by-user': string } };
  blobs: { key: [string, string]; value: StoredBlob; indexes: { 'by-user': string } };
  meta: { key: string; value: MetaRecord };
}

export type Db = IDBPDatabase<NomadeDB>;
type UpgradeTx = IDBPTransaction<NomadeDB, StoreNames<NomadeDB>[], 'versionchange'>;
type UpgradeStep = (db: Db, tx: UpgradeTx) => Promise<void> | void;

/** UPGRADES[n] takes the database from version n to n + 1. */
export const UPGRADES: readonly UpgradeStep[] = [
  // v0 → v1: rows, intents, acks, meta.
  (db) => {
    const rows = db.createObjectStore('rows', { keyPath: ['entity', 'id'] });
    rows.createIndex('by-entity', 'entity');
    const intents = db.createObjectStore('intents', { keyPath: ['user_id', 'seq'] });
    intents.createIndex('by-user', 'user_id');
    const acks = db.createObjectStore('acks', { keyPath: ['user_id', 'seq'] });
    acks.createIndex('by-user', 'user_id');
    db.createObjectStore('meta', { keyPath: 'key' });
  },
  // v1 → v2: receipt uploads; intents findable by mutation id; created_at backfilled from
  // client_time (v1 kept only the device time string).
  async (db, tx) => {
    const blobs = db.createObjectStore('blobs', { keyPath: ['user_id', 'sha256'] });
    blobs.createIndex('by-user', 'user_id');
    const intents = tx.objectStore('intents');
    intents.createIndex('by-mutation', 'id');
    let cursor = await intents.openCursor();
    while (cursor) {
      const intent = cursor.value;
      if (typeof intent.created_at !== 'number') {
        const parsed = Date.parse(intent.client_time);
        await cursor.update({ ...intent, created_at: Number.isNaN(parsed) ? Date.now() : parsed });
      }
      cursor = await cursor.continue();
    }
  },
];

/** Current schema version. */
export const DB_VERSION = UPGRADES.length;

/**
 * Opens (and upgrades) the database. `version` below DB_VERSION exists for upgrade tests.
 * `onBlocking` is called when another tab needs a newer version: close and reload then.
 */
export async function openDatabase(
  name: string,
  options: { version?: number; onBlocking?: () => void } = {},
): Promise<Db> {
  const version = options.version ?? DB_VERSION;
  try {
    return await openDB<NomadeDB>(name, version, {
      async upgrade(db, oldVersion, newVersion, tx) {
        for (let step = oldVersion; step < (newVersion ?? version); step++) {
          await UPGRADES[step]?.(db, tx);
        }
      },
      blocking() {
        options.onBlocking?.();
      },
    });
  } catch (error) {
    throw storageError(error);
  }
}

/** Maps a quota failure to StorageFullError; other errors pass unchanged. */
export function storageError(error: unknown): unknown {
  return isQuotaError(error) ? new StorageFullError(error) : error;
}

/** Runs an IndexedDB operation, surfacing quota failures as StorageFullError. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw storageError(error);
  }
}

/** Reads a typed meta record. */
export async function getMeta<K extends MetaRecord['key']>(
  db: Db,
  key: K,
): Promise<Extract<MetaRecord, { key: K }> | undefined> {
  return (await db.get('meta', key)) as Extract<MetaRecord, { key: K }> | undefined;
}

export function clientKey(userId: string): `client:${string}` {
  return `client:${userId}`;
}
