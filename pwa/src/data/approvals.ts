/**
 * What a manager reads beside the synced rows to decide (plain REST, online only): the "service
 * fait assisté" proposal of an order and the delegations given or received. Screens reach it
 * through this module, never through fetch. Errors come back as ApiError/NetworkError.
 */
import type { Auth } from './auth';

/** Quantities prefilled from the order's invoices (decimal strings or numbers, per line_no). */
export interface ServiceDoneProposal {
  order_id: string;
  invoice_ids: string[];
  round_seen: number;
  lines: { line_no: number; received: string | number }[];
}

export interface Delegation {
  id: string;
  delegator_id: string;
  delegator_name: string;
  delegate_id: string;
  delegate_name: string;
  starts_at: string;
  ends_at: string;
  revoked_at: string | null;
}

export class Approvals {
  constructor(
    private readonly auth: Auth,
    private readonly userId: () => string,
  ) {}

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, json?: unknown): Promise<T> {
    const request = json === undefined ? { method, path } : { method, path, json };
    return (await this.auth.authed<T>(this.userId(), request)).body;
  }

  serviceDoneProposal(orderId: string): Promise<ServiceDoneProposal> {
    return this.call('GET', `/api/v1/orders/${encodeURIComponent(orderId)}/service-done-proposal`);
  }

  delegations(): Promise<Delegation[]> {
    return this.call('GET', '/api/v1/me/delegations');
  }

  delegate(delegateId: string, startsAt: string, endsAt: string): Promise<Delegation> {
    return this.call('POST', '/api/v1/me/delegations', { delegate_id: delegateId, starts_at: startsAt, ends_at: endsAt });
  }

  endDelegation(id: string): Promise<void> {
    return this.call('DELETE', `/api/v1/me/delegations/${encodeURIComponent(id)}`);
  }
}
