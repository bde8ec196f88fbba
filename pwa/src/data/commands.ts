/**
 * Typed helpers that build intents for the UI: each reads what the user currently sees in the
 * optimistic view (row_version, state, content hash) so preconditions are what the user saw.
 * Names follow the server registry: `entity.verb`, version 1.
 */
import type { EntityName, JsonObject, PendingIntent, Row } from './types';
import { newId } from './ids';

/** What commands need from the data layer. */
export interface CommandHost {
  enqueue(name: string, v: number, args: JsonObject): Promise<PendingIntent>;
  currentRow(entity: EntityName, id: string): Row | undefined;
  attachReceiptBlob(lineId: string, file: Blob): Promise<PendingIntent>;
}

/** Fields of an expense line (ligne de frais). Money in integer cents, VAT rate in basis points. */
export interface ExpenseLineFields extends JsonObject {}

/** Fields of a mission order (ordre de mission). */
export interface MissionFields extends JsonObject {}

function baseVersion(host: CommandHost, entity: EntityName, id: string): number {
  return host.currentRow(entity, id)?.row_version ?? 0;
}

function state(host: CommandHost, entity: EntityName, id: string): string | null {
  const value = host.currentRow(entity, id)?.data['status'];
  return typeof value === 'string' ? value : null;
}

function seenHash(host: CommandHost, entity: EntityName, id: string): string | null {
  const value = host.currentRow(entity, id)?.data['content_hash'];
  return typeof value === 'string' ? value : null;
}

function decision(host: CommandHost, entity: EntityName, verb: string, id: string, comment?: string) {
  const args: JsonObject = {
    id,
    expected_state: state(host, entity, id),
    seen_hash: seenHash(host, entity, id),
  };
  if (comment !== undefined) args['comment'] = comment;
  return host.enqueue(`${entity}.${verb}`, 1, args);
}

function transition(host: CommandHost, entity: EntityName, verb: string, id: string, extra: JsonObject = {}) {
  return host.enqueue(`${entity}.${verb}`, 1, { id, expected_state: state(host, entity, id), ...extra });
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
      /** Edits fields of a draft line on top of the row_version the user saw. */
      edit(id: string, changes: ExpenseLineFields): Promise<PendingIntent> {
        return host.enqueue('expense_line.edit', 1, {
          id,
          base_version: baseVersion(host, 'expense_line', id),
          changes,
        });
      },
      /** Deletes a draft line. */
      delete(id: string): Promise<PendingIntent> {
        return host.enqueue('expense_line.delete', 1, {
          id,
          base_version: baseVersion(host, 'expense_line', id),
        });
      },
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
      edit(id: string, changes: MissionFields): Promise<PendingIntent> {
        return host.enqueue('mission.edit', 1, { id, base_version: baseVersion(host, 'mission', id), changes });
      },
      submit: (id: string) => transition(host, 'mission', 'submit', id),
      cancel: (id: string) => transition(host, 'mission', 'cancel', id),
      approve: (id: string, comment?: string) => decision(host, 'mission', 'approve', id, comment),
      refuse: (id: string, comment?: string) => decision(host, 'mission', 'refuse', id, comment),
      return: (id: string, comment?: string) => decision(host, 'mission', 'return', id, comment),
    },
    /** Expense claims (états de frais). */
    claims: {
      submit: (id: string) => transition(host, 'claim', 'submit', id),
      approve: (id: string, comment?: string) => decision(host, 'claim', 'approve', id, comment),
      refuse: (id: string, comment?: string) => decision(host, 'claim', 'refuse', id, comment),
      return: (id: string, comment?: string) => decision(host, 'claim', 'return', id, comment),
    },
    /** Service done (service fait) on a purchase order, fully or per line. */
    serviceDone: {
      certify(args: {
        purchase_order_id: string;
        done_on: string;
        comment?: string;
        lines?: { line_id: string; quantity: number }[];
        id?: string;
      }): Promise<PendingIntent> {
        const payload: JsonObject = { ...args, id: args.id ?? newId() } as unknown as JsonObject;
        return host.enqueue('service_done.certify', 1, payload);
      },
    },
    notifications: {
      /** Marks one notification read. */
      read: (id: string) => host.enqueue('notification.read', 1, { id }),
    },
  };
}

export type Commands = ReturnType<typeof makeCommands>;
