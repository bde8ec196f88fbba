import { describe, expect, it } from 'vitest';

import { closeDecided, documentOfTag, stillWaiting } from '../../src/sw/decided';
import { openFromNotification, targetOf } from '../../src/sw/notifications';

const decision = { entity: 'claim', id: 'c-1', lang: 'en' };
const payload = { title: 'To approve', url: '/approvals/claim/c-1', tag: 'claim:c-1', decision };

function worker() {
  const opened: string[] = [];
  const sw = {
    location: { origin: 'https://nomade.test' },
    clients: { matchAll: async () => [], openWindow: async (url: string) => { opened.push(url); return null; } },
    registration: {},
  } as unknown as ServiceWorkerGlobalScope;
  return { sw, opened };
}
function click(action: string) {
  let closed = false;
  const event = { action, notification: { data: payload, close: () => { closed = true; } } } as unknown as NotificationEvent;
  return { event, closed: () => closed };
}

describe('a tap on an approval notification', () => {
  it('Refuse opens the decision screen with the reason asked, and queues nothing', async () => {
    const { sw, opened } = worker();
    const { event, closed } = click('refuse');
    await openFromNotification(sw, event);
    expect(opened).toEqual(['https://nomade.test/approvals/claim/c-1?decision=refuse']);
    expect(closed()).toBe(true);
  });
  it('the body opens the decision screen', async () => {
    const { sw, opened } = worker();
    await openFromNotification(sw, click('').event);
    expect(opened).toEqual(['https://nomade.test/approvals/claim/c-1']);
  });
  it('keeps a query already in the address', () => {
    expect(targetOf({ title: '', url: '/approvals/claim/c-1?x=1' }, 'refuse')).toBe('/approvals/claim/c-1?x=1&decision=refuse');
    expect(targetOf(undefined, '')).toBe('/');
  });
});

describe('approval notifications decided elsewhere', () => {
  it('reads the document from the tag', () => {
    expect(documentOfTag('claim:c-1')).toEqual({ entity: 'expense_claim', id: 'c-1' });
    expect(documentOfTag('mission:m-1')).toEqual({ entity: 'mission', id: 'm-1' });
    expect(documentOfTag('purchase_order:p-1')).toEqual({ entity: 'purchase_order', id: 'p-1' });
    expect(documentOfTag('invoice:i-1')).toBeNull();
    expect(documentOfTag('test')).toBeNull();
  });
  it('closes those whose document was decided, withdrawn or certified; keeps the rest', async () => {
    const shown = [
      { tag: 'claim:decided', data: { decision }, closed: false },
      { tag: 'claim:withdrawn', data: { decision }, closed: false },
      { tag: 'mission:waiting', data: { decision }, closed: false },
      { tag: 'mission:unknown', data: { decision }, closed: false },
      { tag: 'purchase_order:certified', data: {}, closed: false },
      { tag: 'invoice:i-1', data: {}, closed: false },
    ].map((n) => ({ ...n, close() { n.closed = true; this.closed = true; } }));
    const states: Record<string, string> = { decided: 'approved', withdrawn: 'draft', waiting: 'submitted', certified: 'received' };
    const closed = await closeDecided({ getNotifications: async () => shown }, (_entity, id) => states[id]);
    expect(closed).toEqual(['claim:decided', 'claim:withdrawn', 'purchase_order:certified']);
    expect(shown.filter((n) => n.closed).map((n) => n.tag)).toEqual(closed);
    expect(stillWaiting('purchase_order', 'partially_received')).toBe(true);
  });
});
