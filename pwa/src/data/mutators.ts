/**
 * Client-side optimistic handlers, one per server intent: the same meaning as the server's
 * handlers, simplified (no permission or conflict checks: the server decides, and the next pull
 * replaces the guess). The view the UI shows is base rows + every pending intent replayed here.
 * Each handler is typed by the intent's generated arguments (contract.gen.ts, types only); an
 * intent whose name has no handler stays queued and is listed as pending, unchanged view.
 */
import type { ClaimRow, IntentArgs, IntentName } from './contract.gen';
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

/** The handler of one intent, on its generated arguments. */
export type Mutator<A = JsonObject> = (view: ViewDraft, args: A, context: MutatorContext) => void;

/** The id every intent's arguments carry (checked: stored args are not validated here). */
function idOf(args: { id: string }): string {
  const id: unknown = args.id;
  if (typeof id !== 'string') throw new Error('intent args need a string id');
  return id;
}

/** Arguments as row data (they are JSON: they were stored as such). */
const asData = (args: object): JsonObject => args as JsonObject;

/** The changed fields of an edit: top-level args beside id and base_version (protocol §7). */
function changesOf(args: { id: string; base_version: number; field_sources?: unknown }): JsonObject {
  const { id: _id, base_version: _bv, field_sources: _fs, ...rest } = args;
  return asData(rest);
}

/** Workflow documents carry `state`; created in `initial` (null: no state, e.g. expense lines). */
function create(entity: EntityName, initial: string | null): Mutator<{ id: string }> {
  return (view, args) => {
    const id = idOf(args);
    const data: JsonObject = { ...asData(args) };
    if (initial !== null && data['state'] === undefined) data['state'] = initial;
    view.put(entity, id, data);
  };
}

/** `expense_claim.create`: held in the shape of the server's row (ClaimRow names the mission
 * `mission`; the intent's arguments, `mission_id`), so the screens read one name. */
const createClaim: Mutator<IntentArgs['expense_claim.create']> = (view, args) => {
  const { mission_id: mission, ...rest } = args;
  const held: Partial<ClaimRow> = { ...rest, mission, state: 'draft' };
  view.put('expense_claim', idOf(args), asData(held));
};

/** As the server does: a changed field's source becomes the one the edit gives, or "user"
 * (a value the user typed is theirs; a receipt reading no longer fills it). */
function sourcesAfter(current: JsonObject, changes: JsonObject, given: unknown): JsonObject | undefined {
  const before = current['field_sources'];
  if (typeof before !== 'object' || before === null || Array.isArray(before)) return undefined;
  const asked = typeof given === 'object' && given !== null && !Array.isArray(given) ? (given as JsonObject) : {};
  const sources: JsonObject = { ...before };
  for (const name of Object.keys(changes)) sources[name] = asked[name] ?? 'user';
  return sources;
}

function edit(entity: EntityName): Mutator<{ id: string; base_version: number; field_sources?: unknown }> {
  return (view, args) => {
    const id = idOf(args);
    const current = view.get(entity, id);
    if (current === undefined) return; // delete beats edit
    const changes = changesOf(args);
    const sources = sourcesAfter(current, changes, args.field_sources);
    view.put(entity, id, { ...current, ...changes, ...(sources ? { field_sources: sources } : {}) });
  };
}

function remove(entity: EntityName): Mutator<{ id: string }> {
  return (view, args) => view.del(entity, idOf(args));
}

function setState(entity: EntityName, state: string, stamp?: string): Mutator<{ id: string; reason?: string }> {
  return (view, args, context) => {
    const id = idOf(args);
    const current = view.get(entity, id);
    if (current === undefined) return;
    const next: JsonObject = { ...current, state };
    if (stamp !== undefined) next[stamp] = context.clientTime;
    if (typeof args.reason === 'string' && args.reason !== '') next['decision_reason'] = args.reason;
    view.put(entity, id, next);
  };
}

const DECIDED: Record<string, string> = { approve: 'approved', refuse: 'refused', return: 'returned' };

/** `<entity>.decide` {decision: approve | refuse | return}. */
function decide(entity: EntityName): Mutator<IntentArgs['mission.decide'] | IntentArgs['expense_claim.decide']> {
  return (view, args, context) => {
    const state = DECIDED[String(args.decision)];
    if (state !== undefined) setState(entity, state, 'decided_at')(view, args, context);
  };
}

const attachReceipt: Mutator<IntentArgs['expense_line.attach_receipt']> = (view, args) => {
  const id = idOf(args);
  const current = view.get('expense_line', id);
  if (current === undefined || typeof args.sha256 !== 'string') return;
  const receipts = Array.isArray(current['receipts']) ? current['receipts'] : [];
  if (receipts.includes(args.sha256)) return;
  view.put('expense_line', id, { ...current, receipts: [...receipts, args.sha256] });
};

/** `expense_line.split_receipts`: one line per receipt. The line keeps its first receipt; each
 * other receipt becomes a new line showing what its reading said (the server recomputes all). */
const splitReceipts: Mutator<IntentArgs['expense_line.split_receipts']> = (view, args) => {
  const id = idOf(args);
  const current = view.get('expense_line', id);
  const newIds: unknown[] = Array.isArray(args.new_ids) ? args.new_ids : [];
  if (current === undefined) return;
  const receipts = Array.isArray(current['receipts']) ? current['receipts'] : [];
  if (receipts.length < 2 || newIds.length !== receipts.length - 1) return;
  const reading = current['ocr'];
  const entries = reading && typeof reading === 'object' && !Array.isArray(reading) && Array.isArray(reading['receipts'])
    ? reading['receipts'] : [];
  const entryOf = (sha: unknown): JsonObject | undefined =>
    entries.find((e): e is JsonObject => !!e && typeof e === 'object' && !Array.isArray(e) && e['sha256'] === sha);
  const fieldsOf = (sha: unknown): JsonObject => {
    const e = entryOf(sha);
    const out: JsonObject = {};
    for (const key of ['date', 'amount_cents', 'currency', 'merchant', 'category', 'vat_cents', 'vat_rate_bp']) {
      if (e && e[key] !== null && e[key] !== undefined) out[key] = e[key] as JsonObject[string];
    }
    return out;
  };
  newIds.forEach((newId, n) => {
    if (typeof newId !== 'string') return;
    const sha = receipts[n + 1];
    const entry = entryOf(sha);
    view.put('expense_line', newId, {
      ...current, id: newId, ...fieldsOf(sha), receipts: [sha ?? null], row_version: 0,
      ocr: entry ? { receipts: [entry] } : {},
    });
  });
  const first = entryOf(receipts[0]);
  view.put('expense_line', id, { ...current, ...fieldsOf(receipts[0]), receipts: [receipts[0] ?? null], ocr: first ? { receipts: [first] } : {} });
};

/** `purchase_order.certify`: service done (service fait), whole order or quantities per line. */
const certifyOrder: Mutator<IntentArgs['purchase_order.certify']> = (view, args, context) => {
  const id = idOf(args);
  const order = view.get('purchase_order', id);
  if (order === undefined) return;
  const next: JsonObject = { ...order, certified_at: context.clientTime };
  if (typeof args.certified_on === 'string') next['certified_on'] = args.certified_on;
  if (typeof args.comment === 'string') next['certification_comment'] = args.comment;
  next['state'] = Array.isArray(args.lines) && args.lines.length > 0 ? 'partially_certified' : 'certified';
  view.put('purchase_order', id, next);
};

/** `invoice.complete`: the supplier answered a suspension (shown at once, with the answer, no
 * longer asking to act). */
const completeInvoice: Mutator<IntentArgs['invoice.complete']> = (view, args, context) => {
  const id = idOf(args);
  const invoice = view.get('invoice', id);
  if (invoice === undefined) return;
  const history = Array.isArray(invoice['history']) ? invoice['history'] : [];
  const answer: JsonObject = {
    code: 'COMPLETEE', occurred_at: context.clientTime, source: 'nomade',
    reason: typeof args.comment === 'string' ? args.comment : '',
    attachments: Array.isArray(args.attachments) ? args.attachments.map(asData) : [],
  };
  // The answer is the act the suspension asked for; the server's next row says the stage.
  view.put('invoice', id, { ...invoice, status_code: 'COMPLETEE', action_needed: false, history: [...history, answer] });
};

/** `comment.add`: the message shows at once in its document's thread, stamped with the
 * phone's clock until the server's row replaces it. */
const addComment: Mutator<IntentArgs['comment.add']> = (view, args, context) => {
  const id = idOf(args);
  if (view.get('comment', id) !== undefined) return;
  view.put('comment', id, { ...asData(args), created_at: context.clientTime });
};

/** `vehicle_profile.set`: the agent's car, created or replaced (id = the agent's user id). */
const setVehicle: Mutator<IntentArgs['vehicle_profile.set']> = (view, args) =>
  view.put('vehicle_profile', idOf(args), { ...view.get('vehicle_profile', idOf(args)), ...asData(args) });

/** Handlers of the server's intents the phone shows at once (all version 1). Back-office
 * intents the phone never sends (`invoice.post_status`, `purchase_order.create`) have none. */
const HANDLERS: { readonly [N in IntentName]?: Mutator<IntentArgs[N]> } = {
  'expense_line.create': create('expense_line', null),
  'expense_line.edit': edit('expense_line'),
  'expense_line.delete': remove('expense_line'),
  'expense_line.attach_receipt': attachReceipt,
  'expense_line.split_receipts': splitReceipts,
  'vehicle_profile.set': setVehicle,
  'mission.create': create('mission', 'draft'),
  'mission.edit': edit('mission'),
  'mission.submit': setState('mission', 'submitted', 'submitted_at'),
  'mission.cancel': setState('mission', 'cancelled'),
  'mission.amend': setState('mission', 'draft'),
  'mission.decide': decide('mission'),
  'expense_claim.create': createClaim,
  'expense_claim.submit': setState('expense_claim', 'submitted', 'submitted_at'),
  'expense_claim.withdraw': setState('expense_claim', 'draft'),
  'expense_claim.decide': decide('expense_claim'),
  'expense_claim.mark_paid': setState('expense_claim', 'paid', 'paid_at'),
  'purchase_order.certify': certifyOrder,
  'invoice.complete': completeInvoice,
  'comment.add': addComment,
};

/** Handlers by intent name, on stored (JSON) args (a newer version would add `name@v`). */
export const MUTATORS: ReadonlyMap<string, Mutator> = new Map(
  Object.entries(HANDLERS).map(([name, handler]) => [name, handler as unknown as Mutator]),
);

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
