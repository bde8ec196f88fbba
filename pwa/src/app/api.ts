/** The HTTP calls of the accounts API (sign-in, PIN, devices). Part of the thin adapter that
 * stands in for `src/data/` until the data layer lands; screens never call this directly. */
import type { Device, Session, User } from "./model";

export interface ApiProblem {
  code: string;
  message: { fr: string; en: string };
  status: number;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; problem: ApiProblem };

const NETWORK: ApiProblem = {
  code: "NETWORK",
  status: 0,
  message: { fr: "Pas de connexion. Réessayez une fois en ligne.", en: "No connection. Try again when you are online." },
};

async function call<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<ApiResult<T>> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "application/json");
  if (init.body) headers.set("Content-Type", "application/json");
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    return { ok: false, problem: NETWORK };
  }
  const body: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return { ok: true, value: body as T };
  const problem = (body ?? {}) as Partial<ApiProblem>;
  return {
    ok: false,
    problem: {
      code: problem.code ?? `HTTP_${response.status}`,
      status: response.status,
      message: problem.message ?? { fr: `Erreur du serveur (${response.status}).`, en: `Server error (${response.status}).` },
    },
  };
}

interface LoginResponse {
  access_token: string;
  access_expires_at: string;
  refresh_token: string;
  device_id: string;
  user: User;
}

function toSession(r: LoginResponse): Session {
  return { accessToken: r.access_token, accessExpiresAt: r.access_expires_at, refreshToken: r.refresh_token, deviceId: r.device_id, user: r.user };
}

export async function login(email: string, password: string, deviceName: string): Promise<ApiResult<Session>> {
  const r = await call<LoginResponse>("/api/v1/auth/login", {
    method: "POST",
    body: JSON.stringify({ email, password, device_name: deviceName }),
  });
  return r.ok ? { ok: true, value: toSession(r.value) } : r;
}

export async function setPin(token: string, pin: string): Promise<ApiResult<null>> {
  return call<null>("/api/v1/auth/pin", { method: "POST", token, body: JSON.stringify({ pin }) });
}

export async function unlock(deviceId: string, refreshToken: string, pin: string): Promise<ApiResult<Session>> {
  const r = await call<LoginResponse>("/api/v1/auth/unlock", {
    method: "POST",
    body: JSON.stringify({ device_id: deviceId, refresh_token: refreshToken, pin }),
  });
  return r.ok ? { ok: true, value: toSession(r.value) } : r;
}

export async function logout(token: string): Promise<ApiResult<null>> {
  return call<null>("/api/v1/auth/logout", { method: "POST", token });
}

interface DeviceRow { id: string; name: string; last_seen_at: string }

export async function listDevices(token: string, currentId: string): Promise<ApiResult<Device[]>> {
  const r = await call<DeviceRow[] | { items: DeviceRow[] }>("/api/v1/devices", { token });
  if (!r.ok) return r;
  const rows = Array.isArray(r.value) ? r.value : r.value.items;
  return { ok: true, value: rows.map((d) => ({ ...d, current: d.id === currentId })) };
}

export async function revokeDevice(token: string, id: string): Promise<ApiResult<null>> {
  return call<null>(`/api/v1/devices/${encodeURIComponent(id)}`, { method: "DELETE", token });
}
