/**
 * The only way the UI queues an intent: one typed command per server intent, whose arguments are
 * the server's generated `IntentArgs[name]` (contract.gen.ts, types only, so the contract's values
 * stay out of the first load). Each reads what the user currently sees in the optimistic view
 * (row_version, state, content hash) so preconditions are what the user saw.
 */
import type { IntentArgs, IntentName } from './contract.gen';
import type { EntityName, JsonObject, PendingIntent, Problem, Row } from './types';
import { newId } from './ids';

/** A document sent with an intent (an uploaded blob), as the generated contract names it. */
export type Attachment = NonNullable<IntentArgs['invoice.complete']['attachments']>[number];

/** What commands need from the data layer. */
export interface CommandHost {
  /** Queues an intent (any name: the data layer's primitive; commands give it typed args). */
  enqueue(name: string, v: number, args: JsonObject): Promise<PendingIntent>;
  currentRow(entity: EntityName, id: string): Row | undefined;
  /** Keeps a receipt photo on the device for a resumable upload; its SHA-256. */
  storeReceipt(file: Blob): Promise<string>;
  /** Keeps documents (photos, PDFs) on the device for upload to the invoice's organisation. */
  storeDocuments(invoiceId: string, files: readonly File[]): Promise<Attachment[]>;
  /** Inbox reads are REST on the server (not intents); offline they wait for the next sync. */
  markNotificationRead(id: string): Promise<void>;
}

/** Every intent is version 1 today; a newer version is a new typed command. */
const VERSION = 1;

/** Queues `name` with arguments checked, at compile time, against the server's contract. */
function send<N extends IntentName>(host: CommandHost, name: N, args: IntentArgs[N]): Promise<PendingIntent> {
  return host.enqueue(name, VERSION, args as unknown as JsonObject);
}

/** `args` with an optional `id` (a new document's id is made here when not given). */
type WithOptionalId<A extends { id: string }> = Omit<A, 'id'> & { id?: string };
/** The fields an edit may change (protocol §7): all but `id` and `base_version`. */
type Changes<N extends 'expense_line.edit' | 'mission.edit'> = Omit<IntentArgs[N], 'id' | 'base_version'>;

/** Fields of a new expense line (ligne de frais), protocol §7. Money in integer cents. */
export type ExpenseLineFields = WithOptionalId<IntentArgs['expense_line.create']>;
/** Fields of a new mission order (ordre de mission). */
export type MissionFields = WithOptionalId<IntentArgs['mission.create']>;
export type Decision = IntentArgs['mission.decide']['decision'];

function baseVersion(host: CommandHost, entity: EntityName, id: string): number {
  return host.currentRow(entity, id)?.row_version ?? 0;
}

/** The workflow state the user sees (`state` on the wire; `status` accepted), else `unseen`. */
function state(host: CommandHost, entity: EntityName, id: string, unseen: string): string {
  const data = host.currentRow(entity, id)?.data;
  const value = data?.['state'] ?? data?.['status'];
  return typeof value === 'string' ? value : unseen;
}

/** Hash of the content the approver saw, as pulled (`content_hash` of the row). */
function seenHash(host: CommandHost, entity: EntityName, id: string): string {
  const value = host.currentRow(entity, id)?.data['content_hash'];
  return typeof value === 'string' ? value : '';
}

/** A state change on what the user saw (submit, cancel, amend, withdraw). */
function transition(host: CommandHost, entity: 'mission' | 'expense_claim', id: string) {
  return { id, expected_state: state(host, entity, id, 'draft') };
}

/** A decision on what the approver saw. */
function decision(host: CommandHost, entity: 'mission' | 'expense_claim', id: string, choice: Decision, reason = '') {
  return { id, decision: choice, expected_state: state(host, entity, id, 'submitted'), content_hash: seenHash(host, entity, id), reason };
}

/** A draft edit: changed fields at top level beside `id` and `base_version` (protocol §7). */
function editLine(host: CommandHost, id: string, changes: Changes<'expense_line.edit'>) {
  return send(host, 'expense_line.edit', { ...changes, id, base_version: baseVersion(host, 'expense_line', id) });
}
function editMission(host: CommandHost, id: string, changes: Changes<'mission.edit'>) {
  return send(host, 'mission.edit', { ...changes, id, base_version: baseVersion(host, 'mission', id) });
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An edit putting `changes` back on the row a problem's intent was about (entity from
 * `entity.edit`, id from its args); null when that intent was no draft edit. The values are
 * the server's own (what it reported), so they have the edit's shape. */
function reEdit(host: CommandHost, problem: Problem, changes: JsonObject): Promise<PendingIntent> | null {
  const id = problem.intent.args['id'];
  if (typeof id !== 'string') return null;
  if (problem.intent.name === 'expense_line.edit') return editLine(host, id, changes as Changes<'expense_line.edit'>);
  if (problem.intent.name === 'mission.edit') return editMission(host, id, changes as Changes<'mission.edit'>);
  return null;
}

/** Builds the command objects bound to one data layer. */
export function makeCommands(host: CommandHost) {
  return {
    /** Expense lines (lignes de frais) of a claim. */
    expenseLines: {
      /** Creates a draft line; returns its id (UUIDv7, made here when not given). */
      async create(fields: ExpenseLineFields): Promise<string> {
        const id = fields.id ?? newId();
        await send(host, 'expense_line.create', { ...fields, id });
        return id;
      },
      /** Edits fields of a draft line on top of the row_version the user saw (null clears). */
      edit: (id: string, changes: Changes<'expense_line.edit'>): Promise<PendingIntent> => editLine(host, id, changes),
      /** Deletes a draft line. */
      delete: (id: string): Promise<PendingIntent> => send(host, 'expense_line.delete', { id }),
      /** Stores the photo locally, queues its upload and the attach intent at once. */
      async attachReceipt(lineId: string, file: Blob): Promise<PendingIntent> {
        const sha256 = await host.storeReceipt(file);
        return send(host, 'expense_line.attach_receipt', { id: lineId, sha256 });
      },
      /** One line per receipt: the line keeps its first receipt, each other one a new line
       * (`count` new ids, one per receipt after the first); returns the new lines' ids. */
      async splitReceipts(id: string, count: number): Promise<string[]> {
        const newIds = Array.from({ length: count }, () => newId());
        await send(host, 'expense_line.split_receipts', { id, new_ids: newIds });
        return newIds;
      },
    },
    /** Mission orders (ordres de mission). */
    missions: {
      async create(fields: MissionFields): Promise<string> {
        const id = fields.id ?? newId();
        await send(host, 'mission.create', { ...fields, id });
        return id;
      },
      edit: (id: string, changes: Changes<'mission.edit'>): Promise<PendingIntent> => editMission(host, id, changes),
      submit: (id: string) => send(host, 'mission.submit', transition(host, 'mission', id)),
      cancel: (id: string) => send(host, 'mission.cancel', transition(host, 'mission', id)),
      /** An approved mission back to draft (the approval gone): edit it, then submit again. */
      amend: (id: string) => send(host, 'mission.amend', transition(host, 'mission', id)),
      /** Approve, refuse or return, on the state and content the approver saw. */
      decide: (id: string, choice: Decision, reason?: string) => send(host, 'mission.decide', decision(host, 'mission', id, choice, reason)),
    },
    /** Expense claims (états de frais), entity `expense_claim`. */
    claims: {
      /** Opens the claim of an approved mission; returns its id (made here when not given). */
      async create(fields: WithOptionalId<IntentArgs['expense_claim.create']>): Promise<string> {
        const id = fields.id ?? newId();
        await send(host, 'expense_claim.create', { ...fields, id });
        return id;
      },
      /** Submits; pushed only once the claim's receipts are uploaded. */
      submit: (id: string) => send(host, 'expense_claim.submit', transition(host, 'expense_claim', id)),
      /** Back to draft before a decision (a decision made meanwhile wins: STATE_CHANGED). */
      withdraw: (id: string) => send(host, 'expense_claim.withdraw', transition(host, 'expense_claim', id)),
      decide: (id: string, choice: Decision, reason?: string) =>
        send(host, 'expense_claim.decide', decision(host, 'expense_claim', id, choice, reason)),
      /** Back-office: marks paid. */
      markPaid: (id: string, paymentReference = '') =>
        send(host, 'expense_claim.mark_paid', { id, expected_state: state(host, 'expense_claim', id, 'approved'), payment_reference: paymentReference }),
    },
    /** Purchase orders (bons de commande) and service done (service fait). */
    purchaseOrders: {
      /**
       * Certifies service done on the certification round the manager saw: every line when
       * `lines` is omitted or null, else the quantities received per line.
       */
      certify(id: string, options: Omit<IntentArgs['purchase_order.certify'], 'id' | 'round_seen'>): Promise<PendingIntent> {
        const round = host.currentRow('purchase_order', id)?.data['certification_round'];
        return send(host, 'purchase_order.certify', { ...options, id, round_seen: typeof round === 'number' ? round : 0 });
      },
      /** Revokes a certification (explicit command; certification is otherwise monotonic). */
      revoke: (id: string, reason: string, lineNos?: number[]) =>
        send(host, 'purchase_order.revoke', { id, reason, ...(lineNos ? { line_nos: lineNos } : {}) }),
    },
    /** Supplier invoices. */
    invoices: {
      /** The supplier answers a suspension: a message and documents (photos, PDFs), offline too.
       * The documents wait on the phone and upload resumably (the server retries BLOB_PENDING). */
      async complete(id: string, comment = '', files: readonly File[] = []): Promise<PendingIntent> {
        const attachments = await host.storeDocuments(id, files);
        const data = host.currentRow('invoice', id)?.data;
        const status = data?.['status_code'] ?? data?.['status'];
        return send(host, 'invoice.complete', {
          id, expected_status: typeof status === 'string' ? status : 'SUSPENDUE', comment, attachments,
        });
      },
    },
    /** The agent's car (`vehicle_profile`, id = the agent's user id), created or replaced. */
    vehicles: {
      set: (profile: IntentArgs['vehicle_profile.set']) => send(host, 'vehicle_profile.set', profile),
    },
    /** Questions and answers on a mission or an expense claim (commentaires), offline too. */
    comments: {
      /** Writes on the document's thread; returns the comment's id (UUIDv7). */
      async add(documentType: IntentArgs['comment.add']['document_type'], documentId: string, body: string): Promise<string> {
        const id = newId();
        await send(host, 'comment.add', { id, document_type: documentType, document_id: documentId, body });
        return id;
      },
    },
    notifications: {
      /** Marks one inbox item read (works offline; REST, not an intent). */
      read: (id: string): Promise<void> => host.markNotificationRead(id),
    },
    /** Answers to problems shown to the user (then call dismissProblem(problem.key)). */
    conflicts: {
      /**
       * Restores values an edit overwrote (ack `conflicts`: later arrival won): a new edit
       * setting each `lost` value back, on the row_version the user sees now.
       */
      restore(problem: Problem, fields?: readonly string[]): Promise<PendingIntent> | null {
        if (problem.conflicts.length === 0) return null;
        const changes: JsonObject = {};
        for (const conflict of problem.conflicts) {
          if (fields === undefined || fields.includes(conflict.field)) changes[conflict.field] = conflict.lost;
        }
        return reEdit(host, problem, changes);
      },
      /**
       * MONEY_CONFLICT: the user keeps their amounts (`mine`: a new edit of the money group on
       * the current row_version) or the server's (`theirs`: nothing to send).
       */
      chooseMoney(problem: Problem, choice: 'mine' | 'theirs'): Promise<PendingIntent> | null {
        const client = problem.details['client'];
        if (choice === 'theirs' || !isObject(client)) return null;
        const { id: _id, base_version: _bv, ...money } = client;
        return reEdit(host, problem, money);
      },
    },
  };
}

export type Commands = ReturnType<typeof makeCommands>;
