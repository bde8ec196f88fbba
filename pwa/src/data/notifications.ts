/**
 * Push notifications and the in-app inbox (boîte de réception) are plain REST on the server
 * (notifications package), not sync intents: this module wraps them so screens still never call
 * fetch. Marking an item read works offline: the id is remembered in IndexedDB and sent by the
 * next sync cycle.
 */
import type { Auth } from './auth';
import { guarded, type Db, type InboxReadsMeta } from './db';
import { ApiError, NetworkError } from './errors';
import type { Http } from './http';

export type PushMode = 'immediate' | 'digest' | 'off' | (string & {});

export interface PushPreferences {
  modes: Record<string, PushMode>;
  digest_time: string;
  timezone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  hide_amounts: boolean;
  version?: number;
}

export interface InboxItem {
  id: string;
  event_type: string;
  title: string;
  body: string;
  url: string;
  document: { kind: string; id: string } | null;
  action_required: boolean;
  created_at: string;
  read_at: string | null;
}

export interface InboxPage {
  items: InboxItem[];
  unread: number;
  next_before: string | null;
}

/** The browser's subscription as `PushSubscription.toJSON()` gives it. */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
}

function readsKey(userId: string): `inbox_reads:${string}` {
  return `inbox_reads:${userId}`;
}

export class Notifications {
  constructor(
    private readonly db: Db,
    private readonly http: Http,
    private readonly auth: Auth,
    private readonly userId: () => string,
  ) {}

  /** The VAPID application server key for pushManager.subscribe (public route). */
  async vapidPublicKey(): Promise<string> {
    return (await this.http.send<{ public_key: string }>({ method: 'GET', path: '/api/v1/push/vapid-public-key' })).body.public_key;
  }

  /** Registers this device's push subscription (idempotent by endpoint). */
  async subscribe(subscription: PushSubscriptionJson, language?: 'fr' | 'en'): Promise<void> {
    const json: Record<string, unknown> = {
      endpoint: subscription.endpoint,
      keys: subscription.keys,
      expirationTime: subscription.expirationTime ?? null,
      user_agent: typeof navigator === 'undefined' ? '' : navigator.userAgent.slice(0, 400),
    };
    if (language !== undefined) json['language'] = language;
    await this.auth.authed(this.userId(), { method: 'POST', path: '/api/v1/push/subscriptions', json });
  }

  /** The person's language on the server: digests, the inbox and pushes follow it. */
  async saveLanguage(language: 'fr' | 'en'): Promise<void> {
    await this.auth.authed(this.userId(), { method: 'PATCH', path: '/api/v1/me', json: { language } });
  }

  async unsubscribe(endpoint: string): Promise<void> {
    await this.auth.authed(this.userId(), {
      method: 'DELETE',
      path: `/api/v1/push/subscriptions?endpoint=${encodeURIComponent(endpoint)}`,
    });
  }

  async preferences(): Promise<PushPreferences> {
    return (await this.auth.authed<PushPreferences>(this.userId(), { method: 'GET', path: '/api/v1/push/preferences' })).body;
  }

  async savePreferences(preferences: Omit<PushPreferences, 'version'>): Promise<PushPreferences> {
    return (
      await this.auth.authed<PushPreferences>(this.userId(), { method: 'PUT', path: '/api/v1/push/preferences', json: preferences })
    ).body;
  }

  /** "Send me a test": returns how many devices it went to. */
  async sendTest(): Promise<number> {
    return (await this.auth.authed<{ devices: number }>(this.userId(), { method: 'POST', path: '/api/v1/push/test' })).body.devices;
  }

  /** The document on screen (no push about it for a short while). Best effort. */
  async reportPresence(documentKind: string, documentId: string): Promise<void> {
    try {
      await this.auth.authed(this.userId(), {
        method: 'POST',
        path: '/api/v1/push/presence',
        json: { document_kind: documentKind, document_id: documentId },
      });
    } catch {
      // Presence only saves a redundant push; never bother the user with it.
    }
  }

  async inbox(options: { before?: string; limit?: number; unreadOnly?: boolean } = {}): Promise<InboxPage> {
    const query = new URLSearchParams();
    if (options.before !== undefined) query.set('before', options.before);
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.unreadOnly) query.set('unread_only', 'true');
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    return (await this.auth.authed<InboxPage>(this.userId(), { method: 'GET', path: `/api/v1/inbox/${suffix}` })).body;
  }

  async unreadCount(): Promise<number> {
    return (await this.auth.authed<{ unread: number }>(this.userId(), { method: 'GET', path: '/api/v1/inbox/unread-count' })).body.unread;
  }

  /** Marks an inbox item read; offline, it is remembered and sent by the next sync. */
  async markRead(id: string): Promise<void> {
    const userId = this.userId();
    try {
      await this.auth.authed(userId, { method: 'POST', path: `/api/v1/inbox/${encodeURIComponent(id)}/read` });
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      await this.defer(userId, id);
    }
  }

  async markAllRead(): Promise<void> {
    await this.auth.authed(this.userId(), { method: 'POST', path: '/api/v1/inbox/read-all' });
  }

  /** Sends reads remembered while offline (called by the sync cycle). */
  async flush(userId: string): Promise<void> {
    const saved = (await this.db.get('meta', readsKey(userId))) as InboxReadsMeta | undefined;
    for (const id of saved?.ids ?? []) {
      try {
        await this.auth.authed(userId, { method: 'POST', path: `/api/v1/inbox/${encodeURIComponent(id)}/read` });
      } catch (error) {
        // An item the server no longer has (4xx) is dropped; anything else retries later.
        const permanent = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401;
        if (!permanent) throw error;
      }
      await guarded(async () => {
        const tx = this.db.transaction('meta', 'readwrite');
        const current = (await tx.store.get(readsKey(userId))) as InboxReadsMeta | undefined;
        if (current !== undefined) {
          await tx.store.put({ ...current, ids: current.ids.filter((other) => other !== id) });
        }
        await tx.done;
      });
    }
  }

  private async defer(userId: string, id: string): Promise<void> {
    await guarded(async () => {
      const tx = this.db.transaction('meta', 'readwrite');
      const current = ((await tx.store.get(readsKey(userId))) as InboxReadsMeta | undefined) ?? { key: readsKey(userId), ids: [] };
      if (!current.ids.includes(id)) current.ids.push(id);
      await tx.store.put(current);
      await tx.done;
    });
  }
}
