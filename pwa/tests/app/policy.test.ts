import { describe, expect, it } from "vitest";

import { missionFactsOf, policyWarnings, ruleSetAt, ruleSetFor, type MissionFacts, type PolicyLine, type PolicyRuleSet } from "../../src/app/policy";

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
const mission = (destinationRow: Record<string, unknown>): MissionFacts => missionFactsOf({ starts_on: "2026-10-05", ...destinationRow });
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
    const before = mission({ city_class: "paris" }), later = missionFactsOf({ starts_on: "2027-02-01", city_class: "paris" });
    expect(warn(meal(2_200), null)).toEqual(["meal_cap"]); // 2026: 20 € cap
    expect(warn(meal(2_200, "2027-02-01"), later)).toEqual([]); // 2027: 25 € cap
    expect(warn(hotel(14_500), before)).toEqual(["lodging_cap"]);
    expect(warn(hotel(14_500, "2027-02-02"), later)).toEqual([]);
    // The mission's first day decides, not the line's date (as on the server).
    expect(ruleSetFor(ruleSets, { spent_on: "2027-01-03" }, missionFactsOf({ starts_on: "2026-12-30" }))?.name).toBe("state-2023");
  });

  it("a meal on a mission with times is explained as paid by the flat allowance", () => {
    const timed = mission({ city_class: "paris", departs_at: "2026-10-05T06:30:00Z", returns_at: "2026-10-06T19:00:00Z" });
    expect(warn({ ...meal(3_500), receipt_blob: undefined } as PolicyLine, timed)).toEqual(["meal_allowance"]);
    expect(warn(meal(3_500), mission({ city_class: "paris" }))).toEqual(["meal_cap"]);
  });

  it("without a rule set ever received there is no cap warning, only the missing receipt", () => {
    const lyon = mission({ city_class: "large_city" });
    const noReceipt = { ...hotel(50_000), receipt_blob: undefined } as PolicyLine;
    expect(policyWarnings(noReceipt, lyon, ruleSetFor(null, noReceipt, lyon))).toEqual(["no_receipt"]);
    expect(policyWarnings(meal(9_900), null, null)).toEqual([]);
  });

  it("guesses nothing: no lodging cap without the mission's city class, none on a foreign amount", () => {
    expect(warn(hotel(50_000), null)).toEqual([]);
    expect(warn(hotel(50_000), mission({ city_class: "somewhere" }))).toEqual([]);
    expect(warn({ ...meal(9_900), currency: "CHF" }, null)).toEqual([]);
  });

  it("picks the latest started rule set among those in force, none before the first", () => {
    expect(ruleSetAt(ruleSets, "2023-09-21")).toBeNull();
    expect(ruleSetAt(ruleSets, "2026-12-31")?.name).toBe("state-2023");
    expect(ruleSetAt(ruleSets, "2027-01-01")?.name).toBe("ministere-2027");
    expect(ruleSetAt([{ ...state2023, valid_until: "2027-01-01" }], "2027-01-01")).toBeNull();
  });
});
