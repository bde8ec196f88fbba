import { afterEach, describe, expect, it } from 'vitest';

import { harness, settle, type Harness } from './helpers';

let h: Harness;

afterEach(async () => {
  await h.close();
});

describe('inbox', () => {
  it('marks read online at once, offline on the next sync; drops items the server lost', async () => {
    h = harness();
    for (const id of ['n1', 'n2', 'n3']) h.server.inbox.set(id, false);
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await settle(layer);
    await layer.commands.notifications.read('n1');
    expect(h.server.inbox.get('n1')).toBe(true);

    h.server.online = false;
    await layer.commands.notifications.read('n2');
    await layer.notifications.markRead('gone');
    expect(h.server.inbox.get('n2')).toBe(false);
    h.server.online = true;
    await layer.syncNow();
    await settle(layer);
    expect(h.server.inbox.get('n2')).toBe(true);
    expect(layer.store.lastError.value).toBeNull();
    const page = await layer.notifications.inbox({ unreadOnly: true });
    expect(page.unread).toBe(1);
    // Sent once: the remembered reads were cleared.
    const reads = () => h.server.log.filter((entry) => entry.path.endsWith('/read')).length;
    const before = reads();
    await layer.syncNow();
    await settle(layer);
    expect(reads()).toBe(before);
  });
});

describe('language', () => {
  it('saves the language the person chose, so the server writes to them in it', async () => {
    h = harness();
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await layer.notifications.saveLanguage('en');
    const saved = h.server.log.filter((entry) => entry.path === '/api/v1/me' && entry.method === 'PATCH');
    expect(saved.map((entry) => entry.body)).toEqual([{ language: 'en' }]);
  });
});
