/**
 * A small in-process server implementing the sync protocol's push/pull/blob semantics and the
 * auth API, for the data-layer tests. It records every request so tests can check what the
 * client sent, and can be told to lose requests or responses, answer 503 + Retry-After, etc.
 */
import type { EntityName, JsonObject, PatchOp, User, WireAck, WireMutation } from '../../src/data/types';

interface ServerRow {
  entity: EntityName;
  id: string;
  row_version: number;
  sync_version: number;
  owner: string;
  data: JsonObject;
  deleted: boolean;
}

interface ServerClient {
  user_id: string;
  last_seq: number;
  acks: Map<number, WireAck>;
}

interface ServerBlob {
  size: number;
  sha256: string;
  uploadId: string;
  bytes: Uint8Array;
  offset: number;
  complete: boolean;
}

export type FailMode = 'offline' | 'drop-response' | { status: number; code: string; retryAfter?: number; details?: JsonObject };

export interface Recorded {
  method: string;
  path: string;
  token: string | null;
  body: unknown;
  headers: Record<string, string>;
}

class Outcome extends Error {
  constructor(
    readonly status: 'rejected' | 'noop' | 'transient',
    readonly code: string,
    readonly details: JsonObject = {},
  ) {
    super(code);
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function problem(status: number, code: string, details: JsonObject = {}, headers: Record<string, string> = {}) {
  return json(status, { code, message: { fr: `fr:${code}`, en: `en:${code}` }, details }, headers);
}

export class FakeServer {
  version = 0;
  rows = new Map<string, ServerRow>();
  clients = new Map<string, ServerClient>();
  blobs = new Map<string, ServerBlob>();
  /** Every request, in order. */
  log: Recorded[] = [];
  /** Every mutation the handlers actually applied (exactly-once check). */
  applied: { client_id: string; seq: number; id: string; name: string }[] = [];
  users = new Map<string, { password: string; user: User }>();
  tokens = new Map<string, { userId: string; expired: boolean; locked?: boolean }>();
  devices = new Map<string, { userId: string; refresh: string }>();
  pins = new Map<string, string>();
  /** Inbox item id → read. */
  inbox = new Map<string, boolean>();
  /** The organisation's rule sets (GET /api/v1/policy/rule-sets, ETag = its version). */
  ruleSets: JsonObject[] = [];
  /** Sent beside the rule sets: a mission to any other country is abroad. */
  homeCountry = 'FR';
  ruleSetsVersion = 1;
  pinFailures = 0;
  online = true;
  /** Failures to inject, matched by path prefix, consumed in order. */
  failures: { prefix: string; mode: FailMode }[] = [];
  /** When set, the next pull with a cookie answers reset{scope, reason}. */
  pendingReset: { scope: string[]; reason: string } | null = null;
  private counter = 0;

  addUser(id: string, email: string, password = 'secret'): User {
    const user: User = {
      id,
      email,
      full_name: email,
      role: 'agent',
      language: 'fr',
      organisation_id: 'org',
      unit_id: null,
      supplier_company_id: null,
    };
    this.users.set(email, { password, user });
    return user;
  }

  failNext(prefix: string, mode: FailMode, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ prefix, mode });
  }

  /** Expires every access token (the next authenticated call gets 401 TOKEN_EXPIRED). */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.expired = true;
  }

  /** A server-side change (another user or the back office). */
  serverPut(owner: string, entity: EntityName, id: string, data: JsonObject): void {
    const key = `${entity}/${id}`;
    const previous = this.rows.get(key);
    this.version += 1;
    this.rows.set(key, {
      entity,
      id,
      owner,
      row_version: (previous?.row_version ?? 0) + 1,
      sync_version: this.version,
      data,
      deleted: false,
    });
  }

  serverDelete(entity: EntityName, id: string): void {
    const row = this.rows.get(`${entity}/${id}`);
    if (row === undefined) return;
    this.version += 1;
    row.deleted = true;
    row.row_version += 1;
    row.sync_version = this.version;
  }

  /** Forget rows entirely (no tombstone: e.g. restored from a backup before they existed). */
  serverForget(entity: EntityName, id: string): void {
    this.rows.delete(`${entity}/${id}`);
  }

  liveRows(entity: EntityName): ServerRow[] {
    return [...this.rows.values()].filter((row) => row.entity === entity && !row.deleted);
  }

  requests(prefix: string): Recorded[] {
    return this.log.filter((entry) => entry.path.startsWith(prefix));
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://nomade.test');
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const auth = headers['authorization'];
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    let body: unknown = null;
    if (typeof init?.body === 'string') body = JSON.parse(init.body);
    else if (init?.body instanceof Uint8Array) body = init.body;
    const entry: Recorded = { method: init?.method ?? 'GET', path: url.pathname, token, body, headers };
    if (!this.online) throw new TypeError('Failed to fetch (offline)');
    const index = this.failures.findIndex((failure) => url.pathname.startsWith(failure.prefix));
    const failure = index >= 0 ? this.failures.splice(index, 1)[0] : undefined;
    if (failure?.mode === 'offline') throw new TypeError('Failed to fetch (request lost)');
    this.log.push(entry);
    if (failure !== undefined && typeof failure.mode === 'object') {
      const extra: Record<string, string> = {};
      if (failure.mode.retryAfter !== undefined) extra['Retry-After'] = String(failure.mode.retryAfter);
      return problem(failure.mode.status, failure.mode.code, failure.mode.details ?? {}, extra);
    }
    const response = await this.route(entry, url);
    if (failure?.mode === 'drop-response') throw new TypeError('Failed to fetch (response lost)');
    return response;
  };

  private async route(entry: Recorded, url: URL): Promise<Response> {
    const path = url.pathname;
    if (path === '/api/v1/auth/login') return this.login(entry.body as { email: string; password: string });
    if (path === '/api/v1/auth/refresh') return this.refresh(entry.body as { device_id: string; refresh_token: string });
    if (path === '/api/v1/auth/unlock') return this.unlock(entry.body as { device_id: string; refresh_token: string; pin: string });
    const userId = entry.token === null ? undefined : this.tokens.get(entry.token);
    if (userId === undefined) return problem(401, 'AUTH_REQUIRED');
    if (userId.expired) return problem(401, 'TOKEN_EXPIRED');
    if (path === '/api/v1/auth/logout') return new Response(null, { status: 204 });
    // Like the server: a refresh on a device with a PIN is locked until /auth/unlock.
    if (userId.locked) return problem(423, 'SESSION_LOCKED');
    if (path === '/api/v1/auth/pin') {
      const device = [...this.devices.entries()].find(([, d]) => d.userId === userId.userId);
      if (device) this.pins.set(device[0], (entry.body as { pin: string }).pin);
      return new Response(null, { status: 204 });
    }
    if (path === '/api/v1/devices/' && entry.method === 'GET') {
      return json(200, [...this.devices.entries()].filter(([, d]) => d.userId === userId.userId).map(([id]) => ({ id, name: id, current: false })));
    }
    if (path.startsWith('/api/v1/devices/') && entry.method === 'DELETE') {
      this.devices.delete(decodeURIComponent(path.slice('/api/v1/devices/'.length)));
      return new Response(null, { status: 204 });
    }
    if (path.startsWith('/api/v1/inbox/') && path.endsWith('/read')) {
      const id = decodeURIComponent(path.slice('/api/v1/inbox/'.length, -'/read'.length));
      if (!this.inbox.has(id)) return problem(404, 'NOT_FOUND');
      this.inbox.set(id, true);
      return json(200, { marked: 1, unread: [...this.inbox.values()].filter((read) => !read).length });
    }
    if (path === '/api/v1/me' && entry.method === 'PATCH') return json(200, { id: userId.userId, ...(entry.body as object) });
    if (path === '/api/v1/inbox/') {
      const items = [...this.inbox.entries()].map(([id, read]) => ({ id, title: id, read_at: read ? 'yes' : null }));
      return json(200, { items, unread: items.filter((item) => item.read_at === null).length, next_before: null });
    }
    if (path === '/api/v1/policy/rule-sets' && entry.method === 'GET') {
      const etag = `"rules-${this.ruleSetsVersion}"`;
      if (entry.headers['if-none-match'] === etag) return new Response(null, { status: 304, headers: { ETag: etag } });
      return json(200, { rule_sets: this.ruleSets, home_country: this.homeCountry }, { ETag: etag });
    }
    if (path === '/sync/v1/push') return this.push(userId.userId, entry.body as PushBody);
    if (path === '/sync/v1/pull') return this.pull(userId.userId, entry.body as PullBody);
    if (path === '/sync/v1/blobs') return this.blobStatus(entry.body as { sha256: string; size: number });
    if (path.startsWith('/sync/v1/blobs/uploads/')) return this.blobChunk(path.slice('/sync/v1/blobs/uploads/'.length), entry);
    const receipt = /^\/api\/v1\/expense-lines\/[^/]+\/receipts\/([0-9a-f]{64})\/(thumbnail|image)$/.exec(path);
    if (receipt) return this.receiptImage(receipt[1]!, receipt[2]!);
    return problem(404, 'NOT_FOUND');
  }

  private issue(user: User, deviceId: string, locked = false): Response {
    this.counter += 1;
    const access = `at-${user.id}-${this.counter}`;
    const refresh = `rt-${user.id}-${this.counter}`;
    this.tokens.set(access, { userId: user.id, expired: false, locked });
    this.devices.set(deviceId, { userId: user.id, refresh });
    return json(200, {
      access_token: access,
      access_expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      refresh_token: refresh,
      device_id: deviceId,
      user,
      locked,
    });
  }

  private login(body: { email: string; password: string }): Response {
    const account = this.users.get(body.email);
    if (account === undefined || account.password !== body.password) return problem(401, 'INVALID_CREDENTIALS');
    return this.issue(account.user, `dev-${account.user.id}-${this.devices.size + 1}`);
  }

  private refresh(body: { device_id: string; refresh_token: string }): Response {
    const device = this.devices.get(body.device_id);
    if (device === undefined || device.refresh !== body.refresh_token) return problem(401, 'REFRESH_REUSED');
    const account = [...this.users.values()].find((entry) => entry.user.id === device.userId);
    return this.issue(account!.user, body.device_id, this.pins.has(body.device_id));
  }

  private unlock(body: { device_id: string; refresh_token: string; pin: string }): Response {
    const device = this.devices.get(body.device_id);
    if (device === undefined || device.refresh !== body.refresh_token) return problem(401, 'SESSION_EXPIRED');
    if (this.pins.get(body.device_id) !== body.pin) {
      this.pinFailures += 1;
      if (this.pinFailures >= 5) {
        this.devices.delete(body.device_id);
        return problem(401, 'SESSION_WIPED');
      }
      return problem(401, 'PIN_WRONG');
    }
    this.pinFailures = 0;
    const account = [...this.users.values()].find((entry) => entry.user.id === device.userId);
    return this.issue(account!.user, body.device_id);
  }

  // ------------------------------------------------------------ sync

  private push(userId: string, body: PushBody): Response {
    let client = this.clients.get(body.client_id);
    if (client === undefined) {
      client = { user_id: userId, last_seq: 0, acks: new Map() };
      this.clients.set(body.client_id, client);
    }
    if (client.user_id !== userId) return problem(403, 'CLIENT_TAKEN');
    const acks: WireAck[] = [];
    for (const mutation of body.mutations) {
      if (mutation.seq <= client.last_seq) {
        const stored = client.acks.get(mutation.seq);
        if (stored !== undefined) acks.push(stored);
        continue;
      }
      if (mutation.seq > client.last_seq + 1) {
        if (acks.length > 0) break;
        return problem(409, 'SEQ_GAP', { expected_seq: client.last_seq + 1 });
      }
      let ack: WireAck;
      try {
        this.apply(userId, mutation);
        this.applied.push({ client_id: body.client_id, seq: mutation.seq, id: mutation.id, name: mutation.name });
        ack = { seq: mutation.seq, id: mutation.id, status: 'applied' };
      } catch (error) {
        if (!(error instanceof Outcome)) throw error;
        if (error.status === 'transient') {
          if (acks.length > 0) break;
          return problem(503, error.code, error.details, { 'Retry-After': '1' });
        }
        ack = { seq: mutation.seq, id: mutation.id, status: error.status, code: error.code, details: error.details };
      }
      client.last_seq = mutation.seq;
      client.acks.set(mutation.seq, ack);
      acks.push(ack);
    }
    return json(200, { acks, last_seq: client.last_seq, pull: null });
  }

  private apply(userId: string, mutation: WireMutation): void {
    const args = mutation.args;
    const id = String(args['id']);
    const entity = mutation.name.split('.')[0] as EntityName;
    const key = `${entity}/${id}`;
    const row = this.rows.get(key);
    switch (mutation.name) {
      case 'expense_line.create':
      case 'mission.create':
      case 'expense_claim.create': {
        if (row !== undefined) throw new Outcome('rejected', 'ROW_EXISTS');
        const { id: _id, ...data } = args;
        // As the real server: a claim's row names its mission `mission` (the args, `mission_id`).
        const { mission_id: missionId, ...claim } = data;
        const created = mutation.name === 'expense_claim.create' ? { ...claim, mission: missionId ?? null } : data;
        this.serverPut(userId, entity, id, entity === 'expense_line' ? created : { ...created, state: 'draft' });
        return;
      }
      case 'expense_line.edit':
      case 'mission.edit': {
        if (row === undefined || row.deleted) throw new Outcome('noop', 'ROW_DELETED');
        const { id: _id, base_version: _bv, ...changes } = args;
        this.serverPut(userId, entity, id, { ...row.data, ...changes });
        return;
      }
      case 'expense_line.delete': {
        if (row === undefined || row.deleted) throw new Outcome('noop', 'ROW_DELETED');
        this.serverDelete(entity, id);
        return;
      }
      case 'expense_line.attach_receipt': {
        if (row === undefined) throw new Outcome('rejected', 'NOT_FOUND');
        const receipts = (row.data['receipts'] as string[] | undefined) ?? [];
        this.serverPut(userId, entity, id, { ...row.data, receipts: [...receipts, String(args['sha256'])] });
        return;
      }
      case 'expense_claim.submit': {
        const lines = this.liveRows('expense_line').filter((line) => line.data['claim_id'] === id);
        for (const line of lines) {
          for (const sha of (line.data['receipts'] as string[] | undefined) ?? []) {
            if (!this.blobs.get(sha)?.complete) throw new Outcome('transient', 'BLOB_PENDING', { sha256: sha });
          }
        }
        if (row === undefined) throw new Outcome('rejected', 'NOT_FOUND');
        if (row.data['state'] !== args['expected_state']) {
          throw new Outcome('rejected', 'STATE_CHANGED', { expected: args['expected_state'] as string, current: row.data['state'] as string });
        }
        this.serverPut(userId, entity, id, { ...row.data, state: 'submitted' });
        return;
      }
      default:
        throw new Outcome('rejected', 'MUTATION_UNKNOWN');
    }
  }

  private pull(userId: string, body: PullBody): Response {
    const client = this.clients.get(body.client_id);
    const lastSeq = client?.last_seq ?? 0;
    if (this.pendingReset !== null && body.cookie !== null) {
      // A snapshot of the entities in scope, on one page.
      const reset = this.pendingReset;
      this.pendingReset = null;
      const patch = [...this.rows.values()]
        .filter((row) => row.owner === userId && reset.scope.includes(row.entity) && !row.deleted)
        .map((row) => ({ op: 'put', entity: row.entity, id: row.id, row_version: row.row_version, data: row.data }));
      return json(200, { cookie: this.version, has_more: false, last_seq: lastSeq, acks: [], patch, reset });
    }
    const since = body.cookie === null ? 0 : Number(body.cookie);
    const visible = [...this.rows.values()]
      .filter((row) => row.owner === userId && row.sync_version > since && !(body.cookie === null && row.deleted))
      .sort((a, b) => a.sync_version - b.sync_version);
    const page = visible.slice(0, body.limit);
    const hasMore = visible.length > page.length;
    const patch: PatchOp[] = page.map((row) =>
      row.deleted
        ? { op: 'del', entity: row.entity, id: row.id, row_version: row.row_version }
        : { op: 'put', entity: row.entity, id: row.id, row_version: row.row_version, data: row.data },
    );
    const cookie = hasMore ? page[page.length - 1]!.sync_version : this.version;
    return json(200, { cookie, has_more: hasMore, last_seq: lastSeq, acks: [], patch, reset: null });
  }

  // ------------------------------------------------------------ blobs

  /** A stand-in rendition: the rendition's name and the hash's start as "JPEG" bytes. */
  private receiptImage(sha: string, rendition: string): Response {
    if (!this.blobs.get(sha)?.complete) return problem(404, 'RECEIPT_NOT_UPLOADED', { sha256: sha });
    return new Response(`${rendition}:${sha.slice(0, 8)}`, { status: 200, headers: { 'Content-Type': 'image/jpeg' } });
  }

  private blobStatus(body: { sha256: string; size: number }): Response {
    let blob = this.blobs.get(body.sha256);
    if (blob === undefined) {
      this.counter += 1;
      blob = {
        sha256: body.sha256,
        uploadId: `up-${this.counter}`,
        size: body.size,
        bytes: new Uint8Array(body.size),
        offset: 0,
        complete: false,
      };
      this.blobs.set(body.sha256, blob);
    }
    return json(200, {
      upload_id: blob.complete ? null : blob.uploadId,
      sha256: blob.sha256,
      size: blob.size,
      offset: blob.offset,
      complete: blob.complete,
    });
  }

  private async blobChunk(uploadId: string, entry: Recorded): Promise<Response> {
    const blob = [...this.blobs.values()].find((candidate) => candidate.uploadId === uploadId);
    if (blob === undefined) return problem(404, 'BLOB_NOT_FOUND');
    const sha = blob.sha256;
    const offset = Number(entry.headers['upload-offset']);
    if (offset !== blob.offset) return problem(409, 'BLOB_OFFSET_MISMATCH', { offset: blob.offset });
    const chunk = entry.body as Uint8Array;
    const digest = await sha256(chunk);
    if (digest !== entry.headers['upload-chunk-sha256']) return problem(400, 'BLOB_CHUNK_CHECKSUM');
    blob.bytes.set(chunk, offset);
    blob.offset += chunk.byteLength;
    if (blob.offset >= blob.size) {
      const full = await sha256(blob.bytes);
      if (full !== sha) {
        blob.offset = 0;
        return problem(400, 'BLOB_CHECKSUM_MISMATCH');
      }
      blob.complete = true;
    }
    return json(200, { upload_id: blob.uploadId, sha256: sha, size: blob.size, offset: blob.offset, complete: blob.complete });
  }
}

interface PushBody {
  client_id: string;
  mutations: WireMutation[];
}

interface PullBody {
  client_id: string;
  cookie: number | null;
  limit: number;
}

/** A clock whose timers fire only when the test advances it. */
export class ManualClock {
  current = 1_790_000_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  now = (): number => this.current;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.push({ at: this.current + ms, fn, id });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  };

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = due.at;
      due.fn();
    }
    this.current = target;
  }
}
