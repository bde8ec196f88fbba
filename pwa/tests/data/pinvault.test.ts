import { describe, expect, it } from 'vitest';

import { newKey, open, seal } from '../../src/data/pinvault';

describe('PIN vault', () => {
  it('opens with the right PIN only, and never stores the secret in clear', async () => {
    const key = await newKey('4826', 1000);
    const vault = await seal(key, 'refresh-token-secret');
    expect(JSON.stringify(vault)).not.toContain('refresh-token-secret');
    expect(vault.iterations).toBe(1000);
    expect(await open(vault, '4827')).toBeNull();
    expect(await open(vault, '04826')).toBeNull();
    const opened = await open(vault, '4826');
    expect(opened?.secret).toBe('refresh-token-secret');
    // the opened key re-seals a rotated token that the same PIN opens
    const next = await seal(opened!.key, 'next-token');
    expect(next.iv).not.toBe(vault.iv);
    expect((await open(next, '4826'))?.secret).toBe('next-token');
  });

  it('a tampered vault does not open', async () => {
    const vault = await seal(await newKey('1234', 1000), 'secret');
    const bytes = atob(vault.data);
    const flipped = btoa(String.fromCharCode(bytes.charCodeAt(0) ^ 1) + bytes.slice(1));
    expect(await open({ ...vault, data: flipped }, '1234')).toBeNull();
  });
});
