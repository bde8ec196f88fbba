import { describe, expect, it } from "vitest";
import { setLanguage } from "../../src/app/i18n";
import { receiptAlt } from "../../src/app/receipt";

describe("the receipt thumbnail's text alternative", () => {
  const read = { merchant: "Restaurant Le Lyonnais", spent_on: "2026-11-12", reading: "read" as const };

  it("names the merchant and the date, in French and in English", () => {
    setLanguage("fr");
    expect(receiptAlt(read)).toBe("Justificatif : Restaurant Le Lyonnais, 12 nov. 2026");
    setLanguage("en");
    expect(receiptAlt(read)).toBe("Receipt: Restaurant Le Lyonnais, 12 Nov 2026");
  });

  it("says the receipt is not read yet rather than show placeholder fields", () => {
    setLanguage("fr");
    expect(receiptAlt({ ...read, reading: "pending" })).toBe("Justificatif de la ligne, pas encore lu");
    expect(receiptAlt({ ...read, merchant: "" })).toBe("Justificatif de la ligne, pas encore lu");
    setLanguage("en");
    expect(receiptAlt({ ...read, merchant: "" })).toBe("Receipt of the line, not read yet");
  });
});
