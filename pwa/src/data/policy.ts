/**
 * The organisation's expense rule sets (GET /api/v1/policy/rule-sets), kept in IndexedDB (a
 * `meta` record per user, no schema change) so the phone checks lines offline with the same
 * data the server uses; and the home country sent beside them (a mission elsewhere is abroad).
 * Revalidated after sync cycles with the server's ETag (a 304 costs no body); never a guess:
 * until a first answer arrived there are no rule sets and no home country (null).
 */
import type { Auth } from './auth';
import { guarded, type Db, type RuleSetsMeta } from './db';
import { ApiError } from './errors';
import type { User } from './types';

/** One dated rule set as the server sends it (backend/policy/rules.py RuleSet). Money in
 * integer cents; rates are decimal strings. */
export interface RuleSet {
  name: string;
  /** First day in force (YYYY-MM-DD). */
  valid_from: string;
  /** First day no longer in force, or null (open). */
  valid_until: string | null;
  source: string;
  meal_cap_cents: number;
  /** Per-night lodging cap by city class (base, large_city, grand_paris, paris). */
  lodging_caps_cents: Record<string, number>;
  disabled_lodging_cap_cents: number | null;
  mileage_rates: { min_cv: number; max_cv: number | null; bands: [number | null, string][] }[];
  legal_vat_rates: string[];
  plausible_vat_rates: Record<string, string[]>;
  vat_tolerance_cents: number;
  blocking: string[];
  allowances: Record<string, unknown>;
  abroad_daily_cents: Record<string, number>;
}

/** The server's answer (backend/policy/schemas.py RuleSetsOut). */
export interface RuleSetsAnswer {
  rule_sets: RuleSet[];
  /** ISO 3166 alpha-2: a mission to any other country is abroad (the server's rule). */
  home_country: string;
}

/** What the phone keeps of the last answer (a record from before `home_country` has none). */
export interface PolicyData {
  rule_sets: RuleSet[];
  home_country: string | null;
}

export const RULE_SETS_PATH = '/api/v1/policy/rule-sets';
/** At most one revalidation per user in this interval (sync cycles run every minute). */
export const RULE_SETS_REFRESH_MS = 10 * 60_000;

export const ruleSetsKey = (userId: string): `rule_sets:${string}` => `rule_sets:${userId}`;

/** Whether the user's organisation has rule sets to read (suppliers have none: 403). */
const readsRules = (user: User | undefined): boolean =>
  user !== undefined && user.role !== 'supplier' && user.organisation_id !== null;

export class PolicyRules {
  private readonly lastTry = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly auth: Auth,
    private readonly user: () => User | undefined,
    private readonly now: () => number = Date.now,
    private readonly refreshMs: number = RULE_SETS_REFRESH_MS,
  ) {}

  /** The rule sets and home country last received for `userId` (offline too), or null before any. */
  async read(userId: string): Promise<PolicyData | null> {
    const saved = (await this.db.get('meta', ruleSetsKey(userId))) as RuleSetsMeta | undefined;
    return saved ? { rule_sets: saved.rule_sets, home_country: saved.home_country ?? null } : null;
  }

  /**
   * Asks the server for the rule sets (If-None-Match the stored ETag), at most once per
   * interval unless `force`; stores a new answer. True when the stored rule sets changed.
   * Never throws: offline or refused, what the phone has stays.
   */
  async refresh(userId: string, force = false): Promise<boolean> {
    if (!readsRules(this.user())) return false;
    const at = this.now(), last = this.lastTry.get(userId);
    if (!force && last !== undefined && at - last < this.refreshMs) return false;
    this.lastTry.set(userId, at);
    try {
      const key = ruleSetsKey(userId);
      const saved = (await this.db.get('meta', key)) as RuleSetsMeta | undefined;
      const headers: Record<string, string> = saved ? { 'If-None-Match': saved.etag } : {};
      const answer = await this.auth.authed<RuleSetsAnswer>(userId, { method: 'GET', path: RULE_SETS_PATH, headers });
      const etag = answer.headers.get('ETag') ?? '';
      if (!Array.isArray(answer.body?.rule_sets) || (saved !== undefined && etag !== '' && etag === saved.etag)) return false;
      const record: RuleSetsMeta = { key, etag, fetched_at: at, rule_sets: answer.body.rule_sets };
      if (typeof answer.body.home_country === 'string') record.home_country = answer.body.home_country;
      await guarded(() => this.db.put('meta', record));
      return true;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 304) this.lastTry.delete(userId); // retry next cycle
      return false;
    }
  }
}
