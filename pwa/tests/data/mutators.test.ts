import { describe, expect, it } from 'vitest';

import type { BaseRow, StoredIntent } from '../../src/data/db';
import { ERROR_CODES } from '../../src/data/contract.gen';
import { describeCode, loadErrorTexts } from '../../src/data/messages';
import { replay, type ReplayIntent } from '../../src/data/mutators';
import { toClaim, toInvoice } from '../../src/app/rows';
import { problemOf, textsFor } from '../../src/data/queue';
import type { EntityName, JsonObject } from '../../src/data/types';

const T = '2026-11-22T09:00:00.000Z';

function intent(name: string, args: JsonObject, extra: Partial<ReplayIntent> = {}): ReplayIntent {
  return { name, v: 1, args, client_time: T, ...extra };
}

function base(entity: EntityName, id: string, data: JsonObject, row_version = 1): BaseRow {
  return { entity, id, row_version, data };
}

describe('optimistic replay', () => {
  it('an edited field becomes the user\'s: a receipt reading no longer fills it (as on the server)', () => {
    const sources = { merchant: 'ocr', amount_cents: 'ocr', date: 'ocr' };
    const view = replay(
      [base('expense_line', 'l1', { merchant: 'AU BON ACCUEIL', amount_cents: 14625, field_sources: sources }, 4)],
      [intent('expense_line.edit', { id: 'l1', base_version: 4, merchant: 'Au Bon Accueil' })],
    );
    expect(view.get('expense_line')!.get('l1')!.data['field_sources']).toEqual({ merchant: 'user', amount_cents: 'ocr', date: 'ocr' });
  });

  it('replays drafts: create, flat edit, receipt, delete beats edit', () => {
    const view = replay(
      [base('expense_line', 'l1', { merchant: 'SNCF', amount_cents: 4000 }, 3)],
      [
        intent('expense_line.edit', { id: 'l1', base_version: 3, merchant: 'SNCF Connect', field_sources: { merchant: 'user' } }),
        intent('expense_line.attach_receipt', { id: 'l1', sha256: 'abc' }),
        intent('expense_line.attach_receipt', { id: 'l1', sha256: 'abc' }),
        intent('expense_line.create', { id: 'l2', merchant: 'Taxi' }),
        intent('expense_line.delete', { id: 'l2' }),
        intent('expense_line.edit', { id: 'l2', base_version: 0, merchant: 'ghost' }),
      ],
    );
    const lines = view.get('expense_line')!;
    expect(lines.get('l1')).toMatchObject({
      row_version: 3,
      pending: true,
      data: { merchant: 'SNCF Connect', amount_cents: 4000, receipts: ['abc'] },
    });
    expect(lines.get('l1')!.data['field_sources']).toBeUndefined();
    expect(lines.has('l2')).toBe(false);
  });

  it('replays workflow commands and decisions; skips rejected and unknown intents', () => {
    const view = replay(
      [
        base('mission', 'm1', { state: 'submitted', content_hash: 'h1' }),
        base('mission', 'm2', { state: 'draft' }),
        base('expense_claim', 'c1', { state: 'submitted' }),
        base('purchase_order', 'po1', { state: 'open', certification_round: 2 }),
      ],
      [
        intent('mission.decide', { id: 'm1', decision: 'return', expected_state: 'submitted', content_hash: 'h1', reason: 'dates' }),
        intent('mission.submit', { id: 'm2', expected_state: 'draft' }, { ack: { seq: 2, id: 'x', status: 'rejected', code: 'STATE_CHANGED' } }),
        intent('expense_claim.decide', { id: 'c1', decision: 'approve', expected_state: 'submitted', content_hash: 'h', reason: '' }),
        intent('purchase_order.certify', { id: 'po1', round_seen: 2, certified_on: '2026-11-21', lines: null, comment: 'ok' }),
        intent('claim.create', { id: 'c9' }), // a name of the first design: the server has no such intent
        intent('invoice.something_new', { id: 'i1' }),
      ],
    );
    expect(view.get('mission')!.get('m1')!.data).toMatchObject({ state: 'returned', decision_reason: 'dates', decided_at: T });
    expect(view.get('mission')!.get('m2')!.data['state']).toBe('draft');
    expect(view.get('mission')!.get('m2')!.pending).toBe(false);
    expect(view.get('expense_claim')!.get('c1')!.data['state']).toBe('approved');
    expect(view.get('purchase_order')!.get('po1')!.data).toMatchObject({ state: 'certified', certified_on: '2026-11-21', certification_comment: 'ok' });
    expect(view.has('invoice')).toBe(false);
  });

  it('an amended mission and a withdrawn claim are drafts again on the phone at once', () => {
    const view = replay(
      [base('mission', 'm1', { state: 'approved' }, 5), base('expense_claim', 'c1', { state: 'submitted' }, 2)],
      [intent('mission.amend', { id: 'm1', expected_state: 'approved' }), intent('expense_claim.withdraw', { id: 'c1', expected_state: 'submitted' })],
    );
    expect(view.get('mission')!.get('m1')!.data['state']).toBe('draft');
    expect(view.get('expense_claim')!.get('c1')!.data['state']).toBe('draft');
  });

  it('holds a claim created on this phone in the server row\'s shape: its mission under `mission`', () => {
    const view = replay([], [intent('expense_claim.create', { id: 'c9', mission_id: 'm1', title: 'Lyon' })]);
    const held = view.get('expense_claim')!.get('c9')!;
    expect(held.data).toEqual({ id: 'c9', mission: 'm1', title: 'Lyon', state: 'draft' });
    // The screens read the one name the server's row uses.
    expect(toClaim(held).mission_id).toBe('m1');
  });

  it('an answered suspension no longer asks the supplier to act, until the server says the stage', () => {
    const view = replay(
      [base('invoice', 'i1', { status_code: 'SUSPENDUE', stage: 'suspended', action_needed: true, history: [] })],
      [intent('invoice.complete', { id: 'i1', comment: 'Voici le bon', attachments: [] })],
    );
    const shown = toInvoice(view.get('invoice')!.get('i1')!);
    expect([shown.status, shown.stage, shown.action_needed, shown.history.at(-1)?.reason]).toEqual(['COMPLETEE', 'suspended', false, 'Voici le bon']);
  });

  it('never mutates the base rows it is given', () => {
    const row = base('mission', 'm1', { state: 'draft', purpose: 'Lyon' });
    replay([row], [intent('mission.edit', { id: 'm1', base_version: 1, purpose: 'Lille' })]);
    expect(row.data['purpose']).toBe('Lyon');
  });
});

describe('acks shown to the user', () => {
  const queued: StoredIntent = {
    user_id: 'u',
    seq: 5,
    client_id: 'c',
    id: 'm',
    name: 'expense_line.edit',
    v: 1,
    args: { id: 'l1' },
    client_time: T,
    created_at: 0,
  };

  it('keeps rejections, noops with a code and overwritten values; not plain successes', async () => {
    await textsFor([{ seq: 5, id: 'm', status: 'rejected', code: 'MONEY_CONFLICT' }]); // as recordAcks does
    expect(problemOf(queued, { seq: 5, id: 'm', status: 'applied' }, 1)).toBeNull();
    expect(problemOf(queued, { seq: 5, id: 'm', status: 'noop' }, 1)).toBeNull();
    const money = problemOf(queued, { seq: 5, id: 'm', status: 'rejected', code: 'MONEY_CONFLICT', details: { server: { amount_cents: 1 } } }, 1)!;
    expect(money).toMatchObject({ kind: 'rejected', code: 'MONEY_CONFLICT', details: { server: { amount_cents: 1 } } });
    expect(money.message).toEqual({ fr: ERROR_CODES.MONEY_CONFLICT.fr, en: ERROR_CODES.MONEY_CONFLICT.en });
    const overwritten = problemOf(
      queued,
      { seq: 5, id: 'm', status: 'applied', conflicts: [{ field: 'merchant', lost: 'A', kept: 'B' }] },
      1,
    )!;
    expect(overwritten).toMatchObject({ kind: 'conflict', code: 'TEXT_OVERWRITTEN', conflicts: [{ field: 'merchant', lost: 'A', kept: 'B' }] });
    expect(overwritten.message.en).toBe(ERROR_CODES.TEXT_OVERWRITTEN.en);
    expect(problemOf(queued, { seq: 5, id: 'm', status: 'noop', code: 'ROW_DELETED' }, 1)!.kind).toBe('noop');
  });

  it('prefers the server message, then the generated catalogue, then a text naming the code', async () => {
    await loadErrorTexts();
    expect(describeCode('MONEY_CONFLICT', { fr: 'serveur', en: 'server' })).toEqual({ fr: 'serveur', en: 'server' });
    expect(describeCode('MILEAGE_NO_RATE')).toEqual({ fr: ERROR_CODES.MILEAGE_NO_RATE.fr, en: ERROR_CODES.MILEAGE_NO_RATE.en });
    expect(describeCode('WHATEVER').en).toMatch(/WHATEVER/);
  });
});
