/**
 * Seeded random-action fuzz, in the manner of PouchDB's tests: two installations of the same
 * user write, go offline, lose requests and responses, see duplicated requests and reload,
 * against the fake server. After the network heals and both sync, every queued intent was
 * applied at most once, none is pending, and both views equal the server's rows.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { DataLayer } from '../../src/data/engine';
import { DataLayer as Layer } from '../../src/data/engine';
import { FakeServer, ManualClock } from './fakeServer';
import { freshDbName, settle } from './helpers';

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const open: DataLayer[] = [];
afterEach(async () => {
  for (const layer of open.splice(0)) await layer.stop();
});

async function run(seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const server = new FakeServer();
  server.addUser('u-alice', 'alice@example.fr');
  const clock = new ManualClock();
  type Net = 'ok' | 'offline' | 'flaky';
  const devices = [freshDbName(), freshDbName()].map((dbName) => ({ dbName, net: 'ok' as Net, layer: null as DataLayer | null }));
  const transport = (device: (typeof devices)[number]): typeof fetch => async (input, init) => {
    if (device.net === 'offline') throw new TypeError('offline');
    if (device.net === 'flaky') {
      const roll = random();
      if (roll < 0.2) throw new TypeError('request lost');
      if (roll < 0.4) {
        await server.fetch(input, init);
        throw new TypeError('response lost');
      }
      if (roll < 0.55) await server.fetch(input, init); // duplicated request
    }
    return server.fetch(input, init);
  };
  const start = async (device: (typeof devices)[number]) => {
    const layer = new Layer({
      dbName: device.dbName,
      fetch: transport(device),
      clock,
      random,
      locks: null,
      channel: null,
      eventSource: null,
      environment: null,
      periodicSyncMs: 0,
      pullLimit: 3,
      pushBatch: 4,
    });
    await layer.start();
    open.push(layer);
    device.layer = layer;
    return layer;
  };
  for (const device of devices) {
    const layer = await start(device);
    await layer.login('alice@example.fr', 'secret', device.dbName);
    await settle(layer);
  }
  // A refresh whose response is lost leaves the device with a rotated-away refresh token: the
  // server revokes the device (REFRESH_REUSED) and the user signs in again; the queue survives.
  const signInAgainIfExpired = async (layer: DataLayer) => {
    if (layer.store.session.value.status === 'expired') {
      await layer.login('alice@example.fr', 'secret', 'again').catch(() => undefined);
      await settle(layer);
    }
  };
  let counter = 0;
  for (let step = 0; step < 40; step++) {
    const device = pick(devices);
    await signInAgainIfExpired(device.layer!);
    const layer = device.layer!;
    if (layer.store.session.value.status !== 'signed_in') continue;
    const lines = layer.store.rows('expense_line').value;
    const action = random();
    if (action < 0.3 || lines.length === 0) {
      counter += 1;
      await layer.enqueue('expense_line.create', 1, { id: `l-${seed}-${counter}`, merchant: `m${counter}` });
    } else if (action < 0.55) {
      const line = pick(lines);
      await layer.enqueue('expense_line.edit', 1, { id: line.id, base_version: line.row_version, merchant: `e${step}` });
    } else if (action < 0.65) {
      await layer.enqueue('expense_line.delete', 1, { id: pick(lines).id });
    } else if (action < 0.8) {
      device.net = pick(['ok', 'offline', 'flaky'] as const);
    } else if (action < 0.9) {
      await layer.syncNow();
    } else {
      await settle(layer);
      await layer.stop();
      open.splice(open.indexOf(layer), 1);
      await start(device); // reload
    }
    await settle(device.layer!);
    clock.advance(Math.floor(random() * 5_000));
  }
  // Heal: everyone online, sync until quiet.
  for (let round = 0; round < 3; round++) {
    for (const device of devices) {
      device.net = 'ok';
      clock.advance(400_000); // past any backoff
      await settle(device.layer!);
      await signInAgainIfExpired(device.layer!);
      await device.layer!.syncNow();
      await settle(device.layer!);
    }
  }
  const ids = server.applied.map((applied) => applied.id);
  expect(new Set(ids).size).toBe(ids.length);
  const keys = server.applied.map((applied) => `${applied.client_id}:${applied.seq}`);
  expect(new Set(keys).size).toBe(keys.length);
  const truth = server
    .liveRows('expense_line')
    .map((row) => `${row.id}=${String(row.data['merchant'])}@${row.row_version}`)
    .sort();
  for (const device of devices) {
    const layer = device.layer!;
    expect(layer.store.pendingCount.value).toBe(0);
    const seen = layer.store
      .rows('expense_line')
      .value.map((row) => `${row.id}=${String(row.data['merchant'])}@${row.row_version}`)
      .sort();
    expect(seen).toEqual(truth);
  }
}

describe('fuzz', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`converges with nothing applied twice (seed ${seed})`, async () => {
      await run(seed);
    });
  }
});
