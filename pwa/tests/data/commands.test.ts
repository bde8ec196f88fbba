import { describe, expect, it } from 'vitest';

import { makeCommands, type CommandHost } from '../../src/data/commands';
import { INTENT_NAMES } from '../../src/data/contract.gen';
import { newId } from '../../src/data/ids';
import { replay } from '../../src/data/mutators';
import type { EntityName, JsonObject, PendingIntent, Problem, Row } from '../../src/data/types';

const T = '2026-11-22T09:00:00.000Z';
const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A data layer that records what the commands queue, over the rows the user sees. */
function recording(rows: Record<string, Row> = {}) {
  const sent: { name: string; v: number; args: JsonObject }[] = [];
  const stored: Blob[] = [];
  const host: CommandHost = {
    enqueue: async (name, v, args) => {
      sent.push({ name, v, args });
      return {} as PendingIntent;
    },
    currentRow: (entity, id) => rows[`${entity}/${id}`],
    storeReceipt: async (file) => {
      stored.push(file);
      return 'sha-of-photo';
    },
    storeDocuments: async (_invoiceId, files) => files.map((f) => ({ sha256: `sha-${f.name}`, name: f.name, content_type: f.type, size: f.size })),
    markNotificationRead: async () => undefined,
  };
  return { sent, stored, commands: makeCommands(host) };
}

const row = (entity: EntityName, id: string, row_version: number, data: JsonObject): Record<string, Row> => ({
  [`${entity}/${id}`]: { id, entity, row_version, pending: false, data },
});

describe('commands send the server\'s intents with the arguments it expects', () => {
  it('every intent a command sends is one the server has, at version 1', async () => {
    const { sent, commands } = recording({
      ...row('mission', 'm1', 4, { state: 'submitted', content_hash: 'seen' }),
      ...row('purchase_order', 'po1', 2, { state: 'open', certification_round: 3 }),
      ...row('invoice', 'i1', 1, { status_code: 'SUSPENDUE' }),
    });
    await commands.expenseLines.create({ date: '2026-11-20', amount_cents: 1850 });
    await commands.expenseLines.edit('l1', { merchant: 'Uber' });
    await commands.expenseLines.delete('l1');
    await commands.expenseLines.attachReceipt('l1', new Blob(['x']));
    await commands.expenseLines.splitReceipts('l1', 1);
    await commands.missions.create({ purpose: 'Audit', destination: 'Lyon', starts_on: '2026-12-01', ends_on: '2026-12-02' });
    await commands.missions.edit('m1', { purpose: 'Audit 2' });
    await commands.missions.submit('m1');
    await commands.missions.cancel('m1');
    await commands.missions.amend('m1');
    await commands.missions.decide('m1', 'approve');
    await commands.claims.create({ mission_id: 'm1' });
    await commands.claims.submit('c1');
    await commands.claims.withdraw('c1');
    await commands.claims.decide('c1', 'refuse', 'taxi');
    await commands.claims.markPaid('c1', 'VIR-1');
    await commands.purchaseOrders.certify('po1', { certified_on: '2026-11-21' });
    await commands.purchaseOrders.revoke('po1', 'wrong');
    await commands.invoices.complete('i1', 'here', []);
    await commands.vehicles.set({ id: 'u1', fiscal_cv: 5, year: 2026 });
    await commands.comments.add('mission', 'm1', '?');
    const server = new Set<string>(INTENT_NAMES);
    expect(sent.filter((s) => !server.has(s.name) || s.v !== 1)).toEqual([]);
    expect(sent.map((s) => s.name)).toEqual([
      'expense_line.create', 'expense_line.edit', 'expense_line.delete', 'expense_line.attach_receipt',
      'expense_line.split_receipts', 'mission.create', 'mission.edit', 'mission.submit', 'mission.cancel',
      'mission.amend', 'mission.decide', 'expense_claim.create', 'expense_claim.submit', 'expense_claim.withdraw',
      'expense_claim.decide', 'expense_claim.mark_paid', 'purchase_order.certify', 'purchase_order.revoke',
      'invoice.complete', 'vehicle_profile.set', 'comment.add',
    ]);
  });

  it('preconditions are what the user saw: base_version, expected_state, content_hash, round', async () => {
    const { sent, commands } = recording({
      ...row('mission', 'm1', 4, { state: 'submitted', content_hash: 'seen' }),
      ...row('expense_line', 'l1', 7, {}),
      ...row('expense_claim', 'c1', 2, { state: 'approved' }),
      ...row('purchase_order', 'po1', 2, { certification_round: 3 }),
    });
    await commands.missions.decide('m1', 'return', 'dates');
    await commands.expenseLines.edit('l1', { merchant: 'Uber', amount_cents: 1200 });
    await commands.claims.markPaid('c1', 'VIR-1');
    await commands.claims.submit('unknown-claim');
    await commands.purchaseOrders.certify('po1', { certified_on: '2026-11-21', comment: 'ok', lines: [{ line_no: 1, received: '2.5' }] });
    await commands.purchaseOrders.revoke('po1', 'wrong lines', [2]);
    expect(sent.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'mission.decide', args: { id: 'm1', decision: 'return', expected_state: 'submitted', content_hash: 'seen', reason: 'dates' } },
      { name: 'expense_line.edit', args: { id: 'l1', base_version: 7, merchant: 'Uber', amount_cents: 1200 } },
      { name: 'expense_claim.mark_paid', args: { id: 'c1', expected_state: 'approved', payment_reference: 'VIR-1' } },
      // A document the phone does not hold: a draft as far as it knows (the server answers STATE_CHANGED).
      { name: 'expense_claim.submit', args: { id: 'unknown-claim', expected_state: 'draft' } },
      { name: 'purchase_order.certify', args: { id: 'po1', round_seen: 3, certified_on: '2026-11-21', comment: 'ok', lines: [{ line_no: 1, received: '2.5' }] } },
      { name: 'purchase_order.revoke', args: { id: 'po1', reason: 'wrong lines', line_nos: [2] } },
    ]);
  });

  it('new documents get a UUIDv7 unless the caller made one, and the id is returned', async () => {
    const { sent, commands } = recording();
    const line = await commands.expenseLines.create({ date: '2026-11-20', amount_cents: 0, merchant: 'Bus' });
    const claim = await commands.claims.create({ id: 'chosen', mission_id: 'm1', title: 'Lyon' });
    const question = await commands.comments.add('expense_claim', 'c1', 'Pourquoi ce taxi ?');
    const split = await commands.expenseLines.splitReceipts('l1', 2);
    expect(line).toMatch(UUID7);
    expect(claim).toBe('chosen');
    expect(sent[0]!.args).toEqual({ id: line, date: '2026-11-20', amount_cents: 0, merchant: 'Bus' });
    expect(sent[1]!.args).toEqual({ id: 'chosen', mission_id: 'm1', title: 'Lyon' });
    expect(sent[2]!.args).toEqual({ id: question, document_type: 'expense_claim', document_id: 'c1', body: 'Pourquoi ce taxi ?' });
    expect(split).toHaveLength(2);
    expect(sent[3]!.args).toEqual({ id: 'l1', new_ids: split });
  });

  it('a photo is stored first, then attached by its hash; an invoice answer carries its documents and the status seen', async () => {
    const { sent, stored, commands } = recording(row('invoice', 'i1', 1, { status_code: 'SUSPENDUE' }));
    const photo = new Blob(['jpeg'], { type: 'image/jpeg' });
    await commands.expenseLines.attachReceipt('l1', photo);
    await commands.invoices.complete('i1', 'Voici le bon', [new File(['pdf'], 'bon.pdf', { type: 'application/pdf' })]);
    expect(stored).toEqual([photo]);
    expect(sent.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'expense_line.attach_receipt', args: { id: 'l1', sha256: 'sha-of-photo' } },
      { name: 'invoice.complete', args: {
        id: 'i1', expected_status: 'SUSPENDUE', comment: 'Voici le bon',
        attachments: [{ sha256: 'sha-bon.pdf', name: 'bon.pdf', content_type: 'application/pdf', size: 3 }],
      } },
    ]);
  });

  it('a queued comment shows at once in its thread, once', async () => {
    const { sent, commands } = recording();
    await commands.comments.add('expense_claim', 'c1', 'Pourquoi ce taxi ?');
    const args = sent[0]!.args;
    const intent = { name: sent[0]!.name, v: 1, args, client_time: T };
    const view = replay([{ entity: 'expense_claim', id: 'c1', row_version: 1, data: { state: 'submitted' } }], [intent, intent]);
    const rows = [...view.get('comment')!.values()];
    expect(rows.map((r) => [r.data['body'], r.data['created_at'], r.pending])).toEqual([['Pourquoi ce taxi ?', T, true]]);
    expect(view.get('expense_claim')!.get('c1')!.pending).toBe(false); // the claim itself is unchanged
  });

  it('answers conflicts: restore an overwritten value, keep my money group, on the row_version seen now', async () => {
    const { sent, commands } = recording({ ...row('expense_line', 'l1', 9, {}), ...row('mission', 'm1', 3, {}) });
    const problem = (extra: Partial<Problem>): Problem => ({
      key: 'u:5', kind: 'conflict', code: 'TEXT_OVERWRITTEN', message: { fr: '', en: '' }, details: {}, conflicts: [],
      intent: { seq: 5, id: 'm', name: 'expense_line.edit', v: 1, args: { id: 'l1', base_version: 3 }, clientTime: T },
      at: 0, ...extra,
    });
    await commands.conflicts.restore(problem({ conflicts: [{ field: 'merchant', lost: 'SNCF Connect', kept: 'SNCF' }] }));
    await commands.conflicts.restore(problem({
      conflicts: [{ field: 'purpose', lost: 'Audit', kept: 'Audit 2' }],
      intent: { seq: 6, id: 'n', name: 'mission.edit', v: 1, args: { id: 'm1', base_version: 1 }, clientTime: T },
    }));
    const money = problem({
      kind: 'rejected', code: 'MONEY_CONFLICT',
      details: { server: { amount_cents: 4250 }, client: { amount_cents: 5000, currency: 'EUR' } },
    });
    expect(commands.conflicts.chooseMoney(money, 'theirs')).toBeNull();
    await commands.conflicts.chooseMoney(money, 'mine');
    // Only draft edits are answered by an edit.
    expect(commands.conflicts.restore(problem({
      conflicts: [{ field: 'state', lost: 'draft', kept: 'submitted' }],
      intent: { seq: 7, id: 'o', name: 'expense_claim.submit', v: 1, args: { id: 'c1' }, clientTime: T },
    }))).toBeNull();
    expect(sent.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'expense_line.edit', args: { id: 'l1', base_version: 9, merchant: 'SNCF Connect' } },
      { name: 'mission.edit', args: { id: 'm1', base_version: 3, purpose: 'Audit' } },
      { name: 'expense_line.edit', args: { id: 'l1', base_version: 9, amount_cents: 5000, currency: 'EUR' } },
    ]);
  });

  it('makes time-ordered UUIDv7 ids', () => {
    const a = newId(1_000);
    const b = newId(2_000);
    expect(a).toMatch(UUID7);
    expect(a < b).toBe(true);
  });
});
