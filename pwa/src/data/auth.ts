/**
 * The session: refresh token and device id live in IndexedDB meta (they survive reloads), the
 * short-lived access token only in memory. Refresh tokens rotate on every use and the server
 * revokes a device that reuses one, so refreshes are serialised across tabs with a Web Lock and
 * the stored token is re-read inside it.
 *
 * Every authenticated call names the user it acts for: a token is handed out only while that
 * user is the signed-in one, so one user's queue can never be pushed with another's token.
 */
import { guarded, getMeta, type Db, type SessionMeta } from './db';
import type { Clock, LockManagerLike } from './engine';
import { ApiError, NotSignedInError } from './errors';
import type { Http, HttpRequest, HttpResponse } from './http';
import type { Store } from './store';
import type { Device, LoginResponse, User } from './types';

/** Refresh this long before the access token expires. */
const EARLY_REFRESH_MS = 30_000;
const REFRESH_LOCK = 'nomade-auth-refresh';
/** 401 codes meaning "the access token is no good, refresh it". */
const TOKEN_CODES = new Set(['TOKEN_EXPIRED', 'AUTH_REQUIRED', 'TOKEN_INVALID']);

interface Access {
  userId: string;
  token: string;
  expiresAt: number;
}

export class Auth {
  private access: Access | null = null;
  private refreshing: Promise<string> | null = null;

  constructor(
    private readonly db: Db,
    private readonly http: Http,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly locks: LockManagerLike | null,
  ) {}

  /** Loads the saved session into the store (no network). */
  async restore(): Promise<SessionMeta | undefined> {
    const saved = await getMeta(this.db, 'session');
    this.store.session.value =
      saved === undefined
        ? { status: 'signed_out' }
        : { status: 'signed_in', user: saved.user, deviceId: saved.device_id };
    if (saved === undefined || this.access?.userId !== saved.user.id) this.access = null;
    return saved;
  }

  /** The signed-in user's id, or null (also null while locked or expired). */
  currentUserId(): string | null {
    const session = this.store.session.peek();
    return session.status === 'signed_in' ? session.user.id : null;
  }

  /** Signs in with email and password. */
  async login(email: string, password: string, deviceName: string): Promise<User> {
    const { body } = await this.http.send<LoginResponse>({
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { email, password, device_name: deviceName },
    });
    await this.saveSession(body, false);
    return body.user;
  }

  /** Reopens the stored session with the device PIN. */
  async unlock(pin: string): Promise<User> {
    const saved = await getMeta(this.db, 'session');
    if (saved === undefined) throw new NotSignedInError();
    try {
      const { body } = await this.http.send<LoginResponse>({
        method: 'POST',
        path: '/api/v1/auth/unlock',
        json: { device_id: saved.device_id, refresh_token: saved.refresh_token, pin },
      });
      await this.saveSession(body, true);
      return body.user;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SESSION_WIPED') await this.forget();
      throw error;
    }
  }

  /** Drops the access token and marks the session locked (the UI asks for the PIN). */
  lock(): void {
    const session = this.store.session.peek();
    if (session.status === 'signed_in') {
      this.access = null;
      this.store.session.value = { status: 'locked', user: session.user, deviceId: session.deviceId };
    }
  }

  /** Sets this device's PIN. */
  async setPin(pin: string): Promise<void> {
    const userId = this.requireUser();
    await this.authed(userId, { method: 'POST', path: '/api/v1/auth/pin', json: { pin } });
    const saved = await getMeta(this.db, 'session');
    if (saved !== undefined) await guarded(() => this.db.put('meta', { ...saved, pin_set: true }));
  }

  /** Signs out on the server when reachable, and always locally. Queues are kept. */
  async logout(): Promise<void> {
    const userId = this.currentUserId();
    if (userId !== null) {
      try {
        await this.authed(userId, { method: 'POST', path: '/api/v1/auth/logout' });
      } catch {
        // Offline or already revoked: signing out locally is what the user asked for.
      }
    }
    await this.forget();
  }

  async listDevices(): Promise<Device[]> {
    const userId = this.requireUser();
    return (await this.authed<Device[]>(userId, { method: 'GET', path: '/api/v1/devices/' })).body;
  }

  async revokeDevice(id: string): Promise<void> {
    const userId = this.requireUser();
    await this.authed(userId, { method: 'DELETE', path: `/api/v1/devices/${encodeURIComponent(id)}` });
  }

  /** A valid access token for `userId`, refreshing when needed; throws if they are not signed in. */
  async accessToken(userId: string): Promise<string> {
    if (this.currentUserId() !== userId) throw new NotSignedInError();
    const access = this.access;
    if (access !== null && access.userId === userId && access.expiresAt - EARLY_REFRESH_MS > this.clock.now()) {
      return access.token;
    }
    return this.refresh(userId);
  }

  /** Refreshes once at a time (per tab by promise, across tabs by Web Lock). */
  refresh(userId: string): Promise<string> {
    if (this.refreshing === null) {
      const run = () => this.refreshNow(userId);
      const task =
        this.locks === null
          ? run()
          : new Promise<string>((resolve, reject) => {
              this.locks!.request(REFRESH_LOCK, { mode: 'exclusive' }, () => run().then(resolve, reject)).catch(reject);
            });
      this.refreshing = task.finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** Sends an authenticated request for `userId`; on a 401 token error refreshes and retries once. */
  async authed<T>(userId: string, request: HttpRequest): Promise<HttpResponse<T>> {
    const token = await this.accessToken(userId);
    try {
      return await this.http.send<T>({ ...request, token });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !TOKEN_CODES.has(error.code)) throw error;
      if (this.access?.token === token) this.access = null;
      const fresh = await this.refresh(userId);
      return this.http.send<T>({ ...request, token: fresh });
    }
  }

  /** Downloads bytes for `userId` (refresh and retry once on a 401 token error). */
  async authedBlob(userId: string, path: string): Promise<Blob> {
    const token = await this.accessToken(userId);
    try {
      return await this.http.fetchBlob(path, token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !TOKEN_CODES.has(error.code)) throw error;
      return this.http.fetchBlob(path, await this.refresh(userId));
    }
  }

  private async refreshNow(userId: string): Promise<string> {
    const saved = await getMeta(this.db, 'session');
    if (saved === undefined || saved.user.id !== userId) throw new NotSignedInError();
    try {
      const { body } = await this.http.send<LoginResponse>({
        method: 'POST',
        path: '/api/v1/auth/refresh',
        json: { device_id: saved.device_id, refresh_token: saved.refresh_token },
      });
      if (this.currentUserId() !== userId) throw new NotSignedInError();
      await this.saveSession(body, saved.pin_set);
      return body.access_token;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.access = null;
        this.store.session.value = { status: 'expired', user: saved.user, deviceId: saved.device_id };
      }
      throw error;
    }
  }

  private async saveSession(body: LoginResponse, pinSet: boolean): Promise<void> {
    const record: SessionMeta = {
      key: 'session',
      user: body.user,
      device_id: body.device_id,
      refresh_token: body.refresh_token,
      pin_set: pinSet,
    };
    await guarded(() => this.db.put('meta', record));
    const expires = Date.parse(body.access_expires_at);
    this.access = {
      userId: body.user.id,
      token: body.access_token,
      expiresAt: Number.isNaN(expires) ? this.clock.now() + 60_000 : expires,
    };
    this.store.session.value = { status: 'signed_in', user: body.user, deviceId: body.device_id };
  }

  private async forget(): Promise<void> {
    this.access = null;
    await this.db.delete('meta', 'session');
    this.store.session.value = { status: 'signed_out' };
  }

  private requireUser(): string {
    const userId = this.currentUserId();
    if (userId === null) throw new NotSignedInError();
    return userId;
  }
}
