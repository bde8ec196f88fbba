/** Pure rules of a manager's decision (no I/O): the server's policy findings of a claim (duplicates
 * first), what a decision screen shows of a mission (bookings, the agent's other missions), which
 * requests may be approved in bulk, the plain words for a refusal from the server, and the short
 * undo window before a decision is queued. */
import type { Row } from "../data";
import type { ClaimFindingRow, MissionRow } from "../data/contract.gen";
import type { Approval } from "./model";
import { held } from "./rows";

/** One policy observation of the server on a claim line (`findings` of a submitted claim). */
export interface Finding {
  line_id: string;
  code: string;
  severity: string;
  fr: string;
  en: string;
}

const SEVERITY_ORDER: Record<string, number> = { blocking: 0, warning: 1, info: 2 };
/** Duplicates first (a receipt claimed twice is the costliest mistake), then by severity. */
function rank(f: Finding): number {
  return (f.code === "DUPLICATE_RECEIPT" ? 0 : 10) + (SEVERITY_ORDER[f.severity] ?? 3);
}

/** The findings of a claim row (its `findings`), duplicates first. */
export function findingsOf(findings: readonly ClaimFindingRow[] = []): Finding[] {
  return findings.map((f): Finding => ({
    line_id: f.line_id, code: f.code, severity: f.severity, fr: f.message_fr, en: f.message_en,
  })).sort((a, b) => rank(a) - rank(b));
}

/** Lines in the order a manager should read them: those with a duplicate first, then those with
 * any finding, then the rest (each group by date). */
export function linesToRead<L extends { id: string; spent_on: string }>(lines: readonly L[], findings: readonly Finding[]): L[] {
  const weight = (l: L): number => {
    const mine = findings.filter((f) => f.line_id === l.id);
    return mine.some((f) => f.code === "DUPLICATE_RECEIPT") ? 0 : mine.length > 0 ? 1 : 2;
  };
  return [...lines].sort((a, b) => weight(a) - weight(b) || a.spent_on.localeCompare(b.spent_on));
}

/** A fare held for a mission until it expires. */
export interface Booking {
  label: string;
  fare_cents: number;
  expires_at: string | null;
}

/** The bookings of a mission row (its `bookings`). */
export function bookingsOf(bookings: MissionRow["bookings"] = []): Booking[] {
  return bookings.map((b) => ({ label: b.label, fare_cents: b.fare_cents ?? 0, expires_at: b.expires_at || null }));
}

/** What is left before `expiresAt` at `now` (ms), in whole units; null once expired. */
export function remaining(expiresAt: string, now: number): { days: number; hours: number; minutes: number; seconds: number } | null {
  const left = Math.floor((Date.parse(expiresAt) - now) / 1000);
  if (!Number.isFinite(left) || left <= 0) return null;
  return { days: Math.floor(left / 86_400), hours: Math.floor((left % 86_400) / 3600), minutes: Math.floor((left % 3600) / 60), seconds: left % 60 };
}

/** The agent's other missions overlapping [startsOn, endsOn] (dates YYYY-MM-DD), from pulled rows. */
export function otherMissions(rows: readonly Row[], mission: Row): Row[] {
  const m = held<"mission">(mission);
  const from = (m.starts_on ?? "").slice(0, 10), to = (m.ends_on ?? "").slice(0, 10);
  return rows.filter((r) => {
    const o = held<"mission">(r);
    return r.id !== mission.id && o.agent === m.agent && !["cancelled", "refused", "draft"].includes(o.state ?? "")
      && (o.starts_on ?? "").slice(0, 10) <= to && (o.ends_on ?? "").slice(0, 10) >= from;
  });
}

/** Only requests without anything to look at may be approved in bulk: missions and claims
 * without findings. Service done is always opened (quantities to check). */
export function bulkApprovable(a: Approval): boolean {
  return a.kind !== "service_done" && a.findings === 0;
}

/** The server refused a decision: what happened, in the words of the decision screen. */
export type RefusalKind = "changed" | "withdrawn" | "decided" | "other";
export function refusalKind(code: string, currentState: string): RefusalKind {
  if (code === "ALREADY_DECIDED") return "decided";
  if (code === "CONTENT_CHANGED") return "changed";
  if (code === "STATE_CHANGED" || code === "ROUND_CHANGED") {
    if (currentState === "draft" || currentState === "withdrawn" || currentState === "cancelled") return "withdrawn";
    if (["approved", "refused", "returned", "paid"].includes(currentState)) return "decided";
    return "changed";
  }
  return "other";
}

/** A decision waiting out its undo window before it is queued. */
export interface Held<T> {
  key: string;
  value: T;
  until: number;
}

/** Holds decisions `delayMs` before committing them; `undo` drops one still held. The timer is
 * injected so the rule is testable without waiting. */
export class UndoWindow<T> {
  private readonly timers = new Map<string, { held: Held<T>; timer: unknown }>();
  constructor(
    private readonly commit: (value: T) => void,
    private readonly onChange: (held: Held<T>[]) => void,
    private readonly delayMs = 5_000,
    private readonly clock: { now(): number; set(fn: () => void, ms: number): unknown; clear(handle: unknown): void } = {
      now: () => Date.now(), set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
  ) {}

  get held(): Held<T>[] {
    return [...this.timers.values()].map((x) => x.held);
  }

  hold(key: string, value: T): void {
    this.undo(key);
    const held = { key, value, until: this.clock.now() + this.delayMs };
    const timer = this.clock.set(() => this.flush(key), this.delayMs);
    this.timers.set(key, { held, timer });
    this.onChange(this.held);
  }

  /** True when the decision was still held (and is now dropped). */
  undo(key: string): boolean {
    const entry = this.timers.get(key);
    if (!entry) return false;
    this.clock.clear(entry.timer);
    this.timers.delete(key);
    this.onChange(this.held);
    return true;
  }

  /** Commits one held decision now (its window ended, or the page is going away). */
  flush(key: string): void {
    const entry = this.timers.get(key);
    if (!entry) return;
    this.clock.clear(entry.timer);
    this.timers.delete(key);
    this.commit(entry.held.value);
    this.onChange(this.held);
  }

  flushAll(): void {
    for (const key of [...this.timers.keys()]) this.flush(key);
  }
}

/** Delegations not ended nor revoked at `now` (ms). */
export function inProgress<D extends { revoked_at: string | null; ends_at: string }>(list: readonly D[], now: number): D[] {
  return list.filter((d) => d.revoked_at === null && Date.parse(d.ends_at) > now);
}
