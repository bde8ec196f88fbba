/**
 * Client-side optimistic handlers, one per intent name: the same meaning as the server's
 * handlers, simplified (no permission or conflict checks: the server decides, and the next pull
 * replaces the guess). The view the UI shows is base rows + every pending intent replayed here.
 * An intent whose name has no handler stays queued and is listed as pending, unchanged view.
 */
import type { EntityName, JsonObject, Row, WireAck } from './types';
import type { BaseRow } from './db';

/** A mutable working copy of the view, handed to mutators. */
export interface ViewDraft {
  get(entity: EntityName, id: string): JsonObject | undefined;
  put(entity: EntityName, id: string, data: JsonObject): void;
  del(entity: EntityName, id: string): void;
}

/** What a mutator receives besides args. */
export interface MutatorContext {
  clientTime: string;
  ack?: WireAck | undefined;
}

export type Mutator = (view: ViewDraft, args: JsonObject, context: MutatorContext) => void;

function idOf(args: JsonObject): string {
  const id = args['id'];
  if (typeof id !== 'string') throw new Error('intent args need a string id');
  return id;
}

function changesOf(args: JsonObject): JsonObject {
  const changes = args['changes'] ?? args['fields'];
  if (changes !== null && typeof changes === 'object' && !Array.isArray(changes)) return changes;
  const { id: _id, base_version: _bv, ...rest } = args;
  return rest;
}

function create(entity: EntityName, status: string | null): Mutator {
  return (view, args) => {
    const id = idOf(args);
    const data: JsonObject = { ...args };
    if (status !== null && data['status'] === undefined) data['status'] = status;
    view.put(entity, id, data);
  };
}

function edit(entity: EntityName): Mutator {
  return (view, args) => {
    const id = idOf(args);
    const current = view.get(entity, id);
    if (current === undefined) return; // delete beats edit
    view.put(entity, id, { ...current, ...changesOf(args) });
  };
}

function remove(entity: EntityName): Mutator {
  return (view, args) => view.del(entity, idOf(args));
}

function setStatus(entity: EntityName, status: string, stamp?: string): Mutator {
  return (view, args, context) => {
    const id = idOf(args);
    const current = view.get(entity, id);
    if (current === undefined) return;
    const next: JsonObject = { ...current, status };
    if (stamp !== undefined) next[stamp] = context.clientTime;
    const comment = args['comment'];
    if (typeof comment === 'string') next['decision_comment'] = comment;
    view.put(entity, id, next);
  };
}

const attachReceipt: Mutator = (view, args) => {
  const id = typeof args['line_id'] === 'string' ? args['line_id'] : idOf(args);
  const current = view.get('expense_line', id);
  if (current === undefined) return;
  const sha256 = args['sha256'];
  if (typeof sha256 !== 'string') return;
  const receipts = Array.isArray(current['receipts']) ? current['receipts'] : [];
  if (receipts.includes(sha256)) return;
  view.put('expense_line', id, { ...current, receipts: [...receipts, sha256] });
};

const certifyServiceDone: Mutator = (view, args, context) => {
  const id = idOf(args);
  view.put('service_done', id, { ...args, certified_at: context.clientTime });
  const orderId = args['purchase_order_id'];
  if (typeof orderId === 'string') {
    const order = view.get('purchase_order', orderId);
    if (order !== undefined) view.put('purchase_order', orderId, { ...order, service_done: true });
  }
};

const readNotification: Mutator = (view, args, context) => {
  const id = idOf(args);
  const current = view.get('notification', id);
  if (current !== undefined && current['read_at'] == null) {
    view.put('notification', id, { ...current, read_at: context.clientTime });
  }
};

/** Handlers by intent name (all version 1; a newer version adds its own entry `name@v`). */
export const MUTATORS: ReadonlyMap<string, Mutator> = new Map<string, Mutator>([
  ['expense_line.create', create('expense_line', 'draft')],
  ['expense_line.edit', edit('expense_line')],
  ['expense_line.delete', remove('expense_line')],
  ['expense_line.attach_receipt', attachReceipt],
  ['mission.create', create('mission', 'draft')],
  ['mission.edit', edit('mission')],
  ['mission.submit', setStatus('mission', 'submitted', 'submitted_at')],
  ['mission.cancel', setStatus('mission', 'cancelled')],
  ['mission.approve', setStatus('mission', 'approved', 'decided_at')],
  ['mission.refuse', setStatus('mission', 'refused', 'decided_at')],
  ['mission.return', setStatus('mission', 'returned', 'decided_at')],
  ['claim.create', create('claim', 'draft')],
  ['claim.submit', setStatus('claim', 'submitted', 'submitted_at')],
  ['claim.approve', setStatus('claim', 'approved', 'decided_at')],
  ['claim.refuse', setStatus('claim', 'refused', 'decided_at')],
  ['claim.return', setStatus('claim', 'returned', 'decided_at')],
  ['service_done.certify', certifyServiceDone],
  ['notification.read', readNotification],
]);

/** The handler for (name, v): `name@v` first, then `name`. */
export function findMutator(name: string, v: number): Mutator | undefined {
  return MUTATORS.get(`${name}@${v}`) ?? MUTATORS.get(name);
}

/** An intent as replay needs it. */
export interface ReplayIntent {
  name: string;
  v: number;
  args: JsonObject;
  client_time: string;
  ack?: WireAck | undefined;
}

/**
 * The optimistic view: base rows with each pending intent applied in seq order. Intents the
 * server already rejected are skipped (their effect will not happen); a handler that throws is
 * skipped too (bad args are the server's to reject), and unknown names change nothing.
 */
export function replay(
  base: Iterable<BaseRow>,
  intents: readonly ReplayIntent[],
): Map<EntityName, Map<string, Row>> {
  const view = new Map<EntityName, Map<string, Row>>();
  for (const row of base) {
    let rows = view.get(row.entity);
    if (rows === undefined) view.set(row.entity, (rows = new Map()));
    rows.set(row.id, { id: row.id, entity: row.entity, row_version: row.row_version, pending: false, data: row.data });
  }
  const draft: ViewDraft = {
    get: (entity, id) => view.get(entity)?.get(id)?.data,
    put(entity, id, data) {
      let rows = view.get(entity);
      if (rows === undefined) view.set(entity, (rows = new Map()));
      const previous = rows.get(id);
      rows.set(id, { id, entity, row_version: previous?.row_version ?? 0, pending: true, data });
    },
    del: (entity, id) => {
      view.get(entity)?.delete(id);
    },
  };
  for (const intent of intents) {
    if (intent.ack?.status === 'rejected') continue;
    const mutator = findMutator(intent.name, intent.v);
    if (mutator === undefined) continue;
    try {
      mutator(draft, intent.args, { clientTime: intent.client_time, ack: intent.ack });
    } catch {
      // Keep the intent queued; the server will answer for it.
    }
  }
  return view;
}
