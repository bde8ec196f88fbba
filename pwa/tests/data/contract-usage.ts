/**
 * Compiled (not run) by contract.test.ts: intents written against the generated contract.
 * Each `@ts-expect-error` is a wrong shape the generated types must refuse; if a regeneration
 * made one of them acceptable, the directive itself becomes a compile error.
 */
import type { IntentArgs, IntentName, SyncedEntity } from '../../src/data/contract.gen';
import { ERROR_CODES, INTENT_VERSIONS } from '../../src/data/contract.gen';

const id = '01890f3e-7c1a-7cc0-8000-000000000001';

export const lunch: IntentArgs['expense_line.create'] = {
  id,
  date: '2026-03-12',
  amount_cents: 1850,
  currency: 'EUR',
  category: 'meal',
  vat_rate_bp: 1000,
  field_sources: { amount_cents: 'ocr' },
};

export const approval: IntentArgs['mission.decide'] = {
  id,
  decision: 'approve',
  expected_state: 'submitted',
  content_hash: 'a'.repeat(64),
};

// @ts-expect-error amounts travel as integer cents, never as a decimal string
export const amountAsText: IntentArgs['expense_line.create'] = { id, date: '2026-03-12', amount_cents: '18.50' };

// @ts-expect-error an expense line needs its date
export const noDate: IntentArgs['expense_line.create'] = { id, amount_cents: 1850 };

// @ts-expect-error a decision is approve, refuse or return
export const accepted: IntentArgs['mission.decide'] = { id, decision: 'accept', expected_state: 'submitted', content_hash: '' };

// @ts-expect-error the approver's decision names the content they saw
export const unseen: IntentArgs['mission.decide'] = { id, decision: 'refuse', expected_state: 'submitted' };

// @ts-expect-error the server has no such intent
export const ghost: IntentName = 'service_done.create';

export const question: IntentArgs['comment.add'] = { id, document_type: 'expense_claim', document_id: id, body: 'Pourquoi ce taxi ?' };

// @ts-expect-error comments are on missions and expense claims only
export const onInvoice: IntentArgs['comment.add'] = { id, document_type: 'invoice', document_id: id, body: '?' };

export const synced: SyncedEntity = 'purchase_order';

// @ts-expect-error the server never syncs a service_done entity (it lives on purchase_order)
export const neverSynced: SyncedEntity = 'service_done';

export const version: 1 = INTENT_VERSIONS['mission.decide'];
export const refusal: string = ERROR_CODES.ALREADY_DECIDED.en;
