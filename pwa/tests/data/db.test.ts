import { afterEach, describe, expect, it, vi } from 'vitest';

import { DB_VERSION, guarded, openDatabase } from '../../src/data/db';
import { StorageFullError } from '../../src/data/errors';
import { harness, settle, type Harness } from './helpers';

let h: Harness | null = null;

afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = null;
});

describe('IndexedDB schema', () => {
  it('upgrades a v1 database step by step, keeping its queue', async () => {
    h = harness();
    const v1 = await openDatabase(h.dbName, { version: 1 });
    expect(v1.objectStoreNames.contains('blobs')).toBe(false);
    // What a v1 app left behind: a session, a client record and an intent without created_at.
    await v1.put('meta', {
      key: 'session',
      user: (h.server.users.get('alice@example.fr')!).user,
      device_id: 'dev-old',
      refresh_token: 'rt-old',
      pin_set: false,
    });
    await v1.put('meta', {
      key: 'client:u-alice',
      user_id: 'u-alice',
      client_id: 'client-v1',
      next_seq: 2,
      server_seq: 0,
      cookie: null,
      last_sync_at: null,
    });
    await v1.put('meta', { key: 'rows_owner', user_id: 'u-alice' });
    const legacy = {
      user_id: 'u-alice',
      seq: 1,
      client_id: 'client-v1',
      id: '9b2f6c1e-0000-4000-8000-000000000001',
      name: 'expense_line.create',
      v: 1,
      args: { id: 'old-line', merchant: 'Saved by v1' },
      client_time: '2026-11-20T10:00:00.000Z',
    };
    await v1.put('intents', legacy as never);
    v1.close();

    const layer = await h.open({ fetch: async () => Promise.reject(new TypeError('offline')) });
    await settle(layer);
    const [intent] = layer.store.pending.value;
    expect(intent).toMatchObject({ seq: 1, id: legacy.id, name: 'expense_line.create' });
    expect(intent!.createdAt).toBe(Date.parse(legacy.client_time));
    expect(layer.store.row('expense_line', 'old-line').value!.data['merchant']).toBe('Saved by v1');
    await h.close();

    const current = await openDatabase(h.dbName);
    expect(current.version).toBe(DB_VERSION);
    expect(current.objectStoreNames.contains('blobs')).toBe(true);
    expect(await current.getFromIndex('intents', 'by-mutation', legacy.id)).toBeDefined();
    current.close();
  });

  it('steps aside when a newer app version upgrades the database in another tab', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    expect(layer.isLeader).toBe(true);
    const newer = await openDatabase(h.dbName, { version: DB_VERSION + 1 });
    expect(newer.version).toBe(DB_VERSION + 1);
    expect(layer.store.updateRequired.value).toBe(true);
    expect(layer.isLeader).toBe(false);
    newer.close();
  });

  it('turns a quota failure into StorageFullError with a FR/EN message', async () => {
    const quota = new DOMException('quota', 'QuotaExceededError');
    const error = await guarded(() => Promise.reject(quota)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as StorageFullError).code).toBe('STORAGE_FULL');
    expect((error as StorageFullError).text.fr).toMatch(/stockage/);
    const other = new Error('boom');
    await expect(guarded(() => Promise.reject(other))).rejects.toBe(other);
  });

  it('shows a full device to the UI and keeps what was saved', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.online = false;
    await layer.enqueue('expense_line.create', 1, { id: 'first', merchant: 'Saved' });
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    await expect(layer.enqueue('expense_line.create', 1, { id: 'second' })).rejects.toBeInstanceOf(StorageFullError);
    expect(layer.store.storageError.value?.code).toBe('STORAGE_FULL');
    vi.restoreAllMocks();
    await settle(layer);
    expect(layer.store.pending.value.map((intent) => intent.args['id'])).toEqual(['first']);
    // The seq counter did not move: the next write takes seq 2, no gap.
    const next = await layer.enqueue('expense_line.create', 1, { id: 'third' });
    expect(next.seq).toBe(2);
  });
});
