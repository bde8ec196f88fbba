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

/** The changed fields of an edit: top-level args beside id and base_version (protocol §7). */
function changesOf(args: JsonObject): JsonObject {
  const { id: _id, base_version: _bv, field_sources: _fs, ...rest } = args;
  return rest;
}

/** Workflow documents carry `state`; created in `initial` (null: no state, e.g. expense lines). */
function create(entity: EntityName, initial: string | null): Mutator {
  return (view, args) => {
    const id = idOf(args);
    const data: JsonObject = { ...args };
    if (initial !== null && data['state'] === undefined) data['state'] = initial;
    view.put(entity, id, data);
  };
}

/** As the server does: a changed field's source becomes the one the edit gives, or "user"
 * (a value the user typed is theirs; a receipt reading no longer fills it). */
function sourcesAfter(current: JsonObject, changes: JsonObject, args: JsonObject): JsonObject | undefined {
  const before = current['field_sources'];
  if (typeof before !== 'object' || before === null || Array.isArray(before)) return undefined;
  const given = args['field_sources'];
  const asked = typeof given === 'object' && given !== null && !Array.isArray(given) ? given : {};
  const sources: JsonObject = { ...before };
  for (const name of Object.keys(changes)) sources[name] = asked[name] ?? 'user';
  return sources;
}

function edit(entity: EntityName): Mutator {
  return (view, args) => {
    const id = idOf(args);
    const current = view.get(entity, id);
    if (current === undefined) return; // delete beats edit
    const changes = changesOf(args);
    const sources = sourcesAfter(current, changes, args);
    view.put(entity, id, { ...current, ...changes, ...(sources ? { field_sources: sources } : {}) });
  };
}

function remove(entity: EntityName): Mutator {
  return (view, args) => view.del(entity, idOf(args));
}

function setState(entity: EntityName, state: string, stamp?: string): Mutator {
  return (view, args, context) => {
    const id = idOf(args);
    const current = view.get(entity, id);
    if (current === undefined) return;
    const next: JsonObject = { ...current, state };
    if (stamp !== undefined) next[stamp] = context.clientTime;
    const reason = args['reason'];
    if (typeof reason === 'string' && reason !== '') next['decision_reason'] = reason;
    view.put(entity, id, next);
  };
}

const DECIDED: Record<string, string> = { approve: 'approved', refuse: 'refused', return: 'returned' };

/** `<entity>.decide` {decision: approve | refuse | return}. */
function decide(entity: EntityName): Mutator {
  return (view, args, context) => {
    const state = DECIDED[String(args['decision'])];
    if (state !== undefined) setState(entity, state, 'decided_at')(view, args, context);
  };
}

const attachReceipt: Mutator = (view, args) => {
  const id = idOf(args);
  const current = view.get('expense_line', id);
  if (current === undefined) return;
  const sha256 = args['sha256'];
  if (typeof sha256 !== 'string') return;
  const receipts = Array.isArray(current['receipts']) ? current['receipts'] : [];
  if (receipts.includes(sha256)) return;
  view.put('expense_line', id, { ...current, receipts: [...receipts, sha256] });
};

/** `purchase_order.certify`: service done (service fait), whole order or quantities per line. */
const certifyOrder: Mutator = (view, args, context) => {
  const id = idOf(args);
  const order = view.get('purchase_order', id);
  if (order === undefined) return;
  const next: JsonObject = { ...order, certified_at: context.clientTime };
  if (typeof args['certified_on'] === 'string') next['certified_on'] = args['certified_on'];
  if (typeof args['comment'] === 'string') next['certification_comment'] = args['comment'];
  const lines = args['lines'];
  next['state'] = Array.isArray(lines) && lines.length > 0 ? 'partially_certified' : 'certified';
  view.put('purchase_order', id, next);
};

/** `invoice.complete`: the supplier answered a suspension (shown at once, with the answer). */
const completeInvoice: Mutator = (view, args, context) => {
  const id = idOf(args);
  const invoice = view.get('invoice', id);
  if (invoice === undefined) return;
  const history = Array.isArray(invoice['history']) ? invoice['history'] : [];
  const answer: JsonObject = {
    code: 'COMPLETEE', occurred_at: context.clientTime, source: 'nomade',
    reason: typeof args['comment'] === 'string' ? args['comment'] : '',
    attachments: Array.isArray(args['attachments']) ? args['attachments'] : [],
  };
  view.put('invoice', id, { ...invoice, status_code: 'COMPLETEE', status: 'COMPLETEE', history: [...history, answer] });
};

/** Intents with no visible effect on synced rows (settings kept elsewhere). */

const readNotification: Mutator = (view, args, context) => {
  const id = idOf(args);
  const current = view.get('notification', id);
  if (current !== undefined && current['read_at'] == null) {
    view.put('notification', id, { ...current, read_at: context.clientTime });
  }
};

/** Handlers by intent name (all version 1; a newer version adds its own entry `name@v`). */
export const MUTATORS: ReadonlyMap<string, Mutator> = new Map<string, Mutator>([
  ['expense_line.create', create('expense_line', null)],
  ['expense_line.edit', edit('expense_line')],
  ['expense_line.delete', remove('expense_line')],
  ['expense_line.attach_receipt', attachReceipt],
  ['mission.create', create('mission', 'draft')],
  ['mission.edit', edit('mission')],
  ['mission.submit', setState('mission', 'submitted', 'submitted_at')],
  ['mission.cancel', setState('mission', 'cancelled')],
  ['mission.amend', setState('mission', 'draft')],
  ['mission.decide', decide('mission')],
  // Aliases of mission.decide from the first design.
  ['mission.approve', setState('mission', 'approved', 'decided_at')],
  ['mission.refuse', setState('mission', 'refused', 'decided_at')],
  ['mission.return', setState('mission', 'returned', 'decided_at')],
  ['expense_claim.create', create('expense_claim', 'draft')],
  ['expense_claim.submit', setState('expense_claim', 'submitted', 'submitted_at')],
  ['expense_claim.withdraw', setState('expense_claim', 'draft')],
  ['expense_claim.decide', decide('expense_claim')],
  ['expense_claim.mark_paid', setState('expense_claim', 'paid', 'paid_at')],
  ['purchase_order.certify', certifyOrder],
  ['invoice.complete', completeInvoice],
  // Names of the first design (sync-design.md), kept so old queued intents still show.
  ['claim.create', create('claim', 'draft')],
  ['claim.submit', setState('claim', 'submitted', 'submitted_at')],
  ['claim.decide', decide('claim')],
  ['claim.approve', setState('claim', 'approved', 'decided_at')],
  ['claim.refuse', setState('claim', 'refused', 'decided_at')],
  ['claim.return', setState('claim', 'returned', 'decided_at')],
  ['service_done.certify', certifyOrder],
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
