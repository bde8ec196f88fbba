import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase } from '../../src/data/db';
import { ruleSetsKey, type RuleSet } from '../../src/data/policy';
import { harness, settle, type Harness } from './helpers';

let h: Harness;

afterEach(async () => {
  await h.close();
});

const state2023 = {
  name: 'state-2023', valid_from: '2023-09-22', valid_until: null, meal_cap_cents: 2000,
  lodging_caps_cents: { base: 9000, large_city: 12000, grand_paris: 12000, paris: 14000 },
};
const ruleRequests = (): { status: string; conditional: boolean }[] =>
  h.server.log.filter((e) => e.path === '/api/v1/policy/rule-sets').map((e) => ({ status: 'sent', conditional: 'if-none-match' in e.headers }));

describe('rule sets', () => {
  it('are fetched after a sync, kept for offline starts, and revalidated by ETag', async () => {
    h = harness();
    h.server.ruleSets = [state2023];
    const layer = await h.open();
    expect(layer.store.ruleSets.value).toBeNull(); // never fetched: nothing to check against
    expect(layer.store.homeCountry.value).toBeNull();
    await layer.login('alice@example.fr', 'secret', 'phone');
    await layer.syncNow();
    await settle(layer);
    expect(layer.store.ruleSets.value?.map((r) => r.name)).toEqual(['state-2023']);
    expect(layer.store.ruleSets.value?.[0]?.lodging_caps_cents['paris']).toBe(14000);
    expect(layer.store.homeCountry.value).toBe('FR'); // the server's, beside the rule sets

    // Offline restart: the rule sets and the home country come from IndexedDB.
    await h.close();
    h.server.online = false;
    const offline = await h.open();
    await settle(offline);
    expect(offline.store.ruleSets.value?.map((r) => r.name)).toEqual(['state-2023']);
    expect(offline.store.homeCountry.value).toBe('FR');
    h.server.online = true;

    // Back online the app revalidates (a conditional GET, 304); within the interval nothing
    // more is asked; after it, once again.
    const before = ruleRequests().length;
    await offline.syncNow();
    await settle(offline);
    expect(ruleRequests().slice(before)).toEqual([{ status: 'sent', conditional: true }]);
    await offline.syncNow();
    await settle(offline);
    expect(ruleRequests().length).toBe(before + 1);
    h.clock.advance(11 * 60_000);
    await offline.syncNow();
    await settle(offline);
    expect(ruleRequests().length).toBe(before + 2);
    expect(offline.store.ruleSets.value?.map((r) => r.name)).toEqual(['state-2023']);

    // A new version on the server reaches the phone at the next revalidation.
    h.server.ruleSets = [state2023, { ...state2023, name: 'ministere-2027', valid_from: '2027-01-01', meal_cap_cents: 2500 }];
    h.server.ruleSetsVersion += 1;
    h.clock.advance(11 * 60_000);
    await offline.syncNow();
    await settle(offline);
    expect(offline.store.ruleSets.value?.map((r) => r.name)).toEqual(['state-2023', 'ministere-2027']);
  });

  it('kept before the server sent the home country: none until the next answer brings it', async () => {
    h = harness();
    h.server.ruleSets = [state2023];
    const layer = await h.open();
    await layer.login('alice@example.fr', 'secret', 'phone');
    const db = await openDatabase(h.dbName);
    await db.put('meta', { key: ruleSetsKey('u-alice'), etag: '"rules-0"', fetched_at: 0, rule_sets: [state2023] as unknown as RuleSet[] });
    db.close();
    await layer.refreshView();
    expect(layer.store.ruleSets.value?.map((r) => r.name)).toEqual(['state-2023']);
    expect(layer.store.homeCountry.value).toBeNull();
    await layer.syncNow();
    await settle(layer);
    expect(layer.store.homeCountry.value).toBe('FR');
  });

  it('a supplier asks for none; signed out shows none', async () => {
    h = harness();
    const supplier = h.server.addUser('u-sup', 'sup@example.fr');
    supplier.role = 'supplier';
    supplier.organisation_id = null;
    const layer = await h.open();
    await layer.login('sup@example.fr', 'secret', 'phone');
    await layer.syncNow();
    await settle(layer);
    expect(ruleRequests()).toEqual([]);
    expect(layer.store.ruleSets.value).toBeNull();
    expect(ruleSetsKey('u-sup')).toBe('rule_sets:u-sup');
  });
});
