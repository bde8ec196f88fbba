import { describe, expect, it } from "vitest";
import { toLine } from "../../src/app/rows";
import type { Row } from "../../src/data";

/** An expense line as the server sends it after a receipt reading (backend/expenses/readings.py). */
function line(data: Record<string, unknown>): Row {
  return { entity: "expense_line", id: "l1", row_version: 3, pending: false, data: {
    date: "2025-02-24", category: "meal", merchant: "AU BON ACCUEIL", amount_cents: 14_625, currency: "EUR", vat_rate_bp: 1000,
    receipts: ["abc"], ...data,
  } } as unknown as Row;
}
const reading = { sha256: "abc", status: "read", code: null, auto_accept: true, filled: ["amount_cents", "date", "merchant"],
  fields: { merchant: 0.92, date: 0.99, amount_cents: 1, vat_rate_bp: 0.9 } };
const noWarnings = () => [];

describe("receipt reading on a line", () => {
  it("shows each field the reading filled with its confidence, not the ones the user typed", () => {
    const l = toLine(line({ ocr: reading, field_sources: { merchant: "ocr", date: "ocr", amount_cents: "ocr", vat_rate_bp: "user" } }), noWarnings);
    expect(l.reading).toBe("read");
    expect(l.ocr).toEqual({
      merchant: { value: "AU BON ACCUEIL", confidence: 0.92 },
      spent_on: { value: "2025-02-24", confidence: 0.99 },
      amount_cents: { value: 14_625, confidence: 1 },
    });
  });
  it("waits for the reading when fields were left to it, and says when the receipt was unreadable", () => {
    const left = { merchant: "ocr", amount_cents: "ocr", date: "ocr" };
    expect(toLine(line({ ocr: {}, field_sources: left }), noWarnings)).toMatchObject({ reading: "pending" });
    expect(toLine(line({ ocr: {}, field_sources: left, receipts: [] }), noWarnings).reading).toBeUndefined();
    const unreadable = toLine(line({ ocr: { ...reading, status: "rejected", code: "OCR_NOT_A_RECEIPT", fields: {} }, field_sources: left }), noWarnings);
    expect(unreadable.reading).toBe("unreadable");
    expect(unreadable.ocr).toBeUndefined();
  });
});

describe("reasons to check a reading", () => {
  it("carries the server's reasons, in both languages, and drops malformed ones", () => {
    const review = [{ code: "OCR_REVIEW_SUM", fr: "Les montants ne s'additionnent pas", en: "The amounts do not add up" }, { code: 3 }];
    const l = toLine(line({ ocr: { ...reading, auto_accept: false, review }, field_sources: { amount_cents: "ocr" } }), noWarnings);
    expect(l.review).toEqual([review[0]]);
    expect(toLine(line({ ocr: reading, field_sources: {} }), noWarnings).review).toBeUndefined();
  });
});
