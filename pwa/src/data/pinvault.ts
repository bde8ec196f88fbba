/**
 * The PIN vault: the session's secret (the refresh token) kept encrypted on the phone under a
 * key derived from the PIN (PBKDF2-SHA-256 → AES-GCM-256, WebCrypto). Opening the vault is the
 * offline PIN check: a wrong PIN fails AES-GCM's authentication. The derived key is
 * non-extractable and lives only in memory while the app is unlocked.
 *
 * What this protects: someone reading the phone's storage gets the vault, not the refresh token;
 * with a 4–6 digit PIN they could still try every PIN offline against the vault (PBKDF2 slows
 * each try), and the server accepts that token only as a LOCKED session until /auth/unlock
 * checks the PIN itself (five wrong there wipe the device).
 */

/** PBKDF2 iterations for new vaults (OWASP 2023 figure for PBKDF2-HMAC-SHA256). */
export const PIN_ITERATIONS = 600_000;
/** Wrong PINs in a row after which the local session is wiped (same as the server). */
export const MAX_LOCAL_PIN_FAILURES = 5;

export interface PinVault {
  /** base64 salt (16 bytes), iv (12 bytes) and AES-GCM ciphertext of the secret. */
  salt: string;
  iv: string;
  data: string;
  iterations: number;
}

/** An open vault: the key to re-seal a rotated secret without the PIN again. */
export interface VaultKey {
  key: CryptoKey;
  salt: string;
  iterations: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toB64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromB64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The AES-GCM key a PIN derives with this salt. */
export async function deriveKey(pin: string, salt: string, iterations: number): Promise<VaultKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(pin), 'PBKDF2', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromB64(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  return { key, salt, iterations };
}

/** A new key for `pin` with a fresh random salt. */
export function newKey(pin: string, iterations = PIN_ITERATIONS): Promise<VaultKey> {
  return deriveKey(pin, toB64(crypto.getRandomValues(new Uint8Array(16))), iterations);
}

/** Encrypts `secret` under an open key (a fresh IV each time). */
export async function seal(vaultKey: VaultKey, secret: string): Promise<PinVault> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, vaultKey.key, encoder.encode(secret));
  return { salt: vaultKey.salt, iv: toB64(iv), data: toB64(new Uint8Array(data)), iterations: vaultKey.iterations };
}

/** The secret and the open key when `pin` is the right one, null when it is not. */
export async function open(vault: PinVault, pin: string): Promise<{ secret: string; key: VaultKey } | null> {
  const key = await deriveKey(pin, vault.salt, vault.iterations);
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromB64(vault.iv) }, key.key, fromB64(vault.data));
    return { secret: decoder.decode(plain), key };
  } catch {
    return null; // AES-GCM authentication failed: another PIN
  }
}
