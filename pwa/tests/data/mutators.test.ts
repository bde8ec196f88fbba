import { describe, expect, it } from 'vitest';

import { makeCommands } from '../../src/data/commands';
import type { BaseRow, StoredIntent } from '../../src/data/db';
import { newId } from '../../src/data/ids';
import { describeCode } from '../../src/data/messages';
import { replay, type ReplayIntent } from '../../src/data/mutators';
import { problemOf } from '../../src/data/queue';
import type { JsonObject, PendingIntent, Problem, Row } from '../../src/data/types';

const T = '2026-11-22T09:00:00.000Z';

function intent(name: string, args: JsonObject, extra: Partial<ReplayIntent> = {}): ReplayIntent {
  return { name, v: 1, args, client_time: T, ...extra };
}

function base(entity: string, id: string, data: JsonObject, row_version = 1): BaseRow {
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
        base('notification', 'n1', { read_at: null }),
      ],
      [
        intent('mission.decide', { id: 'm1', decision: 'return', expected_state: 'submitted', content_hash: 'h1', reason: 'dates' }),
        intent('mission.submit', { id: 'm2', expected_state: 'draft' }, { ack: { seq: 2, id: 'x', status: 'rejected', code: 'STATE_CHANGED' } }),
        intent('expense_claim.decide', { id: 'c1', decision: 'approve', expected_state: 'submitted', content_hash: 'h', reason: '' }),
        intent('purchase_order.certify', { id: 'po1', round_seen: 2, certified_on: '2026-11-21', lines: null, comment: 'ok' }),
        intent('notification.read', { id: 'n1' }),
        intent('invoice.something_new', { id: 'i1' }),
      ],
    );
    expect(view.get('mission')!.get('m1')!.data).toMatchObject({ state: 'returned', decision_reason: 'dates', decided_at: T });
    expect(view.get('mission')!.get('m2')!.data['state']).toBe('draft');
    expect(view.get('mission')!.get('m2')!.pending).toBe(false);
    expect(view.get('expense_claim')!.get('c1')!.data['state']).toBe('approved');
    expect(view.get('purchase_order')!.get('po1')!.data).toMatchObject({ state: 'certified', certified_on: '2026-11-21', certification_comment: 'ok' });
    expect(view.get('notification')!.get('n1')!.data['read_at']).toBe(T);
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

  it('never mutates the base rows it is given', () => {
    const row = base('mission', 'm1', { state: 'draft', purpose: 'Lyon' });
    replay([row], [intent('mission.edit', { id: 'm1', base_version: 1, purpose: 'Lille' })]);
    expect(row.data['purpose']).toBe('Lyon');
  });
});

describe('commands', () => {
  it('build intents from what the user sees: base_version, expected_state, content_hash', async () => {
    const sent: { name: string; args: JsonObject }[] = [];
    const rows: Record<string, Row> = {
      'mission/m1': { id: 'm1', entity: 'mission', row_version: 4, pending: false, data: { state: 'submitted', content_hash: 'seen' } },
      'expense_line/l1': { id: 'l1', entity: 'expense_line', row_version: 7, pending: false, data: {} },
    };
    const commands = makeCommands({
      enqueue: async (name, _v, args) => {
        sent.push({ name, args });
        return {} as PendingIntent;
      },
      currentRow: (entity, id) => rows[`${entity}/${id}`],
      attachReceiptBlob: async () => ({}) as PendingIntent, answerInvoice: async () => { throw new Error('unused'); },
      markNotificationRead: async () => undefined,
    });
    await commands.missions.approve('m1', 'ok');
    await commands.expenseLines.edit('l1', { merchant: 'Uber', amount_cents: 1200 });
    const id = await commands.expenseLines.create({ merchant: 'Bus' });
    await commands.claims.submit('unknown-claim');
    expect(sent[0]).toEqual({
      name: 'mission.decide',
      args: { id: 'm1', decision: 'approve', expected_state: 'submitted', content_hash: 'seen', reason: 'ok' },
    });
    expect(sent[1]).toEqual({ name: 'expense_line.edit', args: { id: 'l1', base_version: 7, merchant: 'Uber', amount_cents: 1200 } });
    expect(sent[2]!.args['id']).toBe(id);
    expect(sent[3]).toEqual({ name: 'expense_claim.submit', args: { id: 'unknown-claim', expected_state: null } });
  });

  it('answer conflicts: restore an overwritten value, keep my money group', async () => {
    const sent: { name: string; args: JsonObject }[] = [];
    const commands = makeCommands({
      enqueue: async (name, _v, args) => {
        sent.push({ name, args });
        return {} as PendingIntent;
      },
      currentRow: () => ({ id: 'l1', entity: 'expense_line', row_version: 9, pending: false, data: {} }),
      attachReceiptBlob: async () => ({}) as PendingIntent, answerInvoice: async () => { throw new Error('unused'); },
      markNotificationRead: async () => undefined,
    });
    const problem = (extra: Partial<Problem>): Problem => ({
      key: 'u:5',
      kind: 'conflict',
      code: 'TEXT_OVERWRITTEN',
      message: { fr: '', en: '' },
      details: {},
      conflicts: [],
      intent: { seq: 5, id: 'm', name: 'expense_line.edit', v: 1, args: { id: 'l1', base_version: 3 }, clientTime: T },
      at: 0,
      ...extra,
    });
    await commands.conflicts.restore(problem({ conflicts: [{ field: 'merchant', lost: 'SNCF Connect', kept: 'SNCF' }] }));
    const money = problem({
      kind: 'rejected',
      code: 'MONEY_CONFLICT',
      details: { server: { amount_cents: 4250 }, client: { amount_cents: 5000, currency: 'EUR' } },
    });
    expect(commands.conflicts.chooseMoney(money, 'theirs')).toBeNull();
    await commands.conflicts.chooseMoney(money, 'mine');
    expect(sent).toEqual([
      { name: 'expense_line.edit', args: { id: 'l1', base_version: 9, merchant: 'SNCF Connect' } },
      { name: 'expense_line.edit', args: { id: 'l1', base_version: 9, amount_cents: 5000, currency: 'EUR' } },
    ]);
  });

  it('makes time-ordered UUIDv7 ids', () => {
    const a = newId(1_000);
    const b = newId(2_000);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
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

  it('keeps rejections, noops with a code and overwritten values; not plain successes', () => {
    expect(problemOf(queued, { seq: 5, id: 'm', status: 'applied' }, 1)).toBeNull();
    expect(problemOf(queued, { seq: 5, id: 'm', status: 'noop' }, 1)).toBeNull();
    const money = problemOf(queued, { seq: 5, id: 'm', status: 'rejected', code: 'MONEY_CONFLICT', details: { server: { amount_cents: 1 } } }, 1)!;
    expect(money).toMatchObject({ kind: 'rejected', code: 'MONEY_CONFLICT', details: { server: { amount_cents: 1 } } });
    expect(money.message.en).toMatch(/amount/);
    const overwritten = problemOf(
      queued,
      { seq: 5, id: 'm', status: 'applied', conflicts: [{ field: 'merchant', lost: 'A', kept: 'B' }] },
      1,
    )!;
    expect(overwritten).toMatchObject({ kind: 'conflict', conflicts: [{ field: 'merchant', lost: 'A', kept: 'B' }] });
    expect(problemOf(queued, { seq: 5, id: 'm', status: 'noop', code: 'ROW_DELETED' }, 1)!.kind).toBe('noop');
  });

  it('prefers the server message and falls back to a text naming the code', () => {
    expect(describeCode('X', { fr: 'serveur', en: 'server' })).toEqual({ fr: 'serveur', en: 'server' });
    expect(describeCode('WHATEVER').en).toMatch(/WHATEVER/);
  });
});
