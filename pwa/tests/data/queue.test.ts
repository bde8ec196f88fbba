import { afterEach, describe, expect, it } from 'vitest';

import type { DataLayer } from '../../src/data/engine';
import { harness, settle, type Harness } from './helpers';

let h: Harness;

afterEach(async () => {
  await h.close();
});

/** What every new line carries (the contract's required fields). */
const LINE = { date: '2026-11-20', amount_cents: 0 };

function commandsOf(layer: DataLayer) {
  return layer.commands;
}

describe('queue', () => {
  it('keeps intents across a reload and pushes them with contiguous seqs once online', async () => {
    h = harness();
    const first = await h.open();
    await first.login('alice@example.fr', 'secret', 'phone');
    await settle(first);
    h.server.online = false;
    const cmd = commandsOf(first);
    const a = await cmd.expenseLines.create({ ...LINE, merchant: 'SNCF', amount_cents: 4550, currency: 'EUR' });
    await cmd.expenseLines.create({ ...LINE, merchant: 'Taxi G7', amount_cents: 2300, currency: 'EUR' });
    await cmd.expenseLines.edit(a, { merchant: 'SNCF Connect' });
    await settle(first);
    expect(first.store.pendingCount.value).toBe(3);
    await h.close();

    // "Reload": a new engine over the same IndexedDB.
    const second = await h.open();
    await settle(second);
    expect(second.store.session.value.status).toBe('signed_in');
    const pending = second.store.pending.value;
    expect(pending.map((intent) => intent.seq)).toEqual([1, 2, 3]);
    expect(new Set(pending.map((intent) => intent.id)).size).toBe(3);
    expect(pending.every((intent) => /^[0-9a-f-]{36}$/.test(intent.id))).toBe(true);
    expect(second.store.rows('expense_line').value.map((row) => row.data['merchant']).sort()).toEqual([
      'SNCF Connect',
      'Taxi G7',
    ]);

    h.server.online = true;
    await second.syncNow();
    await settle(second);
    expect(second.store.pendingCount.value).toBe(0);
    const merchants = h.server.liveRows('expense_line').map((row) => row.data['merchant']).sort();
    expect(merchants).toEqual(['SNCF Connect', 'Taxi G7']);
    const pushed = h.server.requests('/sync/v1/push').flatMap((entry) => (entry.body as { mutations: { seq: number }[] }).mutations);
    expect(pushed.map((m) => m.seq)).toEqual([1, 2, 3]);
    const rows = second.store.rows('expense_line').value;
    expect(rows.every((row) => !row.pending && row.row_version >= 1)).toBe(true);
  });

  it('re-sends the same seq and mutation id after a lost response, applied once', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.failNext('/sync/v1/push', 'drop-response');
    await commandsOf(layer).expenseLines.create({ ...LINE, merchant: 'Hôtel', amount_cents: 9000, currency: 'EUR' });
    await settle(layer);
    expect(layer.store.pendingCount.value).toBe(1);
    expect(h.server.applied).toHaveLength(1);

    await layer.syncNow();
    await settle(layer);
    const pushes = h.server.requests('/sync/v1/push').map((entry) => (entry.body as { mutations: { seq: number; id: string }[] }).mutations);
    expect(pushes).toHaveLength(2);
    expect(pushes[1]).toEqual(pushes[0]);
    expect(h.server.applied).toHaveLength(1);
    expect(h.server.liveRows('expense_line')).toHaveLength(1);
    expect(layer.store.pendingCount.value).toBe(0);
    expect(layer.store.problems.value).toEqual([]);
  });

  it('recovers from a 409 seq gap by re-sending from the expected seq', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    const cmd = commandsOf(layer);
    // Push goes through but the pull is lost, so the intents stay held.
    h.server.failNext('/sync/v1/pull', 'offline', 3);
    await cmd.expenseLines.create({ ...LINE, merchant: 'A' });
    await settle(layer);
    await cmd.expenseLines.create({ ...LINE, merchant: 'B' });
    await settle(layer);
    await cmd.expenseLines.create({ ...LINE, merchant: 'C' });
    await settle(layer);
    expect(layer.store.pendingCount.value).toBe(3);
    // The server lost the effects of seq 2 and 3 (restored): it now expects seq 2.
    const [clientId, client] = [...h.server.clients.entries()][0]!;
    client.last_seq = 1;
    for (const line of h.server.liveRows('expense_line')) {
      if (line.data['merchant'] !== 'A') h.server.serverForget('expense_line', line.id);
    }
    await cmd.expenseLines.create({ ...LINE, merchant: 'D' });
    await settle(layer);

    const gap = h.server.log.find((entry) => entry.path === '/sync/v1/push' && (entry.body as { mutations: { seq: number }[] }).mutations[0]?.seq === 4);
    expect(gap).toBeDefined();
    const resent = h.server.requests('/sync/v1/push').at(-1)!.body as { client_id: string; mutations: { seq: number }[] };
    expect(resent.client_id).toBe(clientId);
    expect(resent.mutations.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(h.server.liveRows('expense_line').map((row) => row.data['merchant']).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(layer.store.pendingCount.value).toBe(0);
  });

  it('starts a new client and renumbers its queue when the server lost seqs it no longer holds', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    const cmd = commandsOf(layer);
    await cmd.expenseLines.create({ ...LINE, merchant: 'A' });
    await cmd.expenseLines.create({ ...LINE, merchant: 'B' });
    await settle(layer);
    expect(layer.store.pendingCount.value).toBe(0); // seqs 1 and 2 acknowledged and dropped
    // Server restored from a backup taken before seq 1: it expects seq 1 from this client.
    const [oldClientId, client] = [...h.server.clients.entries()][0]!;
    client.last_seq = 0;
    client.acks.clear();
    h.server.online = false;
    const c = await cmd.expenseLines.create({ ...LINE, merchant: 'C' });
    await cmd.expenseLines.edit(c, { merchant: 'C bis' });
    await settle(layer);
    h.server.online = true;
    await layer.syncNow();
    await settle(layer);

    const pushes = h.server.requests('/sync/v1/push').map((entry) => entry.body as { client_id: string; mutations: { seq: number; id: string }[] });
    const last = pushes.at(-1)!;
    expect(last.client_id).not.toBe(oldClientId);
    expect(last.mutations.map((m) => m.seq)).toEqual([1, 2]);
    const gapped = pushes.find((p) => p.client_id === oldClientId && p.mutations[0]?.seq === 3)!;
    expect(last.mutations.map((m) => m.id)).toEqual(gapped.mutations.map((m) => m.id)); // same ids
    expect(h.server.liveRows('expense_line').map((row) => row.data['merchant']).sort()).toEqual(['A', 'B', 'C bis']);
    expect(layer.store.pendingCount.value).toBe(0);
    expect(layer.store.problems.value).toEqual([]);
  });

  it('shows the optimistic view at once and the server truth after sync', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.online = false;
    const cmd = commandsOf(layer);
    const id = await cmd.expenseLines.create({ ...LINE, merchant: 'Brasserie', amount_cents: 1850, currency: 'EUR' });
    await cmd.expenseLines.edit(id, { amount_cents: 2000 });
    const gone = await cmd.expenseLines.create({ ...LINE, merchant: 'Oops' });
    await cmd.expenseLines.delete(gone);
    await layer.enqueue('future.intent', 3, { id: 'x' });
    await settle(layer);
    const row = layer.store.row('expense_line', id).value!;
    expect(row.pending).toBe(true);
    expect(row.row_version).toBe(0);
    expect(row.data).toMatchObject({ merchant: 'Brasserie', amount_cents: 2000 });
    expect(layer.store.row('expense_line', gone).value).toBeUndefined();
    expect(layer.store.pending.value.find((intent) => intent.name === 'future.intent')?.unknown).toBe(true);
    expect(layer.store.pendingCount.value).toBe(5);
    expect(layer.store.oldestPendingAgeMs.value).toBe(0);
    h.clock.advance(60_000);
    expect(layer.store.oldestPendingAgeMs.value).toBeGreaterThanOrEqual(55_000);

    h.server.online = true;
    await layer.syncNow();
    await settle(layer);
    const synced = layer.store.row('expense_line', id).value!;
    expect(synced.pending).toBe(false);
    expect(synced.row_version).toBe(2);
    expect(synced.data['amount_cents']).toBe(2000);
    // The unknown intent was refused by the server: listed with code, FR/EN text and the intent.
    expect(layer.store.pendingCount.value).toBe(0);
    const [refused] = layer.store.problems.value;
    expect(refused).toMatchObject({ kind: 'rejected', code: 'MUTATION_UNKNOWN', intent: { name: 'future.intent', v: 3 } });
    expect(refused!.message.fr).toBeTruthy();
    expect(refused!.message.en).toBeTruthy();
    await layer.dismissProblem(refused!.key);
    expect(layer.store.problems.value).toEqual([]);
  });
});
