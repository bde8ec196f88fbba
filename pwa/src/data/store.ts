/**
 * Preact signals the UI reads. The engine writes them; the UI only reads (and calls the
 * functions of index.ts to change anything).
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';

import type { DataError, StorageFullError } from './errors';
import type { RuleSet } from './policy';
import type { EntityName, PendingIntent, Problem, Row, SessionState, SyncStatus } from './types';

/** entity → id → row, the optimistic view (base rows + pending intents replayed). */
export type View = ReadonlyMap<EntityName, ReadonlyMap<string, Row>>;

export interface Store {
  /** Session and signed-in user. */
  session: Signal<SessionState>;
  /** Optimistic view of every synced row of the signed-in user. */
  view: Signal<View>;
  /** Pending intents of the signed-in user, oldest first. */
  pending: Signal<readonly PendingIntent[]>;
  pendingCount: ReadonlySignal<number>;
  /** Epoch ms of the oldest pending intent, or null. */
  oldestPendingAt: ReadonlySignal<number | null>;
  /** Age of the oldest pending intent (refreshed by `now`, ticking every few seconds). */
  oldestPendingAgeMs: ReadonlySignal<number | null>;
  /** Clock signal driving ages; the engine ticks it. */
  now: Signal<number>;
  /** Epoch ms of the last complete sync (push + pull applied), or null. */
  lastSyncAt: Signal<number | null>;
  /** Browser connectivity as last observed (navigator.onLine + request outcomes). */
  online: Signal<boolean>;
  syncStatus: Signal<SyncStatus>;
  /** Last sync error, for a discreet banner (cleared by the next success). */
  lastError: Signal<DataError | null>;
  /** Rejected intents and conflicts to show the user until dismissed. */
  problems: Signal<readonly Problem[]>;
  /** Set when IndexedDB refused a write (quota). */
  storageError: Signal<StorageFullError | null>;
  /** Reload needed: the server requires a newer app (SCHEMA_TOO_OLD), or a newer version of the
   *  app opened in another tab must upgrade IndexedDB (this tab stepped aside). */
  updateRequired: Signal<boolean>;
  /** Receipt uploads not finished yet. */
  blobsPending: Signal<number>;
  /** The organisation's dated expense rule sets as last received (null: never fetched). */
  ruleSets: Signal<readonly RuleSet[] | null>;
  /** The country whose missions are not abroad, sent with the rule sets (null: not received). */
  homeCountry: Signal<string | null>;
  /** Rows of one entity in the optimistic view (stable signal per entity). */
  rows(entity: EntityName): ReadonlySignal<readonly Row[]>;
  /** One row of the optimistic view (undefined when absent or deleted). */
  row(entity: EntityName, id: string): ReadonlySignal<Row | undefined>;
}

/** Creates an empty store (the app uses one; tests make their own). */
export function createStore(): Store {
  const session = signal<SessionState>({ status: 'loading' });
  const view = signal<View>(new Map());
  const pending = signal<readonly PendingIntent[]>([]);
  const now = signal(Date.now());
  const oldestPendingAt = computed(() => {
    let oldest: number | null = null;
    for (const intent of pending.value) {
      if (oldest === null || intent.createdAt < oldest) oldest = intent.createdAt;
    }
    return oldest;
  });
  const byEntity = new Map<string, ReadonlySignal<readonly Row[]>>();
  const byRow = new Map<string, ReadonlySignal<Row | undefined>>();
  return {
    session,
    view,
    pending,
    pendingCount: computed(() => pending.value.length),
    oldestPendingAt,
    oldestPendingAgeMs: computed(() => {
      const at = oldestPendingAt.value;
      return at === null ? null : Math.max(0, now.value - at);
    }),
    now,
    lastSyncAt: signal<number | null>(null),
    online: signal(typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    syncStatus: signal<SyncStatus>('idle'),
    lastError: signal<DataError | null>(null),
    problems: signal<readonly Problem[]>([]),
    storageError: signal<StorageFullError | null>(null),
    updateRequired: signal(false),
    blobsPending: signal(0),
    ruleSets: signal<readonly RuleSet[] | null>(null),
    homeCountry: signal<string | null>(null),
    rows(entity) {
      let rows = byEntity.get(entity);
      if (rows === undefined) {
        rows = computed(() => [...(view.value.get(entity)?.values() ?? [])]);
        byEntity.set(entity, rows);
      }
      return rows;
    },
    row(entity, id) {
      const key = `${entity}\u0000${id}`;
      let one = byRow.get(key);
      if (one === undefined) {
        one = computed(() => view.value.get(entity)?.get(id));
        byRow.set(key, one);
      }
      return one;
    },
  };
}
