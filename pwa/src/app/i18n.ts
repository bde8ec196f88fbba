/** Typed FR/EN dictionary and Intl formatting per language. Every text the user reads goes
 * through `t()`; numbers, dates and money through the `format*` helpers.
 *
 * Only the words the sign-in and PIN pages need live here, so the first visit stays small; the
 * rest of each language (./i18n/en.ts, ./i18n/fr.ts) loads on demand, the current language's at
 * start and the other one on a switch. `dictionaryReady` says when screens past sign-in may draw. */
import { computed, signal } from "@preact/signals";
import type { en as later } from "./i18n/en";

export type Language = "fr" | "en";

/** The sign-in page's words, there before any dictionary loads. */
const coreEn = {
  "app.name": "Nomade",
  "app.skip": "Skip to content",
  "app.demo": "Demonstration data: these documents are samples.",
  "signin.expired": "Your session has ended: sign in again. Your unsent changes are kept.",
  "signin.title": "Sign in",
  "signin.email": "Email address",
  "signin.password": "Password",
  "signin.submit": "Sign in",
  "signin.busy": "Signing in…",
  "signin.failed": "Sign-in failed",
  "signin.offline": "You are offline: signing in needs a connection.",
  "pin.setTitle": "Choose a PIN",
  "pin.setHelp": "A 4 to 6 digit code to unlock the app on this phone without your password.",
  "pin.unlockTitle": "Unlock",
  "pin.label": "PIN",
  "pin.confirm": "Confirm the PIN",
  "pin.save": "Save the PIN",
  "pin.unlock": "Unlock",
  "pin.skip": "Not now",
  "pin.mismatch": "The two PINs differ.",
  "pin.invalid": "Use 4 to 6 digits.",
  "pin.wrong": "Wrong PIN.",
  "pin.usePassword": "Sign in with my password",
  "pin.unlockHelp": "Enter your PIN: it works offline too.",
  "pin.attemptsLeft": "{n} attempt(s) left before the session on this phone is wiped.",
  "pin.wiped": "Too many wrong PINs: the session on this phone was wiped. Sign in with your password.",
  "common.loading": "Loading…",
  "a11y.link": "Accessibility: not conformant",
  "onboarding.askAccount": "Supplier without an account? Ask for one",
} as const;

type CoreKey = keyof typeof coreEn;
type LaterKey = keyof typeof later;
export type MessageKey = CoreKey | LaterKey;
type Later = Record<LaterKey, string>;

const coreFr: Record<CoreKey, string> = {
  "app.name": "Nomade",
  "app.skip": "Aller au contenu",
  "app.demo": "Données de démonstration : ces documents sont des exemples.",
  "signin.expired": "Votre session a pris fin : reconnectez-vous. Vos modifications non envoyées sont gardées.",
  "signin.title": "Connexion",
  "signin.email": "Adresse e-mail",
  "signin.password": "Mot de passe",
  "signin.submit": "Se connecter",
  "signin.busy": "Connexion…",
  "signin.failed": "Connexion impossible",
  "signin.offline": "Vous êtes hors ligne : la connexion demande du réseau.",
  "pin.setTitle": "Choisir un code",
  "pin.setHelp": "Un code de 4 à 6 chiffres pour déverrouiller l’application sur ce téléphone sans mot de passe.",
  "pin.unlockTitle": "Déverrouiller",
  "pin.label": "Code",
  "pin.confirm": "Confirmer le code",
  "pin.save": "Enregistrer le code",
  "pin.unlock": "Déverrouiller",
  "pin.skip": "Plus tard",
  "pin.mismatch": "Les deux codes diffèrent.",
  "pin.invalid": "Utilisez 4 à 6 chiffres.",
  "pin.wrong": "Code incorrect.",
  "pin.usePassword": "Me connecter avec mon mot de passe",
  "pin.unlockHelp": "Saisissez votre code : il fonctionne aussi hors ligne.",
  "pin.attemptsLeft": "Encore {n} essai(s) avant l’effacement de la session sur ce téléphone.",
  "pin.wiped": "Trop de codes incorrects : la session sur ce téléphone est effacée. Connectez-vous avec votre mot de passe.",
  "common.loading": "Chargement…",
  "a11y.link": "Accessibilité : non conforme",
  "onboarding.askAccount": "Fournisseur sans compte ? Demandez-en un",
};

const core: Record<Language, Record<CoreKey, string>> = { en: coreEn, fr: coreFr };
const importers: Record<Language, () => Promise<Later>> = {
  en: () => import("./i18n/en").then((m) => m.en),
  fr: () => import("./i18n/fr").then((m) => m.fr),
};
/** The full dictionaries loaded so far; `t()` reads it, so components redraw when one arrives. */
const loaded = signal<Partial<Record<Language, Later>>>({});
const loading = new Map<Language, Promise<void>>();

/** Fetches `lang`'s full dictionary once (again after a failure). */
export function loadDictionary(lang: Language): Promise<void> {
  if (loaded.peek()[lang]) return Promise.resolve();
  let pending = loading.get(lang);
  if (!pending) {
    pending = importers[lang]().then(
      (words) => { loaded.value = { ...loaded.peek(), [lang]: words }; },
      (error: unknown) => { loading.delete(lang); throw error; },
    );
    loading.set(lang, pending);
  }
  return pending;
}

function lookup(lang: Language, key: MessageKey): string | undefined {
  return key in core[lang] ? core[lang][key as CoreKey] : loaded.value[lang]?.[key as LaterKey];
}

const stored = typeof localStorage !== "undefined" ? localStorage.getItem("nomade.lang") : null;
const initial: Language =
  stored === "en" || stored === "fr"
    ? stored
    : typeof navigator !== "undefined" && navigator.language.toLowerCase().startsWith("en") ? "en" : "fr";

/** The language the app speaks now. */
export const language = signal<Language>(initial);
void loadDictionary(initial).catch((error: unknown) => console.error("nomade: dictionary did not load", error));

/** Whether the current language's full dictionary is here (screens past sign-in wait for it). */
export const dictionaryReady = computed(() => loaded.value[language.value] !== undefined);

/** The language last asked for (a switch waiting for its dictionary may be overtaken). */
let wanted: Language = initial;
let signedInScreens = false;

/** Told by the signed-in shell while it shows: a language switch then waits for its dictionary. */
export function holdLanguageSwitches(hold: boolean): void {
  signedInScreens = hold;
}

/** Speaks `lang` at once on the sign-in pages (their words are all here) or when its dictionary is;
 * past sign-in, the screen keeps its words until the other dictionary arrives (no empty labels, no
 * lost focus). */
export function setLanguage(lang: Language): void {
  wanted = lang;
  if (typeof localStorage !== "undefined") localStorage.setItem("nomade.lang", lang);
  const apply = (): void => {
    if (wanted !== lang) return;
    language.value = lang;
    if (typeof document !== "undefined") document.documentElement.lang = lang;
  };
  const now = loaded.peek()[lang] !== undefined || !signedInScreens;
  if (now) apply();
  void loadDictionary(lang)
    .catch((error: unknown) => console.error("nomade: dictionary did not load", error))
    .finally(() => { if (!now) apply(); });
}

/** The message `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function translate(lang: Language, key: MessageKey, params?: Record<string, string | number>): string {
  let text = lookup(lang, key) ?? "";
  if (params) for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, String(value));
  return text;
}

/** The plain-words name of a queued change, or null for an unknown intent name. */
export function intentLabel(name: string, lang: Language = language.value): string | null {
  const key = `intent.${name}` as MessageKey;
  return lookup(lang, key) === undefined ? null : translate(lang, key);
}

/** "1 change" or "{n} changes" waiting to be sent. */
export function pendingText(n: number, lang: Language = language.value): string {
  return n === 1 ? translate(lang, "sync.pendingOne") : translate(lang, "sync.pending", { n: formatNumber(n, lang) });
}

/** The message `key` in the current language (reading it subscribes the component). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(language.value, key, params);
}

const locales: Record<Language, string> = { fr: "fr-FR", en: "en-GB" };

/** Money from integer cents; the division happens only for display. */
export function formatMoney(cents: number, currency = "EUR", lang: Language = language.value): string {
  return new Intl.NumberFormat(locales[lang], { style: "currency", currency }).format(cents / 100);
}

export function formatNumber(value: number, lang: Language = language.value, digits = 0): string {
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: digits }).format(value);
}

export function formatPercent(ratio: number, lang: Language = language.value): string {
  return new Intl.NumberFormat(locales[lang], { style: "percent", maximumFractionDigits: 0 }).format(ratio);
}

/** A calendar date ("2026-11-22" or an ISO timestamp), shown in UTC so days never shift. */
export function formatDate(iso: string, lang: Language = language.value): string {
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return new Intl.DateTimeFormat(locales[lang], { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(date);
}

export function formatDateTime(iso: string, lang: Language = language.value, timeZone?: string): string {
  return new Intl.DateTimeFormat(locales[lang], {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

/** "12,50" or "12.50" typed by the user → integer cents (null when not a valid amount). */
/** An amount as typed in a field ("146,25" in French, "146.25" in English), no currency. */
export function formatAmountInput(cents: number, lang: Language = language.value): string {
  const text = (cents / 100).toFixed(2);
  return lang === "fr" ? text.replace(".", ",") : text;
}

export function parseMoneyToCents(text: string): number | null {
  const cleaned = text.replace(/[\s\u00a0€]/g, "").replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole, frac = ""] = cleaned.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}
