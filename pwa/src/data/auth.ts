/**
 * The session: refresh token and device id live in IndexedDB meta (they survive reloads), the
 * short-lived access token only in memory. Refresh tokens rotate on every use and the server
 * revokes a device that reuses one, so refreshes are serialised across tabs with a Web Lock and
 * the stored token is re-read inside it.
 *
 * Every authenticated call names the user it acts for: a token is handed out only while that
 * user is the signed-in one, so one user's queue can never be pushed with another's token.
 *
 * Once a PIN is set, the refresh token is stored only inside the PIN vault (pinvault.ts) and the
 * session starts LOCKED on every app start. unlock(pin) opens the vault (offline works), then
 * asks the server's /auth/unlock, whose sessions are the only unlocked ones for a device with a
 * PIN; while unlocked the PIN stays in memory to renew the access token the same way. lock()
 * forgets the token, key and PIN. Five wrong PINs in a row on the phone wipe the local session.
 */
import { guarded, getMeta, type Db, type SessionMeta } from './db';
import type { Clock, LockManagerLike } from './engine';
import { ApiError, DataError, NetworkError, NotSignedInError } from './errors';
import type { Http, HttpRequest, HttpResponse } from './http';
import type { Store } from './store';
import { MAX_LOCAL_PIN_FAILURES, newKey, open, seal, type VaultKey } from './pinvault';
import type { Device, LoginResponse, User } from './types';

/** Refresh this long before the access token expires. */
const EARLY_REFRESH_MS = 30_000;
const REFRESH_LOCK = 'nomade-auth-refresh';
/** 401 codes meaning "the access token is no good, refresh it". */
const TOKEN_CODES = new Set(['TOKEN_EXPIRED', 'AUTH_REQUIRED', 'TOKEN_INVALID']);

/** The server answered 423: this session needs the PIN. */
const LOCKED_CODE = 'SESSION_LOCKED';

function wrongPin(attemptsLeft: number): DataError {
  return new DataError('PIN_WRONG', { fr: 'Code incorrect.', en: 'Wrong PIN.' }, { attempts_left: attemptsLeft });
}

function wiped(): DataError {
  return new DataError('SESSION_WIPED', {
    fr: 'Trop de codes incorrects : la session de cet appareil est effacée, reconnectez-vous avec votre mot de passe.',
    en: "Too many wrong PINs: this device's session was wiped, sign in with your password.",
  });
}

/** What an unlocked session keeps in memory only: the decrypted refresh token, the vault key
 * to re-seal its successors, and the PIN for /auth/unlock. */
interface Unlocked {
  refreshToken: string;
  key: VaultKey;
  pin: string;
}

interface Access {
  userId: string;
  token: string;
  expiresAt: number;
}

export class Auth {
  private access: Access | null = null;
  private refreshing: Promise<string> | null = null;
  private unlocked: Unlocked | null = null;
  private pinSet = false;

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
    if (saved === undefined || this.access?.userId !== saved.user.id) {
      this.access = null;
      this.unlocked = null;
    }
    this.pinSet = saved !== undefined && (saved.pin_set || saved.vault !== undefined);
    const open = this.pinSet ? this.unlocked !== null : true;
    this.store.session.value =
      saved === undefined
        ? { status: 'signed_out' }
        : { status: open ? 'signed_in' : 'locked', user: saved.user, deviceId: saved.device_id };
    return saved;
  }

  /** The signed-in user's id, or null (also null while locked or expired). */
  currentUserId(): string | null {
    const session = this.store.session.peek();
    return session.status === 'signed_in' ? session.user.id : null;
  }

  /** True when this phone's session has a PIN (it locks at start and after inactivity). */
  hasPin(): boolean {
    return this.pinSet;
  }

  /** Signs in with email and password. */
  async login(email: string, password: string, deviceName: string): Promise<User> {
    this.unlocked = null;
    this.pinSet = false;
    const { body } = await this.http.send<LoginResponse>({
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { email, password, device_name: deviceName },
    });
    await this.saveSession(body);
    return body.user;
  }

  /** Reopens the stored session with the device PIN: offline by opening the vault, then (when
   * reachable) the server's check, which gives the unlocked access token. */
  async unlock(pin: string): Promise<User> {
    // A renewal still running from before the lock stores the token this vault must hold.
    await this.refreshing?.catch(() => undefined);
    const saved = await getMeta(this.db, 'session');
    if (saved === undefined) throw new NotSignedInError();
    if (saved.vault === undefined) return this.unlockOnline(saved, pin);
    const opened = await open(saved.vault, pin);
    if (opened === null) {
      const failures = (saved.pin_failures ?? 0) + 1;
      if (failures >= MAX_LOCAL_PIN_FAILURES) {
        await this.forget();
        throw wiped();
      }
      await guarded(() => this.db.put('meta', { ...saved, pin_failures: failures }));
      throw wrongPin(MAX_LOCAL_PIN_FAILURES - failures);
    }
    this.unlocked = { refreshToken: opened.secret, key: opened.key, pin };
    this.pinSet = true;
    if (saved.pin_failures) await guarded(() => this.db.put('meta', { ...saved, pin_failures: 0 }));
    this.access = null;
    this.store.session.value = { status: 'signed_in', user: saved.user, deviceId: saved.device_id };
    try {
      await this.refresh(saved.user.id); // /auth/unlock: the server checks the PIN too
    } catch (error) {
      // Offline (or the server busy): the app works on the phone; the next sync unlocks.
      if (error instanceof ApiError && error.status === 401) throw error;
      if (!(error instanceof NetworkError) && !(error instanceof ApiError)) throw error;
    }
    return saved.user;
  }

  /** A session whose PIN the phone cannot check (set before the vault existed): the server does,
   * and the vault is made from the answer. */
  private async unlockOnline(saved: SessionMeta, pin: string): Promise<User> {
    try {
      const { body } = await this.http.send<LoginResponse>({
        method: 'POST',
        path: '/api/v1/auth/unlock',
        json: { device_id: saved.device_id, refresh_token: saved.refresh_token, pin },
      });
      const key = await newKey(pin);
      this.unlocked = { refreshToken: body.refresh_token, key, pin };
      this.pinSet = true;
      await this.saveSession(body, key);
      return body.user;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SESSION_WIPED') await this.forget();
      throw error;
    }
  }

  /** Drops the access token, the decrypted secret and the PIN; the UI asks for the PIN. Does
   * nothing without a PIN (there would be no way back but the password). */
  lock(): void {
    const session = this.store.session.peek();
    if (session.status === 'signed_in' && this.pinSet) {
      this.access = null;
      this.unlocked = null;
      this.store.session.value = { status: 'locked', user: session.user, deviceId: session.deviceId };
    }
  }

  /** Sets this device's PIN. */
  async setPin(pin: string): Promise<void> {
    const userId = this.requireUser();
    await this.authed(userId, { method: 'POST', path: '/api/v1/auth/pin', json: { pin } });
    const key = await newKey(pin);
    // No refresh may rotate the token while it moves into the vault.
    await this.refreshing?.catch(() => undefined);
    const saved = await getMeta(this.db, 'session');
    if (saved === undefined || saved.user.id !== userId) return;
    const refreshToken = this.unlocked?.refreshToken ?? saved.refresh_token;
    const vault = await seal(key, refreshToken);
    await guarded(() => this.db.put('meta', { ...saved, refresh_token: '', pin_set: true, vault, pin_failures: 0 }));
    this.unlocked = { refreshToken, key, pin };
    this.pinSet = true;
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
      if (!(error instanceof ApiError) || !this.renewable(error)) throw error;
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
      if (!(error instanceof ApiError) || !this.renewable(error)) throw error;
      return this.http.fetchBlob(path, await this.refresh(userId));
    }
  }

  /** A token error worth one renewal; a 423 locks the app unless the PIN is at hand. */
  private renewable(error: ApiError): boolean {
    if (error.status === 401 && TOKEN_CODES.has(error.code)) return true;
    if (error.code !== LOCKED_CODE) return false;
    if (this.unlocked !== null) return true; // renew through /auth/unlock
    this.lock();
    return false;
  }

  private async refreshNow(userId: string): Promise<string> {
    const saved = await getMeta(this.db, 'session');
    if (saved === undefined || saved.user.id !== userId) throw new NotSignedInError();
    const unlocked = this.unlocked;
    const refreshToken = saved.vault === undefined ? saved.refresh_token : unlocked?.refreshToken;
    if (refreshToken === undefined) {
      this.lock();
      throw new NotSignedInError();
    }
    try {
      // With a PIN, only /auth/unlock gives an unlocked session.
      const { body } = await this.http.send<LoginResponse>(
        unlocked === null
          ? { method: 'POST', path: '/api/v1/auth/refresh', json: { device_id: saved.device_id, refresh_token: refreshToken } }
          : { method: 'POST', path: '/api/v1/auth/unlock', json: { device_id: saved.device_id, refresh_token: refreshToken, pin: unlocked.pin } },
      );
      const active = this.currentUserId() === userId;
      if (!active) {
        // Locked meanwhile: the rotated token still goes into the vault (the spent one would
        // revoke the device at the next unlock). Signed out or someone else: dropped.
        if (this.store.session.peek().status === 'locked') await this.saveSession(body, unlocked?.key, false);
        throw new NotSignedInError();
      }
      if (body.locked) {
        // The server knows a PIN this phone has no vault for yet: ask for it.
        this.pinSet = true;
        await this.saveSession(body, unlocked?.key);
        this.lock();
        throw new ApiError(423, { code: LOCKED_CODE, message: { fr: 'Session verrouillée : saisissez votre code pour continuer.', en: 'Session locked: enter your PIN to continue.' } });
      }
      await this.saveSession(body, unlocked?.key);
      return body.access_token;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SESSION_WIPED') {
        await this.forget();
      } else if (error instanceof ApiError && error.code === 'PIN_WRONG') {
        this.lock(); // the server no longer takes this PIN
      } else if (error instanceof ApiError && error.status === 401) {
        this.access = null;
        this.store.session.value = { status: 'expired', user: saved.user, deviceId: saved.device_id };
      }
      throw error;
    }
  }

  /** Stores the rotated session: sealed with the vault key the renewal started with (even if
   * the app locked meanwhile), else as is; the open session keeps the new token in memory. */
  private async saveSession(body: LoginResponse, key?: VaultKey, activate = true): Promise<void> {
    const record: SessionMeta = {
      key: 'session',
      user: body.user,
      device_id: body.device_id,
      refresh_token: key === undefined ? body.refresh_token : '',
      pin_set: this.pinSet,
      ...(key === undefined ? {} : { vault: await seal(key, body.refresh_token), pin_failures: 0 }),
    };
    await guarded(() => this.db.put('meta', record));
    if (this.unlocked !== null) this.unlocked = { ...this.unlocked, refreshToken: body.refresh_token };
    if (body.locked || !activate) return;
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
    this.unlocked = null;
    this.pinSet = false;
    await this.db.delete('meta', 'session');
    this.store.session.value = { status: 'signed_out' };
  }

  private requireUser(): string {
    const userId = this.currentUserId();
    if (userId === null) throw new NotSignedInError();
    return userId;
  }
}
