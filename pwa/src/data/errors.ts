/**
 * Typed errors of the data layer. Each carries a stable `code` and a FR/EN message the UI can
 * show as is.
 */
import type { ApiErrorBody, JsonObject, LocalizedText } from './types';

/** Base class: every data-layer error has a code and a FR/EN message. */
export class DataError extends Error {
  readonly code: string;
  readonly text: LocalizedText;
  readonly details: JsonObject;

  constructor(code: string, text: LocalizedText, details: JsonObject = {}) {
    super(`${code}: ${text.en}`);
    this.name = 'DataError';
    this.code = code;
    this.text = text;
    this.details = details;
  }
}

/** The browser refused to store more data (IndexedDB quota). Nothing already saved is lost. */
export class StorageFullError extends DataError {
  constructor(cause?: unknown) {
    super('STORAGE_FULL', {
      fr: "Le stockage de l'appareil est plein : libérez de la place pour enregistrer hors ligne.",
      en: 'Device storage is full: free some space to keep saving offline.',
    });
    this.name = 'StorageFullError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** An error answer of the API (`{code, message:{fr,en}, details}`) with its HTTP status. */
export class ApiError extends DataError {
  readonly status: number;
  /** Seconds from a Retry-After header, when present. */
  readonly retryAfter: number | null;

  constructor(status: number, body: ApiErrorBody, retryAfter: number | null = null) {
    super(body.code, body.message, body.details ?? {});
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** The server could not be reached (offline, DNS, connection reset, lost response). */
export class NetworkError extends DataError {
  constructor(cause?: unknown) {
    super('NETWORK', {
      fr: 'Serveur injoignable : vos saisies restent enregistrées sur l’appareil.',
      en: 'Server unreachable: your entries stay saved on this device.',
    });
    this.name = 'NetworkError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** No signed-in user for an operation that needs one. */
export class NotSignedInError extends DataError {
  constructor() {
    super('NOT_SIGNED_IN', {
      fr: 'Connectez-vous pour continuer.',
      en: 'Sign in to continue.',
    });
    this.name = 'NotSignedInError';
  }
}

/** True for the DOMException browsers raise when a write exceeds the storage quota. */
export function isQuotaError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const name = (error as { name?: unknown }).name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}
