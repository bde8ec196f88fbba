import { describe, expect, it } from "vitest";
import { changedFields, ocrFillable } from "../../src/app/edits";

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

describe("ocrFillable", () => {
  const blank = { merchant: "", amount_cents: 0, vat_rate_permille: 0, spent_on: "2026-12-03" };
  const photo = new Blob(["jpeg"]);
  it("leaves to the OCR what the user did not type when a photo comes with the line", () => {
    expect(ocrFillable(blank, photo, "2026-12-03")).toEqual({ merchant: "ocr", amount_cents: "ocr", vat_rate_bp: "ocr", date: "ocr" });
  });
  it("keeps what the user typed as theirs", () => {
    expect(ocrFillable({ ...blank, merchant: "Brasserie", amount_cents: 1850, spent_on: "2026-12-01" }, photo, "2026-12-03")).toEqual({ vat_rate_bp: "ocr" });
  });
  it("marks nothing without a photo", () => {
    expect(ocrFillable(blank, null, "2026-12-03")).toEqual({});
  });
});
