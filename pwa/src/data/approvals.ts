/**
 * What a manager reads beside the synced rows to decide (plain REST): the "service fait
 * assisté" proposal of an order, the delegations given or received, the colleagues one may
 * delegate to, and for whom one decides as a delegate (kept in IndexedDB for offline cards).
 * Screens reach it through this module, never through fetch. Errors come back as
 * ApiError/NetworkError.
 */
import type { Auth } from './auth';
import { guarded, type Db, type OnBehalfMeta } from './db';

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
  /** The kinds of request lent (empty: every kind). */
  kinds?: DelegableKind[];
}

/** What a delegation may be limited to (the server's accounts.schemas.DelegableKind). */
export type DelegableKind = 'mission' | 'claim' | 'service_done';

/** A colleague the manager may lend their approvals to (the server's rule). */
export interface Delegate {
  id: string;
  full_name: string;
  role: string;
}

export class Approvals {
  constructor(
    private readonly auth: Auth,
    private readonly userId: () => string,
    private readonly db?: Db,
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

  delegate(delegateId: string, startsAt: string, endsAt: string, kinds: DelegableKind[] = []): Promise<Delegation> {
    return this.call('POST', '/api/v1/me/delegations', { delegate_id: delegateId, starts_at: startsAt, ends_at: endsAt, kinds });
  }

  delegates(): Promise<Delegate[]> {
    return this.call('GET', '/api/v1/me/delegates');
  }

  /**
   * Person id → names of the managers the user decides for as a delegate: asked of the server
   * and kept; offline (or refused) the last answer kept ({} before any).
   */
  async onBehalf(): Promise<Record<string, string[]>> {
    const user = this.userId();
    const key: OnBehalfMeta['key'] = `on_behalf:${user}`;
    try {
      const rows = await this.call<{ person_id: string; managers: string[] }[]>('GET', '/api/v1/me/on-behalf');
      const people = Object.fromEntries(rows.map((r) => [r.person_id, r.managers]));
      if (this.db) await guarded(() => this.db!.put('meta', { key, people }));
      return people;
    } catch {
      const saved = this.db ? ((await this.db.get('meta', key)) as OnBehalfMeta | undefined) : undefined;
      return saved?.people ?? {};
    }
  }

  endDelegation(id: string): Promise<void> {
    return this.call('DELETE', `/api/v1/me/delegations/${encodeURIComponent(id)}`);
  }
}
