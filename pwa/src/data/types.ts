/**
 * Types shared by the data layer and the UI: the sync wire format (docs/sync-protocol.md,
 * shared/sync-design.md), the auth API, and what the UI reads (rows, pending intents,
 * rejections). Field names on the wire are snake_case exactly as the server sends them.
 */

import type { SyncedEntity } from './contract.gen';

/** A JSON value as carried in intent args and row data. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Entities the server syncs (one IndexedDB row per (entity, id)): the generated list of the
 * server's synced rows, never a copy. */
export type EntityName = SyncedEntity;

/**
 * One synced row as the UI sees it: the server's `data` plus its identity and version.
 * `row_version` is 0 for a row created locally and not yet confirmed by the server.
 */
export interface Row {
  id: string;
  entity: EntityName;
  row_version: number;
  /** True when at least one pending intent changed this row in the optimistic view. */
  pending: boolean;
  data: JsonObject;
}

// ---------------------------------------------------------------- sync wire format

/** One queued intent as pushed (`mutations[]` of POST /sync/v1/push). */
export interface WireMutation {
  seq: number;
  /** Mutation UUID: the idempotency key. */
  id: string;
  name: string;
  v: number;
  args: JsonObject;
  /** Device clock, ISO 8601 UTC; audit and display only. */
  client_time: string;
}

export interface PushRequest {
  client_id: string;
  schema_version: number;
  app_version: string;
  cookie?: Cookie | undefined;
  mutations: WireMutation[];
}

export type AckStatus = 'applied' | 'noop' | 'rejected';

/** A value overwritten by a later edit (text fields: later arrival wins); offer to restore it. */
export interface FieldConflict {
  field: string;
  lost: Json;
  kept: Json;
}

export interface WireAck {
  seq: number;
  id: string;
  status: AckStatus;
  code?: string | null;
  details?: JsonObject | null;
  /** Human message from the server; the client has a fallback catalogue. */
  message?: LocalizedText | null;
  /** Values of yours or of another device that this edit overwrote. */
  conflicts?: FieldConflict[] | null;
}

/** Opaque pull cursor: stored and sent back unchanged. */
export type Cookie = string | number | null;

export interface PatchOp {
  op: 'put' | 'del';
  entity: EntityName;
  id: string;
  row_version: number;
  data?: JsonObject | null;
}

/**
 * On a pull page: the pages of this pull (up to has_more false) are a complete snapshot of the
 * entities in `scope`; their base rows are replaced, pending intents are kept and replayed.
 */
export interface ResetInstruction {
  /** Entity names ('all' is also accepted for every entity). */
  scope: string | string[];
  /** initial | epoch_changed | schema_too_old | horizon | visibility_changed. */
  reason: string;
}

export interface PullRequest {
  client_id: string;
  cookie: Cookie;
  limit: number;
  schema_version?: number;
}

export interface PullResponse {
  cookie: Cookie;
  has_more: boolean;
  last_seq: number;
  acks?: WireAck[];
  patch?: PatchOp[];
  reset?: ResetInstruction | null;
}

/** Push answers with its acks (and a pull page only when the request carried a cookie key). */
export interface PushResponse {
  acks: WireAck[];
  last_seq: number;
  pull?: PullResponse | null;
}

/** Server-Sent Events poke payload (`event: poke`). */
export interface Poke {
  organisation?: string;
  version: number;
}

// ---------------------------------------------------------------- errors / i18n

export interface LocalizedText {
  fr: string;
  en: string;
}

/** Error body of every API route: `{code, message:{fr,en}, details}`. */
export interface ApiErrorBody {
  code: string;
  message: LocalizedText;
  details?: JsonObject | null;
}

// ---------------------------------------------------------------- auth

export type Role = 'agent' | 'manager' | 'supplier' | 'back_office' | 'admin' | (string & {});

export interface User {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  language: 'fr' | 'en' | (string & {});
  organisation_id: string | null;
  unit_id: string | null;
  supplier_company_id: string | null;
}

export interface LoginResponse {
  access_token: string;
  access_expires_at: string;
  refresh_token: string;
  device_id: string;
  user: User;
  /** The server reopened the session without the PIN: only /auth/unlock opens it. */
  locked?: boolean;
}

export interface Device {
  id: string;
  name: string;
  created_at?: string;
  last_seen_at?: string | null;
  revoked_at?: string | null;
  current?: boolean;
  [key: string]: unknown;
}

/** What the UI knows about the session. */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signed_out' }
  /** Signed in; `online` false means we hold a session but could not reach the server yet. */
  | { status: 'signed_in'; user: User; deviceId: string }
  /** Session kept but locked by the UI; unlock(pin) resumes it. */
  | { status: 'locked'; user: User; deviceId: string }
  /** The server refused the refresh token (device revoked, expired): sign in again. */
  | { status: 'expired'; user: User; deviceId: string };

// ---------------------------------------------------------------- what the UI reads

/** A queued intent not yet confirmed by a pull (shown as "pending"). */
export interface PendingIntent {
  userId: string;
  clientId: string;
  seq: number;
  /** Mutation UUID (idempotency key). */
  id: string;
  name: string;
  v: number;
  args: JsonObject;
  clientTime: string;
  /** Epoch ms when queued (age display). */
  createdAt: number;
  /** Server ack once pushed (the intent stays pending until a pull includes its effects). */
  ack?: WireAck | undefined;
  /** True when no client-side handler knows this name: kept queued, not shown optimistically. */
  unknown?: boolean;
}

/** A rejected intent, or an applied/noop one that carries a conflict, shown to the user. */
export interface Problem {
  /** Stable key: `${userId}:${seq}`. */
  key: string;
  kind: 'rejected' | 'conflict' | 'noop';
  code: string;
  message: LocalizedText;
  details: JsonObject;
  /** For kind 'conflict': the overwritten values the user may restore. */
  conflicts: FieldConflict[];
  intent: { seq: number; id: string; name: string; v: number; args: JsonObject; clientTime: string };
  at: number;
}

export type SyncStatus = 'idle' | 'syncing' | 'offline' | 'backoff' | 'error' | 'paused';
