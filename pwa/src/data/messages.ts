/**
 * FR/EN texts of ack and error codes: the server's own text when it sent one, else its
 * catalogue as generated into contract.gen.ts (loaded apart: never part of the first load),
 * else a generic text that still names the code. No text is written here per code.
 */
import { signal } from '@preact/signals';
import type { ErrorText } from './contract.gen';
import type { LocalizedText } from './types';

/** A signal: a text read before the catalogue arrived is shown again in the server's words. */
const catalogue = signal<Readonly<Record<string, ErrorText>> | null>(null);
let loading: Promise<void> | null = null;

/** Loads the generated catalogue once (its own chunk, precached by the service worker);
 * a failure leaves the generic text and is tried again next time. */
export function loadErrorTexts(): Promise<void> {
  loading ??= import('./contract.gen').then(
    (contract) => { catalogue.value = contract.ERROR_CODES; },
    () => { loading = null; },
  );
  return loading;
}

/** The FR/EN text for a code (server-provided text wins when the caller has it). */
export function describeCode(code: string, serverText?: LocalizedText | null): LocalizedText {
  if (serverText && serverText.fr && serverText.en) return serverText;
  const known = catalogue.value?.[code];
  if (known) return { fr: known.fr, en: known.en };
  return {
    fr: `Action refusée par le serveur (${code}).`,
    en: `The server refused this action (${code}).`,
  };
}
