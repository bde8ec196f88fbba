import { describe, expect, expectTypeOf, it } from 'vitest';

import { SYNCED_ENTITIES, type SyncedEntity } from '../../src/data/contract.gen';
import type { EntityName } from '../../src/data/types';

// Type-level checks (run by `tsc --noEmit`, which covers tests/): the phone's entity names are
// the server's generated list, no more and no other.
describe('the entities the phone holds', () => {
  it('are exactly those the server syncs', () => {
    expectTypeOf<EntityName>().toEqualTypeOf<SyncedEntity>();
    // @ts-expect-error the server syncs claims as `expense_claim`, never `claim`
    const claim: EntityName = 'claim';
    // @ts-expect-error service done is a purchase order's state, not a synced entity
    const serviceDone: EntityName = 'service_done';
    // @ts-expect-error notifications come from the inbox API, not from sync
    const notification: EntityName = 'notification';
    expect(SYNCED_ENTITIES).not.toContain(claim);
    expect(SYNCED_ENTITIES).not.toContain(serviceDone);
    expect(SYNCED_ENTITIES).not.toContain(notification);
  });
});
