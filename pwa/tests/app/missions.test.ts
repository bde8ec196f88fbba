import { describe, expect, it } from "vitest";
import { allowanceOf, bookingsOf, checkDraft, draftOf, instantToWallClock, isAbroad, missionActions, missionFields, timeLabels, wallClockToInstant, type MissionDraft } from "../../src/app/missions";
import { fixPath, targetsOf } from "../../src/app/refusals";
import { findingsOf, toMission } from "../../src/app/rows";

const lyon: MissionDraft = {
  purpose: " Comité ", destination: "Lyon", departs_at: "2026-12-07T08:00", returns_at: "2026-12-09T20:00", country: "FR",
  transport: "train", estimate_cents: 24_500, advance_requested: false,
  bookings: [{ label: "TGV Paris–Lyon", fare_cents: 8_900, mode: "train", expires_at: "2026-12-05T18:00" }],
};

describe("mission form", () => {
  it("derives the mission's days from the departure and return and sends the place's wall clock", () => {
    const f = missionFields(lyon);
    expect(f).toMatchObject({
      purpose: "Comité", starts_on: "2026-12-07", ends_on: "2026-12-09", departs_at: "2026-12-07T08:00:00", returns_at: "2026-12-09T20:00:00",
      country: "FR", time_zone: "Europe/Paris", advance_requested: false, estimated_cost_cents: 24_500,
    });
    // 18:00 in Paris in December is 17:00 UTC.
    expect(f["bookings"]).toEqual([{ label: "TGV Paris–Lyon", fare_cents: 8_900, mode: "train", expires_at: "2026-12-05T17:00:00Z" }]);
  });
  it("uses the country's time zone abroad", () => {
    expect(missionFields({ ...lyon, country: "JP", bookings: [] })["time_zone"]).toBe("Asia/Tokyo");
  });
  it("refuses a return before the departure and missing times, as the server would", () => {
    expect(checkDraft(lyon)).toBeNull();
    expect(checkDraft({ ...lyon, returns_at: "2026-12-07T07:00" })).toBe("DATES_INVALID");
    expect(checkDraft({ ...lyon, returns_at: "" })).toBe("TIMES_INCOMPLETE");
    expect(checkDraft({ ...lyon, bookings: [{ label: " ", fare_cents: 0, mode: "train", expires_at: "" }] })).toBe("BOOKING_INVALID");
  });
  it("converts between the place's clock and instants both ways, summer time included", () => {
    expect(wallClockToInstant("2026-07-01T09:30", "Europe/Paris")).toBe("2026-07-01T07:30:00Z");
    expect(instantToWallClock("2026-07-01T07:30:00Z", "Europe/Paris")).toBe("2026-07-01T09:30");
    expect(instantToWallClock("2026-12-07T08:00:00", "Asia/Tokyo")).toBe("2026-12-07T08:00");
  });
  it("fills the form of a returned mission with what the server stored (UTC back to local)", () => {
    const m = toMission({ id: "m1", row_version: 3, data: {
      purpose: "Comité", destination: "Lyon", starts_on: "2026-12-07", ends_on: "2026-12-09", state: "returned", country: "fr",
      time_zone: "Europe/Paris", departs_at: "2026-12-07T07:00:00Z", returns_at: "2026-12-09T19:00:00Z", advance_requested: false,
      bookings: [{ label: "TGV", fare_cents: 8900, mode: "train", expires_at: "2026-12-05T17:00:00Z" }], transport: "train", estimated_cost_cents: 100,
    } } as never);
    const d = draftOf(m);
    expect([d.departs_at, d.returns_at, d.country, d.bookings[0]?.expires_at]).toEqual(["2026-12-07T08:00", "2026-12-09T20:00", "FR", "2026-12-05T18:00"]);
  });
});

describe("mission rows", () => {
  it("reads the server's allowance figures, and none before the server computed them", () => {
    expect(allowanceOf({})).toBeNull();
    expect(allowanceOf({ meals: 5, nights: 2, meals_cents: 10_000, lodging_cap_cents: 18_000, abroad_cents: 0, expected_cents: 34_000, advance_cents: 0, rate_missing: false, covers: ["meal"] }))
      .toEqual({ meals: 5, nights: 2, meals_cents: 10_000, lodging_cap_cents: 18_000, abroad_cents: 0, expected_cents: 34_000, advance_cents: 0, rate_missing: false, covers: ["meal"] });
    expect(allowanceOf({ meals: 5, nights: 2, rate_missing: true, covers: [] })).toMatchObject({ rate_missing: true, covers: [] });
    // What it pays is the server's list as sent: nothing is inferred when the list is absent.
    expect(allowanceOf({ meals: 5, nights: 2, abroad_cents: 31_200, covers: ["meal", "lodging"] })?.covers).toEqual(["meal", "lodging"]);
    expect(allowanceOf({ meals: 5, nights: 2, abroad_cents: 31_200 })?.covers).toEqual([]);
  });
  it("keeps only well-formed bookings fields", () => {
    expect(bookingsOf([{ label: "Vol", fare_cents: 30_000, mode: "rocket" }, "junk"])).toEqual([{ label: "Vol", fare_cents: 30_000, mode: "train", expires_at: "" }]);
  });
  it("offers edit on returned, amend on approved, cancel until a final decision", () => {
    expect(missionActions("returned")).toEqual({ edit: true, submit: true, cancel: true, amend: false });
    expect(missionActions("approved")).toEqual({ edit: false, submit: false, cancel: true, amend: true });
    expect(missionActions("refused")).toEqual({ edit: false, submit: false, cancel: false, amend: false });
  });
  it("reads the claim's findings in both languages, blocking or warning", () => {
    expect(findingsOf([
      { line_id: "l1", code: "MEAL_OVER_CAP", severity: "warning", message_fr: "Repas", message_en: "Meal", figures: {} },
      { line_id: "l2", code: "RECEIPT_MISSING", severity: "blocking", message_fr: "Justificatif", message_en: "Receipt", figures: {} },
    ])).toEqual([
      { line_id: "l1", code: "MEAL_OVER_CAP", severity: "warning", fr: "Repas", en: "Meal" },
      { line_id: "l2", code: "RECEIPT_MISSING", severity: "blocking", fr: "Justificatif", en: "Receipt" },
    ]);
    expect(findingsOf()).toEqual([]);
  });
});

describe("refused changes", () => {
  it("names the lines the server named in a refused submission", () => {
    expect(targetsOf({ name: "expense_claim.submit", args: { id: "c1", expected_state: "draft" } }, { line_ids: ["l2"], currencies: ["USD"] })).toEqual(["c1", "l2"]);
    expect(targetsOf({ name: "expense_claim.submit", args: { id: "c1" } }, { findings: [{ line_id: "l3" }] })).toEqual(["c1", "l3"]);
    expect(targetsOf({ name: "expense_line.edit", args: { id: "l1", claim_id: "c1" } }, {})).toEqual(["l1", "c1"]);
  });
  it("opens the named line to fix it, else the document", () => {
    const claimOf = (id: string) => ({ l2: "c1", l1: "c1" })[id];
    expect(fixPath({ name: "expense_claim.submit", targets: ["c1", "l2"] }, claimOf)).toBe("/claims/c1/lines/l2");
    expect(fixPath({ name: "expense_claim.submit", targets: ["c1"] }, claimOf)).toBe("/claims/c1");
    expect(fixPath({ name: "expense_line.edit", targets: ["l1", "c1"] }, claimOf)).toBe("/claims/c1/lines/l1");
    expect(fixPath({ name: "mission.create", targets: ["m1"] }, claimOf)).toBe("/missions/m1");
  });
});

describe("a synced mission's time labels", () => {
  const row = (fields: Record<string, unknown>) => toMission({ entity: "mission", id: "m1", row_version: 2, pending: false,
    data: { starts_on: "2026-12-07", ends_on: "2026-12-09", departs_at: "2026-12-07T07:00:00Z", returns_at: "2026-12-09T19:00:00Z", ...fields } } as never);
  it("follow the server's abroad flag, not the country code", () => {
    expect(timeLabels(row({ country: "DE", abroad: true }))).toEqual({ departs: "agent.arrivesAbroad", returns: "agent.leavesAbroad" });
    // The server alone says what is abroad: a foreign code it counts as home reads as home, and the reverse.
    expect(timeLabels(row({ country: "DE", abroad: false }))).toEqual({ departs: "agent.departs", returns: "agent.returns" });
    expect(timeLabels(row({ country: "FR", abroad: true }))).toEqual({ departs: "agent.arrivesAbroad", returns: "agent.leavesAbroad" });
  });
});

describe("the mission form's abroad", () => {
  it("is any country but the home country the server sends with its rule sets", () => {
    expect(isAbroad("DE", "FR")).toBe(true);
    expect(isAbroad("FR", "FR")).toBe(false);
    // The server's word, not a code the phone knows: another home makes France abroad.
    expect(isAbroad("BE", "BE")).toBe(false);
    expect(isAbroad("FR", "BE")).toBe(true);
    expect(isAbroad("de", "DE")).toBe(false);
  });
  it("is unknown until the phone received the home country", () => {
    expect(isAbroad("DE", null)).toBeNull();
  });
});
