import { describe, expect, it } from "vitest";

import { missionFactsOf, policyWarnings, ruleSetAt, ruleSetFor, type MissionFacts, type PolicyLine, type PolicyRuleSet } from "../../src/app/policy";
import { toMission } from "../../src/app/rows";
import type { Row } from "../../src/data";
import type { MissionAllowance, MissionRow } from "../../src/data/contract.gen";

// Rule sets as the server sends them (figures of backend/policy/rules.py STATE_DEFAULTS, and a
// later ministry version): the phone holds no cap of its own.
const state2023: PolicyRuleSet = {
  name: "state-2023", valid_from: "2023-09-22", valid_until: null, meal_cap_cents: 2000,
  lodging_caps_cents: { base: 9000, large_city: 12000, grand_paris: 12000, paris: 14000 },
};
const ministry2027: PolicyRuleSet = {
  name: "ministere-2027", valid_from: "2027-01-01", valid_until: null, meal_cap_cents: 2500,
  lodging_caps_cents: { base: 9500, large_city: 13000, grand_paris: 13000, paris: 15000 },
};
const ruleSets = [state2023, ministry2027];

const hotel = (amount_cents: number, spent_on = "2026-10-05"): PolicyLine => ({
  category: "lodging", amount_cents, currency: "EUR", spent_on, receipt_blob: "f".repeat(64),
});
const meal = (amount_cents: number, spent_on = "2026-10-05"): PolicyLine => ({ ...hotel(amount_cents, spent_on), category: "meal" });
/** The facts of a mission row as the server sends it (read through the screen model). */
const missionFrom = (fields: Partial<MissionRow>): MissionFacts => missionFactsOf(toMission({
  entity: "mission", id: "m1", row_version: 2, pending: false,
  data: { starts_on: "2026-10-05", departs_at: null, returns_at: null, country: "FR", abroad: false, city_class: "base", ...fields },
} as unknown as Row));
const mission = (fields: Partial<MissionRow>): MissionFacts => missionFrom(fields);
/** A mission's allowance as the server computed it (figures of a 2-day mission); `covers` is its
 * word on the line categories the allowance pays. */
const allowance = (covers: MissionAllowance["covers"], more: Partial<MissionAllowance> = {}): MissionAllowance => ({
  rule_set: "state-2023", meals: 3, nights: 1, meals_cents: 5_250, lodging_cap_cents: 9_000, abroad_cents: 0,
  expected_cents: 14_250, advance_cents: 0, rate_missing: false, abroad_nights_cents: 0, ...more, ...(covers ? { covers } : {}),
});
const times = { departs_at: "2026-10-05T06:30:00Z", returns_at: "2026-10-06T19:00:00Z" };
const warn = (line: PolicyLine, m: MissionFacts | null) => policyWarnings(line, m, ruleSetFor(ruleSets, line, m));

describe("policy warnings from the organisation's rule sets", () => {
  it("the same 130 € night is over the cap in Lyon (120 €) and within it in Paris (140 €)", () => {
    const lyon = mission({ city_class: "large_city" }), paris = mission({ city_class: "paris" });
    expect(warn(hotel(13_000), lyon)).toEqual(["lodging_cap"]);
    expect(warn(hotel(13_000), paris)).toEqual([]);
    expect(warn(hotel(14_001), paris)).toEqual(["lodging_cap"]);
    expect(warn(hotel(9_100), mission({ city_class: "base" }))).toEqual(["lodging_cap"]);
  });

  it("a rule set dated later applies to a later mission only", () => {
    const before = mission({ city_class: "paris" }), later = missionFrom({ starts_on: "2027-02-01", city_class: "paris" });
    expect(warn(meal(2_200), null)).toEqual(["meal_cap"]); // 2026: 20 € cap
    expect(warn(meal(2_200, "2027-02-01"), later)).toEqual([]); // 2027: 25 € cap
    expect(warn(hotel(14_500), before)).toEqual(["lodging_cap"]);
    expect(warn(hotel(14_500, "2027-02-02"), later)).toEqual([]);
    // The mission's first day decides, not the line's date (as on the server).
    expect(ruleSetFor(ruleSets, { spent_on: "2027-01-03" }, missionFrom({ starts_on: "2026-12-30" }))?.name).toBe("state-2023");
  });

  it("a meal is explained as paid by the flat allowance when the server says its allowance covers meals", () => {
    const timed = mission({ city_class: "paris", ...times, allowance: allowance(["meal"]) });
    expect(warn({ ...meal(3_500), receipt_blob: undefined } as PolicyLine, timed)).toEqual(["meal_allowance"]);
    expect(warn(meal(3_500), mission({ city_class: "paris" }))).toEqual(["meal_cap"]);
  });

  it("never guesses from the times: a meal the server counts at cost is checked against the cap", () => {
    // Abroad without a daily rate the server computes no allowance: meals count at cost.
    const noRate = mission({ city_class: "base", country: "ZZ", abroad: true, ...times,
      allowance: allowance([], { rate_missing: true }) });
    expect(warn({ ...meal(3_500), receipt_blob: undefined } as PolicyLine, noRate)).toEqual(["meal_cap", "no_receipt"]);
    // Times synced before the server's allowance: not covered yet either.
    expect(warn(meal(3_500), mission({ city_class: "base", ...times }))).toEqual(["meal_cap"]);
    expect(warn(meal(3_500), mission({ city_class: "base", ...times, allowance: allowance(undefined) }))).toEqual(["meal_cap"]);
  });

  it("without a rule set ever received there is no cap warning, only the missing receipt", () => {
    const lyon = mission({ city_class: "large_city" });
    const noReceipt = { ...hotel(50_000), receipt_blob: undefined } as PolicyLine;
    expect(policyWarnings(noReceipt, lyon, ruleSetFor(null, noReceipt, lyon))).toEqual(["no_receipt"]);
    expect(policyWarnings(meal(9_900), null, null)).toEqual([]);
    // A mileage line is priced by the scale: it needs no receipt.
    expect(policyWarnings({ ...noReceipt, category: "mileage" }, lyon, null)).toEqual([]);
  });

  it("guesses nothing: no lodging cap without the mission's city class, none on a foreign amount", () => {
    expect(warn(hotel(50_000), null)).toEqual([]);
    expect(warn(hotel(50_000), mission({ city_class: "" }))).toEqual([]);
    // A class the rule set does not name is capped as "base", as the server does.
    expect(warn(hotel(9_100), mission({ city_class: "seaside" }))).toEqual(["lodging_cap"]);
    expect(warn({ ...meal(9_900), currency: "CHF" }, null)).toEqual([]);
  });

  it("picks the latest started rule set among those in force, none before the first", () => {
    expect(ruleSetAt(ruleSets, "2023-09-21")).toBeNull();
    expect(ruleSetAt(ruleSets, "2026-12-31")?.name).toBe("state-2023");
    expect(ruleSetAt(ruleSets, "2027-01-01")?.name).toBe("ministere-2027");
    expect(ruleSetAt([{ ...state2023, valid_until: "2027-01-01" }], "2027-01-01")).toBeNull();
  });
});

describe("a mission abroad", () => {
  const daily = allowance(["meal", "lodging"], { abroad_cents: 31_200, abroad_nights_cents: 12_000 });
  it("pays the nights by the daily allowance: a hotel bill is the proof, never over a French cap", () => {
    const berlin = missionFrom({ city_class: "base", country: "DE", abroad: true, ...times, allowance: daily });
    expect(warn(hotel(31_000), berlin)).toEqual(["lodging_abroad"]);
    expect(warn({ ...hotel(31_000), receipt_blob: undefined } as PolicyLine, berlin)).toEqual(["lodging_abroad", "no_receipt"]);
    expect(warn(meal(3_500), berlin)).toEqual(["meal_allowance"]);
    const lyon = missionFrom({ city_class: "base", country: "FR", abroad: false, ...times, allowance: allowance(["meal"]) });
    expect(warn(hotel(31_000), lyon)).toEqual(["lodging_cap"]);
    // What the allowance pays is the server's word, never the phone's reading of the country or its flags.
    expect(warn(hotel(31_000), missionFrom({ city_class: "base", country: "DE", abroad: true, ...times, allowance: allowance(["meal"]) }))).toEqual(["lodging_cap"]);
    expect(warn(hotel(31_000), missionFrom({ city_class: "base", country: "FR", abroad: false, ...times, allowance: daily }))).toEqual(["lodging_abroad"]);
  });

  it("without a daily rate for the country, meals and nights are at cost (as the server counts them)", () => {
    const noRate = missionFrom({ city_class: "base", country: "ZZ", abroad: true, ...times, allowance: allowance([], { rate_missing: true }) });
    expect(warn(hotel(9_100), noRate)).toEqual(["lodging_cap"]);
    expect(warn(meal(2_100), noRate)).toEqual(["meal_cap"]);
  });
});

describe("the mission facts are read through the typed mission only", () => {
  it("refuses a raw row's data (no alternate keys to tolerate)", () => {
    // @ts-expect-error a synced row's untyped data is mapped by toMission first
    const facts = () => missionFactsOf({ starts_on: "2026-10-05" } as Readonly<Record<string, unknown>>);
    expect(facts).toBeTypeOf("function");
  });
  it("takes the server's city class and what its allowance covers, nothing from the times", () => {
    expect(missionFrom({ city_class: "paris", abroad: true, ...times, allowance: allowance(["meal", "lodging"], { abroad_cents: 31_200 }) }))
      .toEqual({ starts_on: "2026-10-05", city_class: "paris", covers: ["meal", "lodging"] });
    expect(missionFrom({ city_class: "paris", abroad: true, ...times, allowance: allowance([], { rate_missing: true }) }))
      .toEqual({ starts_on: "2026-10-05", city_class: "paris", covers: [] });
    expect(missionFrom({ city_class: "", ...times })).toEqual({ starts_on: "2026-10-05", city_class: null, covers: [] });
  });
});
