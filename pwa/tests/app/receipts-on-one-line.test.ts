import { describe, expect, it } from "vitest";
import { toLine } from "../../src/app/rows";
import type { Row } from "../../src/data";
import type { BaseRow } from "../../src/data/db";
import { replay } from "../../src/data/mutators";
import type { JsonObject } from "../../src/data/types";

/** A line holding a hotel bill and a taxi receipt, as the server sends it once both are read
 * (backend/expenses/readings.py: `ocr.receipts`, `ocr.findings`). */
const hotel = { sha256: "h", status: "read", merchant: "HOTEL IBIS GARE", date: "2026-04-04", amount_cents: 10_199, currency: "EUR", category: "lodging" };
const taxi = { sha256: "t", status: "read", merchant: "TAXI RADIO LYON", date: "2024-06-20", amount_cents: 7_580, currency: "EUR", category: "taxi" };
const data: JsonObject = {
  date: "2024-06-20", category: "lodging", merchant: "HOTEL IBIS GARE", amount_cents: 17_779, currency: "EUR", receipts: ["h", "t"],
  ocr: { receipts: [hotel, taxi], findings: [
    { code: "RECEIPTS_DIFFER", severity: "warning", message_fr: "Séparez-la", message_en: "Split it" },
    { code: "DUPLICATE_RECEIPT", severity: "warning", message_fr: "déjà présenté", message_en: "already claimed" },
  ] },
};

describe("several receipts on one line", () => {
  it("keeps each receipt's reading and the server's findings, duplicates first", () => {
    const l = toLine({ entity: "expense_line", id: "l1", row_version: 4, pending: false, data } as unknown as Row, () => []);
    expect(l.receipt_count).toBe(2);
    expect(l.receipts_read?.map((r) => [r.merchant, r.amount_cents])).toEqual([["HOTEL IBIS GARE", 10_199], ["TAXI RADIO LYON", 7_580]]);
    expect(l.findings?.map((f) => f.code)).toEqual(["DUPLICATE_RECEIPT", "RECEIPTS_DIFFER"]);
    expect(l.findings?.[1]?.en).toBe("Split it");
  });

  it("splits at once on the phone: the line keeps the hotel, a new line takes the taxi", () => {
    const row: BaseRow = { entity: "expense_line", id: "l1", row_version: 4, data };
    const view = replay([row], [{ name: "expense_line.split_receipts", v: 1, args: { id: "l1", new_ids: ["l2"] }, client_time: "2026-12-06T05:00:00Z" }]);
    const lines = view.get("expense_line")!;
    expect(lines.get("l1")!.data).toMatchObject({ amount_cents: 10_199, receipts: ["h"], date: "2026-04-04", category: "lodging" });
    expect(lines.get("l2")!.data).toMatchObject({ amount_cents: 7_580, receipts: ["t"], merchant: "TAXI RADIO LYON", category: "taxi", date: "2024-06-20" });
    // A split the phone saw with another number of receipts changes nothing (the server refuses it).
    const stale = replay([row], [{ name: "expense_line.split_receipts", v: 1, args: { id: "l1", new_ids: ["a", "b"] }, client_time: "2026-12-06T05:00:00Z" }]);
    expect(stale.get("expense_line")!.get("l1")!.data["amount_cents"]).toBe(17_779);
  });
});
