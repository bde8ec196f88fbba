import { describe, expect, it } from 'vitest';

import { RECEIPT_CACHE } from '../../src/data/cache-names';

describe('versioned caches', () => {
  it('earlier versions of the runtime and receipt caches go, current ones and others stay', async () => {
    // Workbox's modules expect a worker's `self` when they load.
    (globalThis as { self?: unknown }).self ??= globalThis;
    const { isOutdatedCache, RUNTIME_CACHE } = await import('../../src/sw/strategies');
    expect(isOutdatedCache('nomade-runtime-v0')).toBe(true);
    expect(isOutdatedCache('nomade-receipts-v0')).toBe(true);
    expect(isOutdatedCache(RUNTIME_CACHE)).toBe(false);
    expect(isOutdatedCache(RECEIPT_CACHE)).toBe(false);
    expect(isOutdatedCache('workbox-precache-v2-https://x/')).toBe(false);
  });
});
