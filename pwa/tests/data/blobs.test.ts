import { afterEach, describe, expect, it } from 'vitest';

import { sha256Hex } from '../../src/data/blobs';
import type { DataLayer } from '../../src/data/engine';
import { harness, settle, type Harness } from './helpers';

let h: Harness;

afterEach(async () => {
  await h.close();
});

function photo(size: number, seed: number): Blob {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return new Blob([bytes], { type: 'image/jpeg' });
}

function commandsOf(layer: DataLayer) {
  return layer.commands;
}

function chunkOffsets(h: Harness): number[] {
  return h.server.requests('/sync/v1/blobs/uploads/').map((entry) => Number(entry.headers['upload-offset']));
}

describe('receipt uploads', () => {
  it('resume from the server offset after an interruption, without resending bytes it holds', async () => {
    h = harness();
    h.server.serverPut('u-alice', 'expense_line', 'line-1', { merchant: 'Hôtel' });
    // The response to the second chunk is lost: the server holds 512 KiB, the client knows 256.
    let chunks = 0;
    const flaky: typeof fetch = async (input, init) => {
      const response = await h.server.fetch(input, init);
      if (String(input).includes('/sync/v1/blobs/uploads/') && ++chunks === 2) throw new TypeError('lost');
      return response;
    };
    const layer = await h.open({ fetch: flaky });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    const file = photo(600_000, 7);
    const sha = await sha256Hex(await file.arrayBuffer());
    const intent = await commandsOf(layer).expenseLines.attachReceipt('line-1', file);
    expect(intent.name).toBe('expense_line.attach_receipt');
    expect(intent.args).toEqual({ id: 'line-1', sha256: sha });
    // Shown attached at once, before any byte left the device.
    expect(layer.store.row('expense_line', 'line-1').value!.data['receipts']).toEqual([sha]);
    await settle(layer);
    expect(layer.store.blobsPending.value).toBe(1);
    expect(await layer.localReceipt(sha)).toBeDefined();
    expect(h.server.blobs.get(sha)!.offset).toBe(524_288);

    await layer.syncNow();
    await settle(layer);
    expect(chunkOffsets(h)).toEqual([0, 262_144, 524_288]);
    const stored = h.server.blobs.get(sha)!;
    expect(stored.complete).toBe(true);
    expect(await sha256Hex(stored.bytes)).toBe(sha);
    expect(layer.store.blobsPending.value).toBe(0);
    expect(h.server.rows.get('expense_line/line-1')!.data['receipts']).toEqual([sha]);
    expect(layer.store.pendingCount.value).toBe(0);
  });

  it('pushes the attach at once but holds the claim submit until the receipt is uploaded', async () => {
    h = harness();
    h.server.serverPut('u-alice', 'expense_claim', 'claim-1', { state: 'draft' });
    h.server.serverPut('u-alice', 'expense_line', 'line-1', { merchant: 'Taxi', claim_id: 'claim-1' });
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    h.server.online = false;
    const cmd = commandsOf(layer);
    await cmd.expenseLines.attachReceipt('line-1', photo(1000, 3));
    await cmd.claims.submit('claim-1');
    await settle(layer);
    h.server.online = true;
    h.server.failNext('/sync/v1/blobs', { status: 500, code: 'SERVICE_UNAVAILABLE' });
    await layer.syncNow();
    await settle(layer);
    const pushedNames = () =>
      h.server.requests('/sync/v1/push').flatMap((entry) => (entry.body as { mutations: { name: string }[] }).mutations.map((m) => m.name));
    expect(pushedNames()).toEqual(['expense_line.attach_receipt']);
    expect(layer.store.row('expense_claim', 'claim-1').value!.data['state']).toBe('submitted'); // optimistic
    expect(layer.store.pendingCount.value).toBe(1);

    await layer.syncNow();
    await settle(layer);
    expect(pushedNames()).toEqual(['expense_line.attach_receipt', 'expense_claim.submit']);
    expect(h.server.rows.get('expense_claim/claim-1')!.data['state']).toBe('submitted');
    expect(layer.store.pendingCount.value).toBe(0);
    expect(layer.store.problems.value).toEqual([]);
  });
});
