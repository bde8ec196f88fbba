/**
 * Typed helpers that build intents for the UI: each reads what the user currently sees in the
 * optimistic view (row_version, state, content hash) so preconditions are what the user saw.
 * Names follow the server registry: `entity.verb`, version 1.
 */
import type { EntityName, Json, JsonObject, PendingIntent, Problem, Row } from './types';
import { newId } from './ids';

/** What commands need from the data layer. */
export interface CommandHost {
  enqueue(name: string, v: number, args: JsonObject): Promise<PendingIntent>;
  currentRow(entity: EntityName, id: string): Row | undefined;
  attachReceiptBlob(lineId: string, file: Blob): Promise<PendingIntent>;
  /** Stores the documents for upload and queues `invoice.complete` with them. */
  answerInvoice(id: string, comment: string, files: readonly File[]): Promise<PendingIntent>;
  /** Inbox reads are REST on the server (not intents); offline they wait for the next sync. */
  markNotificationRead(id: string): Promise<void>;
}

/**
 * Fields of an expense line (ligne de frais), protocol §7: date (YYYY-MM-DD), category,
 * merchant, description, amount_cents, currency, vat_rate_bp (basis points), vat_cents,
 * fx_rate (decimal string), km, fiscal_hp, claim_id, field_sources. Money in integer cents.
 */
export interface ExpenseLineFields extends JsonObject {}

/** Fields of a mission order (ordre de mission): purpose, destination, starts_on, ends_on, transport, estimated_cost_cents, bookings. */
export interface MissionFields extends JsonObject {}

function baseVersion(host: CommandHost, entity: EntityName, id: string): number {
  return host.currentRow(entity, id)?.row_version ?? 0;
}

/** The workflow state the user sees (`state` on the wire; `status` accepted). */
function state(host: CommandHost, entity: EntityName, id: string): string | null {
  const data = host.currentRow(entity, id)?.data;
  const value = data?.['state'] ?? data?.['status'];
  return typeof value === 'string' ? value : null;
}

/** Hash of the content the approver saw, as pulled (`content_hash` of the row). */
function seenHash(host: CommandHost, entity: EntityName, id: string): string | null {
  const value = host.currentRow(entity, id)?.data['content_hash'];
  return typeof value === 'string' ? value : null;
}

/** A decision on what the approver saw: `<entity>.decide` {id, decision, expected_state, content_hash, reason}. */
function decide(host: CommandHost, entity: EntityName, decision: Decision, id: string, reason = '') {
  return host.enqueue(`${entity}.decide`, 1, {
    id,
    decision,
    expected_state: state(host, entity, id),
    content_hash: seenHash(host, entity, id),
    reason,
  });
}

function transition(host: CommandHost, entity: EntityName, verb: string, id: string) {
  return host.enqueue(`${entity}.${verb}`, 1, { id, expected_state: state(host, entity, id) });
}

/** A draft edit: changed fields at top level beside `id` and `base_version` (protocol §7). */
function edit(host: CommandHost, entity: EntityName, id: string, changes: JsonObject) {
  const { id: _id, base_version: _bv, ...fields } = changes;
  return host.enqueue(`${entity}.edit`, 1, { ...fields, id, base_version: baseVersion(host, entity, id) });
}

export type Decision = 'approve' | 'refuse' | 'return';

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The row a problem's intent was about: entity from `entity.verb`, id from its args. */
function targetOf(problem: Problem): { entity: EntityName; id: string } | null {
  const entity = problem.intent.name.split('.')[0];
  const id = problem.intent.args['id'];
  return entity && typeof id === 'string' ? { entity, id } : null;
}

/** Builds the command objects bound to one data layer. */
export function makeCommands(host: CommandHost) {
  return {
    /** Expense lines (lignes de frais) of a claim. */
    expenseLines: {
      /** Creates a draft line; returns its new id (UUIDv7). */
      async create(fields: ExpenseLineFields): Promise<string> {
        const id = typeof fields['id'] === 'string' ? fields['id'] : newId();
        await host.enqueue('expense_line.create', 1, { ...fields, id });
        return id;
      },
      /** Edits fields of a draft line on top of the row_version the user saw (null clears). */
      edit: (id: string, changes: ExpenseLineFields): Promise<PendingIntent> => edit(host, 'expense_line', id, changes),
      /** Deletes a draft line. */
      delete: (id: string): Promise<PendingIntent> => host.enqueue('expense_line.delete', 1, { id }),
      /** Stores the photo locally, queues its upload and the attach intent at once. */
      attachReceipt(lineId: string, file: Blob): Promise<PendingIntent> {
        return host.attachReceiptBlob(lineId, file);
      },
    },
    /** Mission orders (ordres de mission). */
    missions: {
      async create(fields: MissionFields): Promise<string> {
        const id = typeof fields['id'] === 'string' ? fields['id'] : newId();
        await host.enqueue('mission.create', 1, { ...fields, id });
        return id;
      },
      edit: (id: string, changes: MissionFields): Promise<PendingIntent> => edit(host, 'mission', id, changes),
      submit: (id: string) => transition(host, 'mission', 'submit', id),
      cancel: (id: string) => transition(host, 'mission', 'cancel', id),
      /** An approved mission back to draft (the approval gone): edit it, then submit again. */
      amend: (id: string) => transition(host, 'mission', 'amend', id),
      approve: (id: string, reason?: string) => decide(host, 'mission', 'approve', id, reason),
      refuse: (id: string, reason?: string) => decide(host, 'mission', 'refuse', id, reason),
      return: (id: string, reason?: string) => decide(host, 'mission', 'return', id, reason),
    },
    /** Expense claims (états de frais), entity `expense_claim`. */
    claims: {
      /** Opens the claim of an approved mission; returns its id. */
      async create(missionId: string, title = ''): Promise<string> {
        const id = newId();
        await host.enqueue('expense_claim.create', 1, { id, mission_id: missionId, title });
        return id;
      },
      /** Submits; pushed only once the claim's receipts are uploaded. */
      submit: (id: string) => transition(host, 'expense_claim', 'submit', id),
      /** Back to draft before a decision (a decision made meanwhile wins: STATE_CHANGED). */
      withdraw: (id: string) => transition(host, 'expense_claim', 'withdraw', id),
      approve: (id: string, reason?: string) => decide(host, 'expense_claim', 'approve', id, reason),
      refuse: (id: string, reason?: string) => decide(host, 'expense_claim', 'refuse', id, reason),
      return: (id: string, reason?: string) => decide(host, 'expense_claim', 'return', id, reason),
      /** Back-office: marks paid. */
      markPaid: (id: string, paymentReference = '') =>
        host.enqueue('expense_claim.mark_paid', 1, {
          id,
          expected_state: state(host, 'expense_claim', id),
          payment_reference: paymentReference,
        }),
    },
    /** Purchase orders (bons de commande) and service done (service fait). */
    purchaseOrders: {
      /**
       * Certifies service done on the certification round the manager saw: every line when
       * `lines` is omitted, else the quantities received per line.
       */
      certify(
        id: string,
        options: { certifiedOn: string; lines?: { line_no: number; received: number | string }[]; comment?: string; invoiceId?: string },
      ): Promise<PendingIntent> {
        const round = host.currentRow('purchase_order', id)?.data['certification_round'];
        return host.enqueue('purchase_order.certify', 1, {
          id,
          round_seen: typeof round === 'number' ? round : 0,
          certified_on: options.certifiedOn,
          lines: options.lines ?? null,
          comment: options.comment ?? '',
          invoice_id: options.invoiceId ?? null,
        });
      },
      /** Revokes a certification (explicit command; certification is otherwise monotonic). */
      revoke: (id: string, reason: string, lineNos?: number[]) =>
        host.enqueue('purchase_order.revoke', 1, { id, reason, line_nos: lineNos ?? null }),
    },
    /** Supplier invoices. */
    invoices: {
      /** The supplier answers a suspension: a message and documents (photos, PDFs), offline too. */
      complete(id: string, comment = '', files: readonly File[] = []): Promise<PendingIntent> {
        return host.answerInvoice(id, comment, files);
      },
    },
    notifications: {
      /** Marks one inbox item read (works offline). */
      read: (id: string): Promise<void> => host.markNotificationRead(id),
    },
    /** Answers to problems shown to the user (then call dismissProblem(problem.key)). */
    conflicts: {
      /**
       * Restores values an edit overwrote (ack `conflicts`: later arrival won): a new edit
       * setting each `lost` value back, on the row_version the user sees now.
       */
      restore(problem: Problem, fields?: readonly string[]): Promise<PendingIntent> | null {
        const target = targetOf(problem);
        if (target === null || problem.conflicts.length === 0) return null;
        const changes: JsonObject = {};
        for (const conflict of problem.conflicts) {
          if (fields === undefined || fields.includes(conflict.field)) changes[conflict.field] = conflict.lost;
        }
        return edit(host, target.entity, target.id, changes);
      },
      /**
       * MONEY_CONFLICT: the user keeps their amounts (`mine`: a new edit of the money group on
       * the current row_version) or the server's (`theirs`: nothing to send).
       */
      chooseMoney(problem: Problem, choice: 'mine' | 'theirs'): Promise<PendingIntent> | null {
        const target = targetOf(problem);
        const client = problem.details['client'];
        if (choice === 'theirs' || target === null || !isObject(client)) return null;
        return edit(host, target.entity, target.id, client);
      },
    },
  };
}

export type Commands = ReturnType<typeof makeCommands>;
