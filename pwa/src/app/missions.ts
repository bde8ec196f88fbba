/** A mission as the agent enters it on the phone (pure: tested without a browser): the form's
 * values turned into `mission.create` / `mission.edit` fields, the checks the server makes again
 * (return after departure), and the server's allowance figures read from the row. */
import type { IntentArgs } from "../data/contract.gen";
import type { MessageKey } from "./i18n";
import type { Allowance, Booking, CoveredCategory, Mission } from "./model";

/** Countries offered on the form, with the time zone of their capital (the server checks
 * the times on the place's wall clock). France first: the default. */
export const COUNTRIES: readonly { code: string; zone: string }[] = [
  { code: "FR", zone: "Europe/Paris" }, { code: "BE", zone: "Europe/Brussels" }, { code: "DE", zone: "Europe/Berlin" },
  { code: "ES", zone: "Europe/Madrid" }, { code: "IT", zone: "Europe/Rome" }, { code: "GB", zone: "Europe/London" },
  { code: "CH", zone: "Europe/Zurich" }, { code: "NL", zone: "Europe/Amsterdam" }, { code: "PT", zone: "Europe/Lisbon" },
  { code: "LU", zone: "Europe/Luxembourg" }, { code: "US", zone: "America/New_York" }, { code: "CA", zone: "America/Toronto" },
  { code: "JP", zone: "Asia/Tokyo" }, { code: "MA", zone: "Africa/Casablanca" }, { code: "SN", zone: "Africa/Dakar" },
];

export const zoneOf = (country: string): string => COUNTRIES.find((c) => c.code === country)?.zone ?? "Europe/Paris";

/** What the mission form holds (strings as typed; amounts in cents already parsed). */
export interface MissionDraft {
  purpose: string;
  destination: string;
  /** The place's wall clock, "YYYY-MM-DDTHH:MM" (datetime-local). */
  departs_at: string;
  returns_at: string;
  country: string;
  transport: Mission["transport"];
  estimate_cents: number;
  advance_requested: boolean;
  bookings: Booking[];
}

/** Why a form cannot be sent as it is (checked again by the server, same codes). */
export type DraftProblem = "TIMES_INCOMPLETE" | "DATES_INVALID" | "BOOKING_INVALID";

const wallClock = (value: string): string => (value.length === 16 ? `${value}:00` : value);

export function checkDraft(draft: MissionDraft): DraftProblem | null {
  if (!draft.departs_at || !draft.returns_at) return "TIMES_INCOMPLETE";
  if (wallClock(draft.returns_at) <= wallClock(draft.departs_at)) return "DATES_INVALID";
  if (draft.bookings.some((b) => !b.label.trim() || b.fare_cents < 0)) return "BOOKING_INVALID";
  return null;
}

/** The intent fields of a mission: its days are those of the departure and the return (so the
 * times always fall on the mission's first and last days), times sent as the place's wall clock. */
export function missionFields(draft: MissionDraft): Omit<IntentArgs["mission.create"], "id"> {
  return {
    purpose: draft.purpose.trim(), destination: draft.destination.trim(),
    starts_on: draft.departs_at.slice(0, 10), ends_on: draft.returns_at.slice(0, 10),
    departs_at: wallClock(draft.departs_at), returns_at: wallClock(draft.returns_at),
    country: draft.country, time_zone: zoneOf(draft.country),
    transport: draft.transport, estimated_cost_cents: draft.estimate_cents,
    advance_requested: draft.advance_requested,
    bookings: draft.bookings.map((b) => ({
      label: b.label.trim(), fare_cents: b.fare_cents, mode: b.mode,
      expires_at: b.expires_at ? wallClockToInstant(b.expires_at, zoneOf(draft.country)) : null,
    })),
  };
}

/** A booking's expiry typed on the place's clock ("YYYY-MM-DDTHH:MM"), as an instant (UTC). */
export function wallClockToInstant(local: string, zone: string): string {
  const [date = "", time = "00:00"] = local.split("T");
  const [y, mo, d] = date.split("-").map(Number), [h, mi] = time.split(":").map(Number);
  const guess = Date.UTC(y ?? 1970, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0);
  // The zone's offset at that moment: what the guess reads as on the place's clock.
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(new Date(guess));
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const seen = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"));
  return new Date(guess - (seen - guess)).toISOString().replace(".000Z", "Z");
}

/** An instant shown on the place's clock, for the datetime-local inputs ("YYYY-MM-DDTHH:MM"). */
export function instantToWallClock(iso: string, zone: string): string {
  if (!iso) return "";
  if (!/[zZ]|[+-]\d\d:?\d\d$/.test(iso)) return iso.slice(0, 16);
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(new Date(iso));
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? "00";
  return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}`;
}

/** The form's starting values: a mission being changed, or a blank one in France. */
export function draftOf(m: Mission | undefined): MissionDraft {
  if (!m) {
    return { purpose: "", destination: "", departs_at: "", returns_at: "", country: "FR", transport: "train", estimate_cents: 0, advance_requested: false, bookings: [] };
  }
  const zone = m.time_zone || zoneOf(m.country);
  return {
    purpose: m.purpose, destination: m.destination,
    departs_at: m.departs_at ? instantToWallClock(m.departs_at, zone) : m.starts_on ? `${m.starts_on}T08:00` : "",
    returns_at: m.returns_at ? instantToWallClock(m.returns_at, zone) : m.ends_on ? `${m.ends_on}T19:00` : "",
    country: m.country, transport: m.transport, estimate_cents: m.estimate_cents, advance_requested: m.advance_requested,
    bookings: m.bookings.map((b) => ({ ...b, expires_at: b.expires_at ? instantToWallClock(b.expires_at, zone) : "" })),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const int = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? Math.round(v) : 0);

/** The server's allowance figures on a mission row; null before the server computed them
 * (no times, or not synced yet). */
export function allowanceOf(raw: unknown): Allowance | null {
  if (!isObject(raw) || typeof raw["meals"] !== "number") return null;
  return {
    meals: int(raw["meals"]), nights: int(raw["nights"]), meals_cents: int(raw["meals_cents"]),
    lodging_cap_cents: int(raw["lodging_cap_cents"]), abroad_cents: int(raw["abroad_cents"]),
    expected_cents: int(raw["expected_cents"]), advance_cents: int(raw["advance_cents"]),
    rate_missing: raw["rate_missing"] === true,
    // What the allowance pays is the server's word, never guessed from the times.
    covers: Array.isArray(raw["covers"]) ? raw["covers"].filter((c): c is CoveredCategory => typeof c === "string") : [],
  };
}

const TRANSPORTS = new Set(["train", "plane", "car", "public_transport", "boat", "other"]);
/** The bookings of a mission row, well-formed ones only. */
export function bookingsOf(raw: unknown): Booking[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((b) => ({
    label: typeof b["label"] === "string" ? b["label"] : "",
    fare_cents: int(b["fare_cents"]),
    mode: typeof b["mode"] === "string" && TRANSPORTS.has(b["mode"]) ? (b["mode"] as Booking["mode"]) : "train",
    expires_at: typeof b["expires_at"] === "string" ? b["expires_at"] : "",
  }));
}

/** What the agent may do with a mission in its state. */
export function missionActions(status: Mission["status"]): { edit: boolean; submit: boolean; cancel: boolean; amend: boolean } {
  return {
    edit: status === "draft" || status === "returned",
    submit: status === "draft" || status === "returned",
    cancel: status === "draft" || status === "submitted" || status === "returned" || status === "approved",
    amend: status === "approved",
  };
}

/** Whether a mission to `country` is abroad by the server's rule, given as data: any country but
 * the home country sent with the rule sets (backend/policy/allowances.py `is_abroad`); null
 * while the phone has not received it. */
export function isAbroad(country: string, homeCountry: string | null): boolean | null {
  return homeCountry === null ? null : country.toUpperCase() !== homeCountry.toUpperCase();
}

/** The labels of a mission's two times: abroad (the server's `abroad`, never the phone's
 * reading of the country) they are the arrival in and departure from the country, whose days
 * the foreign allowance pays. */
export function timeLabels(m: Pick<Mission, "abroad">): { departs: MessageKey; returns: MessageKey } {
  return m.abroad ? { departs: "agent.arrivesAbroad", returns: "agent.leavesAbroad" } : { departs: "agent.departs", returns: "agent.returns" };
}
