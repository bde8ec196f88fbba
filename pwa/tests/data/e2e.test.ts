/**
 * The data layer against a REAL Nomade server (skipped unless NOMADE_E2E_URL, NOMADE_E2E_EMAIL
 * and NOMADE_E2E_PASSWORD are set), e.g.:
 *
 *   NOMADE_E2E_URL=http://127.0.0.1:8765 NOMADE_E2E_EMAIL=agent@… NOMADE_E2E_PASSWORD=… \
 *     npx vitest run tests/data/e2e.test.ts
 *
 * It checks the wire format end to end: login, push/pull, a lost push response, a rejection
 * with the server's FR/EN message, a resumable receipt upload and its download, and a reload
 * that resumes the session through the rotating refresh token.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { sha256Hex } from '../../src/data/blobs';
import { DataLayer } from '../../src/data/engine';
import { newId } from '../../src/data/ids';
import { freshDbName } from './helpers';

const env = ((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {});
const url = env['NOMADE_E2E_URL'];
const email = env['NOMADE_E2E_EMAIL'] ?? '';
const password = env['NOMADE_E2E_PASSWORD'] ?? '';

const layers: DataLayer[] = [];
afterAll(async () => {
  for (const layer of layers) await layer.stop();
});

async function open(dbName: string, fetcher: typeof fetch = globalThis.fetch): Promise<DataLayer> {
  const layer = new DataLayer({
    dbName,
    apiBase: url,
    fetch: fetcher,
    locks: null,
    channel: null,
    eventSource: null,
    environment: null,
    periodicSyncMs: 0,
    chunkSize: 64 * 1024,
    appVersion: 'e2e',
  });
  await layer.start();
  layers.push(layer);
  return layer;
}

describe.skipIf(!url)('against a real server', () => {
  it('syncs drafts, survives a lost response, reports rejections, uploads receipts, reloads', async () => {
    const dbName = freshDbName();
    let dropNextPushResponse = false;
    const fetcher: typeof fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (dropNextPushResponse && String(input).endsWith('/sync/v1/push')) {
        dropNextPushResponse = false;
        throw new TypeError('response lost');
      }
      return response;
    };
    const layer = await open(dbName, fetcher);
    await layer.login(email, password, 'vitest e2e');
    await layer.syncNow();
    const cmd = layer.commands;

    const lineId = newId();
    dropNextPushResponse = true;
    await cmd.expenseLines.create({ id: lineId, date: '2026-11-20', amount_cents: 4550, currency: 'EUR', category: 'train', merchant: 'SNCF' });
    await layer.sync.idle();
    expect(layer.store.pendingCount.value).toBe(1); // response lost: still pending
    await layer.syncNow();
    await layer.refreshView();
    expect(layer.store.pendingCount.value).toBe(0);
    const created = layer.store.row('expense_line', lineId).value!;
    expect(created.pending).toBe(false);
    expect(created.data['merchant']).toBe('SNCF');
    expect(layer.store.problems.value).toEqual([]);

    await cmd.expenseLines.edit(lineId, { merchant: 'SNCF Connect' });
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
    const sha = await sha256Hex(bytes);
    await cmd.expenseLines.attachReceipt(lineId, new Blob([bytes], { type: 'image/jpeg' }));
    await cmd.expenseLines.edit(newId(), { merchant: 'nobody' }); // unknown line: rejected
    await layer.syncNow();
    await layer.refreshView();
    expect(layer.store.pendingCount.value).toBe(0);
    expect(layer.store.blobsPending.value).toBe(0);
    const line = layer.store.row('expense_line', lineId).value!;
    expect(line.data['merchant']).toBe('SNCF Connect');
    expect(line.data['receipts']).toEqual([sha]);
    expect(line.row_version).toBeGreaterThanOrEqual(3);
    const [problem] = layer.store.problems.value;
    expect(problem).toMatchObject({ kind: 'rejected', intent: { name: 'expense_line.edit' } });
    expect(problem!.code).toBeTruthy();
    expect(problem!.message.fr).toBeTruthy();
    const downloaded = new Uint8Array(await (await layer.getReceipt(sha)).arrayBuffer());
    expect(await sha256Hex(downloaded)).toBe(sha);

    // Reload: a new engine, the session comes back through the rotating refresh token.
    await layer.stop();
    layers.splice(layers.indexOf(layer), 1);
    const reloaded = await open(dbName);
    await reloaded.syncNow();
    await reloaded.refreshView();
    expect(reloaded.store.session.value.status).toBe('signed_in');
    expect(reloaded.store.lastError.value).toBeNull();
    expect(reloaded.store.row('expense_line', lineId).value!.data['merchant']).toBe('SNCF Connect');
  });
});
