/**
 * The one place that calls fetch for the API (deployment.ts reads the app shell). JSON in, JSON
 * out; failures become typed errors: NetworkError (no answer: offline or lost response) or
 * ApiError (an HTTP error answer with the server's `{code, message, details}` and Retry-After).
 */
import { ApiError, NetworkError } from './errors';
import type { ApiErrorBody } from './types';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  token?: string | null;
}

export interface HttpResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - now) / 1000);
}

export class Http {
  constructor(
    private readonly base: string,
    private readonly fetcher: typeof fetch,
  ) {}

  /** GETs raw bytes (downloads); error answers become ApiError as in send(). */
  async fetchBlob(path: string, token: string): Promise<Blob> {
    let response: Response;
    try {
      response = await this.fetcher(`${this.base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    } catch (error) {
      throw new NetworkError(error);
    }
    if (!response.ok) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(await response.text());
      } catch {
        parsed = null;
      }
      throw new ApiError(response.status, errorBody(response.status, parsed), parseRetryAfter(response.headers.get('Retry-After')));
    }
    try {
      return await response.blob();
    } catch (error) {
      throw new NetworkError(error);
    }
  }

  /** Sends one request; resolves with the parsed body of a 2xx answer. */
  async send<T>(request: HttpRequest): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
    let body = request.body;
    if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    if (request.token) headers['Authorization'] = `Bearer ${request.token}`;
    let response: Response;
    try {
      const init: RequestInit = { method: request.method, headers, credentials: 'same-origin' };
      if (body !== undefined) init.body = body;
      response = await this.fetcher(`${this.base}${request.path}`, init);
    } catch (error) {
      throw new NetworkError(error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new NetworkError(error);
    }
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, errorBody(response.status, parsed), parseRetryAfter(response.headers.get('Retry-After')));
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

function errorBody(status: number, parsed: unknown): ApiErrorBody {
  if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { code?: unknown }).code === 'string') {
    const body = parsed as Partial<ApiErrorBody> & { code: string };
    const message = body.message;
    return {
      code: body.code,
      message:
        message && typeof message === 'object' && typeof message.fr === 'string' && typeof message.en === 'string'
          ? message
          : { fr: `Erreur du serveur (${body.code}).`, en: `Server error (${body.code}).` },
      details: body.details ?? {},
    };
  }
  return {
    code: `HTTP_${status}`,
    message: { fr: `Erreur du serveur (HTTP ${status}).`, en: `Server error (HTTP ${status}).` },
    details: {},
  };
}
