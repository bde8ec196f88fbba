/** The phone's policy warnings on an expense line: a pure function of the line, its mission and
 * the organisation's rule set in force on the mission's first day (data the server sends, kept
 * on the phone: src/data/policy.ts). No cap lives here; without a rule set there is no cap
 * warning rather than a guess. The server's own findings replace these once the line is synced. */
import type { ExpenseCategory, ExpenseLine, Mission } from "./model";

/** The part of a rule set the phone checks with (the wire RuleSet has more). */
export interface PolicyRuleSet {
  name: string;
  /** YYYY-MM-DD, first day in force. */
  valid_from: string;
  /** YYYY-MM-DD, first day no longer in force; null when open. */
  valid_until: string | null;
  meal_cap_cents: number;
  lodging_caps_cents: Readonly<Record<string, number>>;
}

/** What the checks need of a mission (each the server's, read through the screen model):
 * its first day, the server's city class of its destination (a key of the rule set's lodging
 * caps), and the line categories its allowance pays (`covers`: then not refunded at cost). */
export type MissionFacts = Pick<Mission, "starts_on" | "city_class"> & { covers: readonly ExpenseCategory[] };

export type PolicyLine = Pick<ExpenseLine, "category" | "amount_cents" | "currency" | "spent_on" | "receipt_blob">;

/** The rule set in force on `day` (the latest started if several overlap), or null. */
export function ruleSetAt<R extends PolicyRuleSet>(ruleSets: readonly R[] | null, day: string): R | null {
  let found: R | null = null;
  for (const r of ruleSets ?? []) {
    const inForce = r.valid_from <= day && (r.valid_until === null || day < r.valid_until);
    if (inForce && (found === null || r.valid_from > found.valid_from)) found = r;
  }
  return found;
}

/** The rule set a line is checked against: in force on the mission's first day, else on the
 * line's date (as the server does). */
export function ruleSetFor<R extends PolicyRuleSet>(ruleSets: readonly R[] | null, line: Pick<PolicyLine, "spent_on">, mission: MissionFacts | null): R | null {
  return ruleSetAt(ruleSets, mission?.starts_on || line.spent_on);
}

/** A mission's facts as the checks read them (`toMission` maps the server's row). */
export function missionFactsOf(m: Pick<Mission, "starts_on" | "city_class" | "allowance">): MissionFacts {
  return { starts_on: m.starts_on, city_class: m.city_class, covers: m.allowance?.covers ?? [] };
}

/** Warning keys (i18n `warning.*`) of a line as entered. Caps compare euro amounts only (a
 * foreign amount's euro value is the server's to compute). */
export function policyWarnings(line: PolicyLine, mission: MissionFacts | null, rules: PolicyRuleSet | null): string[] {
  const warnings: string[] = [];
  const euros = line.currency === "EUR";
  // Paid by the mission's allowance (the server's word): its receipt is a proof, not refunded.
  const covered = mission?.covers.includes(line.category) === true;
  // Abroad the nights' share of the daily allowance is paid on this proof (a receipt is due).
  if (line.category === "lodging" && covered) warnings.push("lodging_abroad");
  if (line.category === "meal" && covered) {
    warnings.push("meal_allowance"); // not reimbursed at cost: no cap and no receipt needed
    return warnings;
  }
  if (line.category === "meal" && rules && euros && line.amount_cents > rules.meal_cap_cents) warnings.push("meal_cap");
  if (line.category === "lodging" && !covered && rules && euros && mission?.city_class) {
    const cap = rules.lodging_caps_cents[mission.city_class] ?? rules.lodging_caps_cents["base"];
    if (cap !== undefined && line.amount_cents > cap) warnings.push("lodging_cap");
  }
  if (!line.receipt_blob && line.category !== "mileage") warnings.push("no_receipt"); // priced by the scale, no receipt
  return warnings;
}
