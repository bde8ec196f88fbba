import { describe, expect, it } from 'vitest';

import { showPush } from '../../src/sw/notifications';

function shown(payload: unknown): Promise<{ title: string; options: NotificationOptions & { actions?: { action: string; title: string }[] } }> {
  return new Promise((resolve) => {
    const registration = {
      showNotification: async (title: string, options: NotificationOptions) => resolve({ title, options }),
    } as unknown as ServiceWorkerRegistration;
    const data = { json: () => payload, text: () => JSON.stringify(payload) } as unknown as PushMessageData;
    void showPush(registration, data);
  });
}

const decision = { entity: 'mission', id: 'm-1', lang: 'fr' };

describe('service worker notifications', () => {
  it("labels the approval buttons with the server's wording", async () => {
    const { options } = await shown({
      title: 'Mission à valider', body: 'Paris', url: '/missions/m-1', decision,
      notification: { actions: [{ action: 'approve', title: 'Approuver' }, { action: 'refuse', title: 'Refuser' }] },
    });
    expect(options.actions).toEqual([{ action: 'approve', title: 'Approuver' }, { action: 'refuse', title: 'Refuser' }]);
  });

  it('falls back to the language of the decision when the server gives no titles', async () => {
    const { options } = await shown({ title: 'Mission to approve', decision: { ...decision, lang: 'en' } });
    expect(options.actions?.map((a) => a.title)).toEqual(['Approve', 'Refuse']);
  });

  it('replaces a request decided elsewhere silently, under its tag, without buttons', async () => {
    const { title, options } = await shown({ title: 'Audit : approuvé par Marie', tag: 'mission:m-1', silent: true, url: '/approvals/mission/m-1' });
    expect(title).toBe('Audit : approuvé par Marie');
    expect(options.tag).toBe('mission:m-1');
    expect(options.silent).toBe(true);
    expect(options.actions).toBeUndefined();
  });

  it('offers no buttons on a plain notification', async () => {
    const { title, options } = await shown({ title: 'Facture F-1 : rejetée', body: 'Motif : RIB manquant.' });
    expect(title).toBe('Facture F-1 : rejetée');
    expect(options.actions).toBeUndefined();
  });
});
