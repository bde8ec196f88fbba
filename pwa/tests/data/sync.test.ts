import { afterEach, describe, expect, it } from 'vitest';

import type { Environment } from '../../src/data/engine';
import { backoffDelay } from '../../src/data/sync';
import { harness, settle, type Harness } from './helpers';

let h: Harness;

afterEach(async () => {
  await h?.close();
});

function pushedBy(h: Harness) {
  return h.server.requests('/sync/v1/push').map((entry) => ({
    token: entry.token,
    body: entry.body as { client_id: string; mutations: { seq: number; id: string; name: string; args: { merchant?: string } }[] },
  }));
}

describe('pull', () => {
  it('buffers pages and applies them only when has_more is false', async () => {
    h = harness();
    for (let i = 1; i <= 5; i++) h.server.serverPut('u-alice', 'mission', `m${i}`, { purpose: `Mission ${i}` });
    const layer = await h.open({ pullLimit: 2 });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    expect(layer.store.rows('mission').value).toHaveLength(5);
    const firstPulls = h.server.requests('/sync/v1/pull').map((entry) => (entry.body as { cookie: unknown }).cookie);
    expect(firstPulls).toEqual([null, 2, 4]);

    // Five new rows; the third page is lost: nothing of the first two pages may show.
    for (let i = 6; i <= 10; i++) h.server.serverPut('u-alice', 'mission', `m${i}`, { purpose: `Mission ${i}` });
    // Let pages one and two through, lose the third.
    let pulls = 0;
    const original = h.server.fetch;
    const flaky: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/sync/v1/pull') && ++pulls === 3) throw new TypeError('lost');
      return original(input, init);
    };
    await layer.stop();
    h.layers = [];
    const again = await h.open({ pullLimit: 2, fetch: flaky });
    await settle(again);
    expect(pulls).toBe(3);
    expect(again.store.rows('mission').value).toHaveLength(5);
    expect(again.store.lastError.value?.code).toBe('NETWORK');

    await again.syncNow();
    await settle(again);
    expect(again.store.rows('mission').value).toHaveLength(10);
  });

  it('on reset replaces base rows and keeps pending intents, replayed on top', async () => {
    h = harness();
    h.server.serverPut('u-alice', 'expense_line', 'keep', { merchant: 'Kept' });
    h.server.serverPut('u-alice', 'expense_line', 'lost', { merchant: 'Lost in restore' });
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    expect(layer.store.rows('expense_line').value).toHaveLength(2);

    // Offline edit (pending), then the server is restored from a backup: epoch reset.
    h.server.online = false;
    await layer.enqueue('expense_line.edit', 1, { id: 'keep', base_version: 1, description: 'taxi' });
    await settle(layer);
    h.server.serverForget('expense_line', 'lost');
    h.server.serverPut('u-alice', 'expense_line', 'new', { merchant: 'Arrived' });
    h.server.pendingReset = { scope: ['expense_line'], reason: 'epoch_changed' };
    h.server.online = true;

    await layer.sync.pull('u-alice'); // pull only: the edit is still unpushed
    await settle(layer);
    const view = new Map(layer.store.rows('expense_line').value.map((row) => [row.id, row]));
    expect([...view.keys()].sort()).toEqual(['keep', 'new']);
    expect(view.get('keep')!.data).toMatchObject({ merchant: 'Kept', description: 'taxi' });
    expect(view.get('keep')!.pending).toBe(true);
    expect(layer.store.pendingCount.value).toBe(1);

    await layer.syncNow();
    await settle(layer);
    expect(layer.store.pendingCount.value).toBe(0);
    expect(h.server.rows.get('expense_line/keep')!.data['description']).toBe('taxi');
  });
});

describe('server answers', () => {
  it('halves the batch on 413, takes a new client id on CLIENT_TAKEN, re-pulls on COOKIE_INVALID', async () => {
    h = harness();
    const layer = await h.open({ pushBatch: 4 });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.online = false;
    for (let i = 1; i <= 4; i++) await layer.enqueue('expense_line.create', 1, { id: `l${i}`, merchant: `m${i}` });
    await settle(layer);
    h.server.online = true;
    h.server.failNext('/sync/v1/push', { status: 413, code: 'PUSH_TOO_LARGE' });
    await layer.syncNow();
    await settle(layer);
    const sizes = h.server.requests('/sync/v1/push').map((entry) => (entry.body as { mutations: unknown[] }).mutations.length);
    expect(sizes).toEqual([4, 2, 2]);
    expect(h.server.liveRows('expense_line')).toHaveLength(4);

    const oldClient = (h.server.requests('/sync/v1/push').at(-1)!.body as { client_id: string }).client_id;
    await layer.enqueue('expense_line.create', 1, { id: 'l5', merchant: 'm5' });
    h.server.failNext('/sync/v1/push', { status: 403, code: 'CLIENT_TAKEN' });
    await layer.syncNow();
    await settle(layer);
    const last = h.server.requests('/sync/v1/push').at(-1)!.body as { client_id: string; mutations: { seq: number }[] };
    expect(last.client_id).not.toBe(oldClient);
    expect(last.mutations.map((m) => m.seq)).toEqual([1]);
    expect(h.server.liveRows('expense_line')).toHaveLength(5);
    expect(layer.store.pendingCount.value).toBe(0);

    h.server.serverForget('expense_line', 'l1'); // gone without a tombstone
    h.server.failNext('/sync/v1/pull', { status: 400, code: 'COOKIE_INVALID' });
    await layer.syncNow();
    await settle(layer);
    const cookies = h.server.requests('/sync/v1/pull').slice(-2).map((entry) => (entry.body as { cookie: unknown }).cookie);
    expect(cookies[1]).toBeNull();
    expect(layer.store.rows('expense_line').value.map((row) => row.id).sort()).toEqual(['l2', 'l3', 'l4', 'l5']);
  });
});

describe('users', () => {
  it('never pushes one user queue with another user token', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.online = false;
    await layer.enqueue('expense_line.create', 1, { id: 'a1', merchant: 'Alice 1' });
    await layer.enqueue('expense_line.create', 1, { id: 'a2', merchant: 'Alice 2' });
    await settle(layer);
    h.server.online = true;
    h.server.failNext('/api/v1/auth/logout', 'offline');
    h.server.log = [];
    await layer.logout();
    await settle(layer);
    expect(layer.store.session.value.status).toBe('signed_out');
    expect(layer.store.rows('expense_line').value).toEqual([]);

    await layer.login('bob@example.fr', 'secret', 'phone');
    await layer.enqueue('expense_line.create', 1, { id: 'b1', merchant: 'Bob 1' });
    await layer.syncNow();
    await settle(layer);
    const bobPushes = pushedBy(h);
    expect(bobPushes.length).toBeGreaterThan(0);
    for (const push of bobPushes) {
      expect(push.token).toMatch(/^at-u-bob-/);
      expect(push.body.mutations.every((m) => m.args.merchant?.startsWith('Bob'))).toBe(true);
    }
    expect(layer.store.rows('expense_line').value.map((row) => row.id)).toEqual(['b1']);
    expect(h.server.rows.has('expense_line/a1')).toBe(false);

    // Alice again (e.g. after a reload): her queue is still here and goes with her token.
    await layer.logout();
    await h.close();
    const reloaded = await h.open();
    await reloaded.login('alice@example.fr', 'secret', 'phone');
    await settle(reloaded);
    await reloaded.syncNow();
    await settle(reloaded);
    const alicePushes = pushedBy(h).filter((push) => push.body.mutations.some((m) => m.args.merchant?.startsWith('Alice')));
    expect(alicePushes.length).toBeGreaterThan(0);
    for (const push of alicePushes) expect(push.token).toMatch(/^at-u-alice-/);
    expect(alicePushes[0]!.body.mutations.map((m) => m.seq)).toEqual([1, 2]);
    expect(h.server.liveRows('expense_line').map((row) => row.id).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(reloaded.store.rows('expense_line').value.map((row) => row.id).sort()).toEqual(['a1', 'a2']);
  });

  it('refreshes the access token on 401 TOKEN_EXPIRED and retries the push', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.expireTokens();
    await layer.enqueue('expense_line.create', 1, { id: 'x', merchant: 'After expiry' });
    await settle(layer);
    expect(h.server.requests('/api/v1/auth/refresh')).toHaveLength(1);
    expect(h.server.liveRows('expense_line')).toHaveLength(1);
    expect(layer.store.pendingCount.value).toBe(0);
    // The rotated refresh token was saved: a reload can refresh again.
    await h.close();
    h.server.expireTokens();
    const reloaded = await h.open();
    await settle(reloaded);
    expect(reloaded.store.session.value.status).toBe('signed_in');
    expect(h.server.requests('/api/v1/auth/refresh')).toHaveLength(2);
    expect(reloaded.store.lastError.value).toBeNull();
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    const low = [0, 1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, () => 0));
    const high = [0, 1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, () => 1));
    expect(low).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(high).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(backoffDelay(40, 1000, 60_000, () => 1)).toBe(60_000);
  });

  it('honours 503 Retry-After: no request before it, then retries by itself', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.failNext('/sync/v1/push', { status: 503, code: 'BLOB_PENDING', retryAfter: 30 });
    await layer.enqueue('expense_line.create', 1, { id: 'r', merchant: 'Retry' });
    await settle(layer);
    expect(layer.store.syncStatus.value).toBe('backoff');
    const failedAt = h.clock.now();
    expect(layer.sync.nextAttemptAt! - failedAt).toBeGreaterThanOrEqual(30_000);
    const pushes = h.server.requests('/sync/v1/push').length;

    // Triggers inside the window (poke, online, new write) send nothing.
    layer.sync.trigger();
    await layer.enqueue('expense_line.create', 1, { id: 's', merchant: 'Second' });
    await settle(layer);
    h.clock.advance(29_000);
    await settle(layer);
    expect(h.server.requests('/sync/v1/push')).toHaveLength(pushes);

    h.clock.advance(2_000);
    await settle(layer);
    expect(h.server.requests('/sync/v1/push').length).toBeGreaterThan(pushes);
    expect(h.server.liveRows('expense_line').map((row) => row.id).sort()).toEqual(['r', 's']);
    expect(layer.store.syncStatus.value).toBe('idle');
  });
});

describe('connectivity', () => {
  it('stays offline when a cycle answered just before the phone went offline ends after it', async () => {
    h = harness();
    const handlers = new Map<string, () => void>();
    let onLine = true;
    const environment: Environment = {
      addEventListener: (type, listener) => handlers.set(type, listener),
      removeEventListener: (type) => handlers.delete(type),
      isOnline: () => onLine,
      isVisible: () => true,
    };
    const layer = await h.open({ environment });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    expect(layer.store.online.value).toBe(true);

    const cycle = layer.sync.syncNow(); // its requests are answered...
    onLine = false; // ...while the browser goes offline
    handlers.get('offline')!();
    await cycle;
    await settle(layer);
    expect(layer.store.online.value).toBe(false);

    onLine = true;
    handlers.get('online')!();
    await settle(layer);
    expect(layer.store.online.value).toBe(true);
  });
});
