import { afterEach, describe, expect, it } from 'vitest';

import { sha256Hex } from '../../src/data/blobs';
import { RECEIPT_CACHE } from '../../src/data/cache-names';
import { NetworkError } from '../../src/data/errors';
import { receiptImagePath, uploadedPhotoKey } from '../../src/data/receipts';
import { harness, settle, type Harness } from './helpers';

/** Cache Storage in memory (the browser's keys requests by URL; so does this one). */
class MemoryCaches {
  readonly stores = new Map<string, Map<string, Response>>();

  async open(name: string): Promise<Cache> {
    let store = this.stores.get(name);
    if (store === undefined) this.stores.set(name, (store = new Map()));
    const entries = store;
    return {
      match: async (key: RequestInfo | URL) => entries.get(String(key))?.clone(),
      put: async (key: RequestInfo | URL, response: Response) => void entries.set(String(key), response.clone()),
      delete: async (key: RequestInfo | URL) => entries.delete(String(key)),
    } as unknown as Cache;
  }

  async delete(name: string): Promise<boolean> {
    return this.stores.delete(name);
  }

  keys(name: string): string[] {
    return [...(this.stores.get(name)?.keys() ?? [])];
  }
}

let h: Harness;

afterEach(async () => {
  await h.close();
});

const photo = (): Blob => new Blob([new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 4])], { type: 'image/jpeg' });
const text = async (blob: Blob): Promise<string> => new TextDecoder().decode(await blob.arrayBuffer());

describe('receipt images', () => {
  it('show the queued photo offline, then the server thumbnail, cached for offline use', async () => {
    h = harness();
    h.server.serverPut('u-alice', 'expense_line', 'line-1', { merchant: 'Au Bon Accueil' });
    const caches = new MemoryCaches();
    const layer = await h.open({ caches: caches as unknown as CacheStorage });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);

    // Offline: the photo is only on the phone, and shows from there.
    h.server.online = false;
    const file = photo();
    const sha = await sha256Hex(await file.arrayBuffer());
    await layer.commands.expenseLines.attachReceipt('line-1', file);
    const local = await layer.receiptImage('line-1', sha, 'thumbnail');
    expect(new Uint8Array(await local.arrayBuffer())).toEqual(new Uint8Array(await file.arrayBuffer()));
    expect(h.server.requests('/api/v1/expense-lines/')).toHaveLength(0);

    // Online: uploaded (the local copy is freed), the server's thumbnail is shown and kept.
    h.server.online = true;
    await layer.syncNow();
    await settle(layer);
    expect(await layer.localReceipt(sha)).toBeUndefined();
    expect(caches.keys(RECEIPT_CACHE)).toEqual([uploadedPhotoKey(sha)]); // viewable offline meanwhile
    expect(await text(await layer.receiptImage('line-1', sha, 'thumbnail'))).toBe(`thumbnail:${sha.slice(0, 8)}`);
    // The server's thumbnail replaces the kept photo.
    expect(caches.keys(RECEIPT_CACHE)).toEqual([receiptImagePath('line-1', sha, 'thumbnail')]);
    const downloads = h.server.requests('/api/v1/expense-lines/').length;

    // Offline again: the line still shows its receipt; the full image falls back to it.
    h.server.online = false;
    expect(await text(await layer.receiptImage('line-1', sha, 'thumbnail'))).toBe(`thumbnail:${sha.slice(0, 8)}`);
    expect(await text(await layer.receiptImage('line-1', sha, 'image'))).toBe(`thumbnail:${sha.slice(0, 8)}`);
    expect(h.server.requests('/api/v1/expense-lines/')).toHaveLength(downloads);

    // Online: the full image is downloaded once, then read from the cache.
    h.server.online = true;
    expect(await text(await layer.receiptImage('line-1', sha, 'image'))).toBe(`image:${sha.slice(0, 8)}`);
    await layer.receiptImage('line-1', sha, 'image');
    expect(h.server.requests('/api/v1/expense-lines/')).toHaveLength(downloads + 1);
  });

  it('a photo uploaded then seen only offline shows as it was taken', async () => {
    h = harness();
    h.server.serverPut('u-alice', 'expense_line', 'line-1', { merchant: 'Taxi' });
    const caches = new MemoryCaches();
    const layer = await h.open({ caches: caches as unknown as CacheStorage });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    const file = photo();
    const sha = await sha256Hex(await file.arrayBuffer());
    await layer.commands.expenseLines.attachReceipt('line-1', file);
    await layer.syncNow();
    await settle(layer);
    h.server.online = false;
    for (const rendition of ['thumbnail', 'image'] as const) {
      const shown = await layer.receiptImage('line-1', sha, rendition);
      expect(new Uint8Array(await shown.arrayBuffer())).toEqual(new Uint8Array(await file.arrayBuffer()));
    }
  });

  it('offline with nothing cached is a network error; sign-out forgets the cached images', async () => {
    h = harness();
    const caches = new MemoryCaches();
    const layer = await h.open({ caches: caches as unknown as CacheStorage });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    const sha = 'a'.repeat(64);
    h.server.blobs.set(sha, { sha256: sha, uploadId: 'u', size: 1, offset: 1, complete: true, bytes: new Uint8Array([1]) });
    h.server.online = false;
    await expect(layer.receiptImage('line-9', sha, 'thumbnail')).rejects.toBeInstanceOf(NetworkError);
    h.server.online = true;
    await layer.receiptImage('line-9', sha, 'thumbnail');
    expect(caches.keys(RECEIPT_CACHE)).toHaveLength(1);
    await layer.logout();
    expect(caches.stores.has(RECEIPT_CACHE)).toBe(false);
  });

  it('a receipt not uploaded yet answers the server code', async () => {
    h = harness();
    const layer = await h.open({ caches: null });
    await layer.login('alice@example.fr', 'secret', 'phone');
    await expect(layer.receiptImage('line-1', 'b'.repeat(64), 'thumbnail')).rejects.toMatchObject({ code: 'RECEIPT_NOT_UPLOADED' });
  });

  it('paths name the line, the blob and the rendition', () => {
    expect(receiptImagePath('l 1', 'c'.repeat(64), 'image')).toBe(`/api/v1/expense-lines/l%201/receipts/${'c'.repeat(64)}/image`);
  });
});
