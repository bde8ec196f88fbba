import { afterEach, describe, expect, it } from 'vitest';

import { ApiError } from '../../src/data/errors';
import { harness, settle, type Harness } from './helpers';

let h: Harness;

afterEach(async () => {
  await h.close();
});

describe('session', () => {
  it('keeps the refresh token across reloads, never the access token', async () => {
    h = harness();
    const layer = await h.open();
    const user = await layer.login('alice@example.fr', 'secret', 'phone');
    expect(user.id).toBe('u-alice');
    await settle(layer);
    await h.close();
    const reloaded = await h.open();
    await settle(reloaded);
    // A reload has no access token in memory: the first sync refreshed.
    expect(h.server.requests('/api/v1/auth/refresh')).toHaveLength(1);
    expect(reloaded.store.session.value).toMatchObject({ status: 'signed_in', user: { id: 'u-alice' } });
  });

  it('locks, refuses a wrong PIN, unlocks with the right one; wipes after too many', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    await layer.setPin('4321');
    layer.lock();
    expect(layer.store.session.value.status).toBe('locked');
    await expect(layer.enqueue('expense_line.create', 1, { id: 'x' })).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    const wrong = await layer.unlock('0000').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ApiError);
    expect((wrong as ApiError).code).toBe('PIN_WRONG');
    expect(layer.store.session.value.status).toBe('locked');
    await layer.unlock('4321');
    expect(layer.store.session.value.status).toBe('signed_in');
    await layer.enqueue('expense_line.create', 1, { id: 'after-unlock' });
    await settle(layer);
    expect(h.server.liveRows('expense_line')).toHaveLength(1);

    layer.lock();
    await layer.unlock('1').catch(() => undefined);
    await layer.unlock('2').catch(() => undefined);
    expect(layer.store.session.value.status).toBe('signed_out');
  });

  it('lists and revokes devices; a revoked session asks to sign in again and keeps the queue', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    const devices = await layer.listDevices();
    expect(devices).toHaveLength(1);
    await layer.revokeDevice(devices[0]!.id);
    h.server.online = false;
    await layer.enqueue('expense_line.create', 1, { id: 'kept' });
    await settle(layer);
    h.server.online = true;
    h.server.expireTokens();
    await layer.syncNow();
    await settle(layer);
    expect(layer.store.session.value.status).toBe('expired');
    expect(layer.store.pendingCount.value).toBe(1);
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    expect(layer.store.pendingCount.value).toBe(0);
    expect(h.server.liveRows('expense_line').map((row) => row.id)).toEqual(['kept']);
  });
});
