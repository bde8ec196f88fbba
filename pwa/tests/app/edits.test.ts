import { describe, expect, it } from "vitest";
import { changedFields } from "../../src/app/edits";

const seen = { date: "2026-12-03", amount_cents: 4250, currency: "EUR", vat_rate_bp: 1000, category: "train", merchant: "SNCF", claim_id: null };

describe("changedFields", () => {
  it("sends only the merchant when only the merchant changed", () => {
    expect(changedFields(seen, { ...seen, merchant: "SNCF Connect" })).toEqual({ merchant: "SNCF Connect" });
  });
  it("sends nothing for an unchanged form (dates compared by day, absent VAT as 0)", () => {
    expect(changedFields({ ...seen, date: "2026-12-03T00:00:00Z" }, seen)).toEqual({});
    expect(changedFields({ ...seen, vat_rate_bp: null }, { ...seen, vat_rate_bp: 0 })).toEqual({});
  });
  it("sends the whole money group when the amount changed", () => {
    expect(changedFields(seen, { ...seen, amount_cents: 4700 })).toEqual({ amount_cents: 4700, currency: "EUR", vat_rate_bp: 1000 });
  });
});
