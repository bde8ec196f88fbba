import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase, getMeta } from '../../src/data/db';
import { harness, settle, type Harness } from './helpers';

let h: Harness;

async function readSession(): Promise<unknown> {
  const db = await openDatabase(h.dbName);
  try {
    return await getMeta(db, 'session');
  } finally {
    db.close();
  }
}

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

  it('locks, refuses a wrong PIN, unlocks with the right one; wipes after five', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    await layer.setPin('4321');
    layer.lock();
    expect(layer.store.session.value.status).toBe('locked');
    await expect(layer.enqueue('expense_line.create', 1, { id: 'x' })).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    const wrong = await layer.unlock('0000').catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'PIN_WRONG', details: { attempts_left: 4 } });
    expect(layer.store.session.value.status).toBe('locked');
    await layer.unlock('4321');
    expect(layer.store.session.value.status).toBe('signed_in');
    await layer.enqueue('expense_line.create', 1, { id: 'after-unlock' });
    await settle(layer);
    expect(h.server.liveRows('expense_line')).toHaveLength(1);

    layer.lock();
    const left: unknown[] = [];
    for (const pin of ['1111', '2222', '3333', '4444']) {
      left.push(await layer.unlock(pin).catch((e: { details: { attempts_left?: number } }) => e.details.attempts_left));
    }
    // the right PIN reset the count: four wrong ones leave one
    expect(left).toEqual([4, 3, 2, 1]);
    const fifth = await layer.unlock('5555').catch((e: unknown) => e);
    expect(fifth).toMatchObject({ code: 'SESSION_WIPED' });
    expect(layer.store.session.value.status).toBe('signed_out');
    // the wrong PINs were checked on the phone: the server never saw them
    expect(h.server.pinFailures).toBe(0);
  });

  it('keeps the refresh token only encrypted once a PIN is set, and locks at start', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    await layer.setPin('86420');
    await settle(layer);
    const stored = JSON.stringify(await readSession());
    const issued = h.server.devices.get('dev-u-alice-1')!.refresh;
    expect(stored).not.toContain(issued);
    expect(stored).toContain('"vault"');
    await h.close();

    const reloaded = await h.open();
    await settle(reloaded);
    expect(reloaded.store.session.value.status).toBe('locked');
    expect(h.server.requests('/api/v1/auth/refresh')).toHaveLength(0);
    h.server.online = false;
    await reloaded.unlock('86420'); // offline: the vault opens
    expect(reloaded.store.session.value.status).toBe('signed_in');
    await reloaded.enqueue('expense_line.create', 1, { id: 'offline-line' });
    await settle(reloaded);
    expect(h.server.liveRows('expense_line')).toHaveLength(0);
    h.server.online = true;
    await reloaded.syncNow();
    await settle(reloaded);
    // back online, the server unlocked the session with the PIN and the line arrived
    expect(h.server.requests('/api/v1/auth/unlock').length).toBeGreaterThan(0);
    expect(h.server.requests('/api/v1/auth/refresh')).toHaveLength(0);
    expect(h.server.liveRows('expense_line').map((row) => row.id)).toEqual(['offline-line']);
    // the rotated token went back into the vault
    const after = JSON.stringify(await readSession());
    expect(after).not.toContain(h.server.devices.get('dev-u-alice-1')!.refresh);
  });

  it('a 423 from the server sends a session without its PIN at hand to the lock screen', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    // the PIN was set on the server, but this phone never made its vault (an older app)
    h.server.pins.set('dev-u-alice-1', '2468');
    h.server.expireTokens();
    await layer.syncNow();
    await settle(layer);
    expect(layer.store.session.value.status).toBe('locked');
    await layer.unlock('2468'); // checked by the server; the vault is made from its answer
    expect(layer.store.session.value.status).toBe('signed_in');
    expect(JSON.stringify(await readSession())).toContain('"vault"');
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
