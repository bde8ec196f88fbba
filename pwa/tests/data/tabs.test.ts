import { afterEach, describe, expect, it } from 'vitest';

import type { ChannelLike, Environment, EventSourceLike, LockManagerLike } from '../../src/data/engine';
import { enqueueOffPage } from '../../src/data/worker';
import { eventually, harness, settle, type Harness } from './helpers';

let h: Harness;

afterEach(async () => {
  await h.close();
});

/** Exclusive Web Locks, in memory: a later request waits for the earlier holder. */
class FakeLocks implements LockManagerLike {
  private tails = new Map<string, Promise<void>>();

  async request(name: string, _options: { mode: 'exclusive' }, callback: () => Promise<void>): Promise<unknown> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.tails.set(name, previous.then(() => mine));
    await previous;
    try {
      return await callback();
    } finally {
      release();
    }
  }
}

/** BroadcastChannel between "tabs" of one test: delivers to every other channel of the name. */
class FakeBus {
  private channels = new Set<{ name: string; listeners: ((event: { data: unknown }) => void)[] }>();

  open = (name: string): ChannelLike => {
    const self = { name, listeners: [] as ((event: { data: unknown }) => void)[] };
    this.channels.add(self);
    return {
      postMessage: (message) => {
        for (const other of this.channels) {
          if (other !== self && other.name === name) {
            setTimeout(() => other.listeners.forEach((listener) => listener({ data: structuredClone(message) })), 0);
          }
        }
      },
      addEventListener: (_type, listener) => self.listeners.push(listener),
      close: () => this.channels.delete(self),
    };
  };
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tabs', () => {
  it('elects one sync leader; other tabs enqueue and the leader pushes; leadership moves on close', async () => {
    h = harness();
    const locks = new FakeLocks();
    const bus = new FakeBus();
    const syncCalls = { first: 0, second: 0 };
    const counted = (tab: 'first' | 'second'): typeof fetch => (input, init) => {
      if (String(input).includes('/sync/v1/')) syncCalls[tab] += 1;
      return h.server.fetch(input, init);
    };
    const first = await h.open({ locks, channel: bus.open, fetch: counted('first') });
    const second = await h.open({ locks, channel: bus.open, fetch: counted('second') });
    await tick();
    expect(first.isLeader).toBe(true);
    expect(second.isLeader).toBe(false);

    await first.login('alice@example.fr', 'secret', 'tab 1');
    await settle(first);
    await eventually(() => second.store.session.value.status === 'signed_in');

    await second.enqueue('expense_line.create', 1, { id: 'from-tab-2', merchant: 'Café' });
    expect(second.store.row('expense_line', 'from-tab-2').value?.pending).toBe(true);
    await eventually(() => h.server.liveRows('expense_line').length === 1);
    await settle(first);
    await eventually(() => second.store.row('expense_line', 'from-tab-2').value?.pending === false);
    expect(h.server.liveRows('expense_line').map((row) => row.id)).toEqual(['from-tab-2']);
    expect(second.store.pendingCount.value).toBe(0);
    // Only the leader talked to the sync endpoints.
    expect(syncCalls.first).toBeGreaterThan(0);
    expect(syncCalls.second).toBe(0);

    await first.stop();
    await eventually(() => second.isLeader);
    await second.enqueue('expense_line.create', 1, { id: 'after-handover', merchant: 'Bus' });
    await settle(second);
    expect(h.server.liveRows('expense_line').map((row) => row.id).sort()).toEqual(['after-handover', 'from-tab-2']);
    expect(syncCalls.second).toBeGreaterThan(0);
  });

  it('queues from the service worker into the same queue and wakes the leader', async () => {
    h = harness();
    expect(await enqueueOffPage('mission.decide', 1, { id: 'm1', decision: 'approve', expected_state: 'submitted', content_hash: 'h', reason: '' }, { dbName: h.dbName })).toBe(false);
    const layer = await h.open({ channel: (name) => new BroadcastChannel(name) as unknown as ChannelLike });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    await layer.enqueue('expense_line.create', 1, { id: 'page', merchant: 'Page' });
    await settle(layer);
    expect(await enqueueOffPage('expense_line.create', 1, { id: 'worker', merchant: 'Worker' }, { dbName: h.dbName })).toBe(true);
    await eventually(() => h.server.liveRows('expense_line').length === 2);
    await settle(layer);
    expect(h.server.liveRows('expense_line').map((row) => row.id).sort()).toEqual(['page', 'worker']);
    const seqs = h.server.applied.map((applied) => applied.seq);
    expect(seqs).toEqual([1, 2]);
  });

  it('falls back to leading alone when Web Locks are absent', async () => {
    h = harness();
    const layer = await h.open({ locks: null });
    expect(layer.isLeader).toBe(true);
  });
});

describe('triggers', () => {
  it('pulls on an SSE poke, on `online` and when the app becomes visible', async () => {
    h = harness();
    const sources: { url: string; listeners: Map<string, ((event: { data?: unknown }) => void)[]>; closed: boolean }[] = [];
    const eventSource = (url: string): EventSourceLike => {
      const source = { url, listeners: new Map<string, ((event: { data?: unknown }) => void)[]>(), closed: false };
      sources.push(source);
      return {
        addEventListener: (type, listener) => source.listeners.set(type, [...(source.listeners.get(type) ?? []), listener]),
        close: () => {
          source.closed = true;
        },
      };
    };
    const handlers = new Map<string, () => void>();
    let visible = false;
    const environment: Environment = {
      addEventListener: (type, listener) => handlers.set(type, listener),
      removeEventListener: (type) => handlers.delete(type),
      isOnline: () => true,
      isVisible: () => visible,
    };
    const layer = await h.open({ eventSource, environment });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    await eventually(() => sources.some((source) => !source.closed));
    const live = sources.find((source) => !source.closed)!;
    expect(live.url).toMatch(/^\/sync\/v1\/events\?access_token=at-u-alice-/);

    const pulls = () => h.server.requests('/sync/v1/pull').length;
    h.server.serverPut('u-alice', 'mission', 'm-poke', { purpose: 'Poked' });
    const before = pulls();
    live.listeners.get('poke')!.forEach((listener) => listener({ data: '{"version": 1}' }));
    await settle(layer);
    expect(pulls()).toBe(before + 1);
    expect(layer.store.row('mission', 'm-poke').value).toBeDefined();

    handlers.get('offline')!();
    expect(layer.store.online.value).toBe(false);
    handlers.get('online')!();
    await settle(layer);
    expect(layer.store.online.value).toBe(true);
    expect(pulls()).toBe(before + 2);

    handlers.get('visibilitychange')!(); // hidden: nothing
    await settle(layer);
    expect(pulls()).toBe(before + 2);
    visible = true;
    handlers.get('visibilitychange')!();
    await settle(layer);
    expect(pulls()).toBe(before + 3);
  });

  it('pulls periodically on the timer', async () => {
    h = harness();
    const layer = await h.open({ periodicSyncMs: 60_000 });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    const before = h.server.requests('/sync/v1/pull').length;
    h.clock.advance(61_000);
    await settle(layer);
    expect(h.server.requests('/sync/v1/pull').length).toBe(before + 1);
  });
});
