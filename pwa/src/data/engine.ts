/**
 * The data layer object: composes IndexedDB (db.ts), the per-user queue (queue.ts), optimistic
 * replay (mutators.ts), the sync loop (sync.ts), receipt uploads (blobs.ts), the session
 * (auth.ts) and the UI signals (store.ts). index.ts exposes one instance to the app.
 */
import { createStore, type Store } from './store';
import type { Device, JsonObject, PendingIntent, User } from './types';

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
}

/** One data layer instance (one per page; tests make several over the same IndexedDB). */
export class DataLayer {
  readonly store: Store;
  readonly options: DataLayerOptions;

  constructor(options: DataLayerOptions = {}) {
    this.options = options;
    this.store = options.store ?? createStore();
  }

  /** Opens IndexedDB, restores the session, starts leader election and sync triggers. */
  async start(): Promise<void> {
    throw new Error('not implemented');
  }

  /** Stops timers, SSE, leadership; closes IndexedDB. */
  async stop(): Promise<void> {
    throw new Error('not implemented');
  }

  async login(_email: string, _password: string, _deviceName: string): Promise<User> {
    throw new Error('not implemented');
  }

  async unlock(_pin: string): Promise<User> {
    throw new Error('not implemented');
  }

  lock(): void {
    throw new Error('not implemented');
  }

  async setPin(_pin: string): Promise<void> {
    throw new Error('not implemented');
  }

  async logout(): Promise<void> {
    throw new Error('not implemented');
  }

  async listDevices(): Promise<Device[]> {
    throw new Error('not implemented');
  }

  async revokeDevice(_id: string): Promise<void> {
    throw new Error('not implemented');
  }

  /** Queues an intent for the signed-in user and shows it optimistically at once. */
  async enqueue(_name: string, _v: number, _args: JsonObject): Promise<PendingIntent> {
    throw new Error('not implemented');
  }

  /** Stores a receipt photo for upload and queues `expense_line.attach_receipt` at once. */
  async attachReceipt(_lineId: string, _file: Blob): Promise<PendingIntent> {
    throw new Error('not implemented');
  }

  async dismissProblem(_key: string): Promise<void> {
    throw new Error('not implemented');
  }

  async syncNow(): Promise<void> {
    throw new Error('not implemented');
  }

  async requestPersistentStorage(): Promise<boolean> {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (storage?.persist === undefined) return false;
    return (await storage.persisted()) || storage.persist();
  }
}
