/** Shared setup: a data layer over fake-indexeddb talking to the fake server. */
import { DataLayer, type DataLayerOptions } from '../../src/data/engine';
import { FakeServer, ManualClock } from './fakeServer';

let counter = 0;

/** A fresh database name per test (fake-indexeddb is shared by the whole file). */
export function freshDbName(): string {
  counter += 1;
  return `nomade-test-${counter}-${Math.random().toString(36).slice(2)}`;
}

export interface Harness {
  server: FakeServer;
  clock: ManualClock;
  dbName: string;
  layers: DataLayer[];
  open(extra?: Partial<DataLayerOptions>): Promise<DataLayer>;
  close(): Promise<void>;
}

export function harness(): Harness {
  const server = new FakeServer();
  server.addUser('u-alice', 'alice@example.fr');
  server.addUser('u-bob', 'bob@example.fr');
  const clock = new ManualClock();
  const h: Harness = {
    server,
    clock,
    dbName: freshDbName(),
    layers: [],
    async open(extra = {}) {
      const layer = new DataLayer({
        dbName: h.dbName,
        fetch: server.fetch,
        clock,
        random: () => 0.5,
        locks: null,
        channel: null,
        eventSource: null,
        environment: null,
        periodicSyncMs: 0,
        pullLimit: 100,
        ...extra,
      });
      await layer.start();
      h.layers.push(layer);
      return layer;
    },
    async close() {
      for (const layer of h.layers.splice(0)) await layer.stop();
    },
  };
  return h;
}

/** Waits until the layer has no running cycle and view refreshes settled. */
export async function settle(layer: DataLayer): Promise<void> {
  await layer.sync.idle();
  await layer.refreshView();
}

/** Polls `check` until it holds (cross-tab messages and lock hand-overs are asynchronous). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
