import { describe, expect, it } from "vitest";
import { formatDate, formatMoney, formatNumber, parseMoneyToCents, translate } from "../../src/app/i18n";

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatting per language", () => {
  it("writes money from integer cents the French and the English way", () => {
    expect(nbsp(formatMoney(123_456, "EUR", "fr"))).toBe("1 234,56 €");
    expect(formatMoney(123_456, "EUR", "en")).toBe("€1,234.56");
  });

  it("writes dates in each language without shifting the day", () => {
    expect(formatDate("2026-03-01", "fr")).toBe("1 mars 2026");
    expect(formatDate("2026-03-01", "en")).toBe("1 Mar 2026");
  });

  it("groups thousands per language", () => {
    expect(nbsp(formatNumber(12_500, "fr"))).toBe("12 500");
    expect(formatNumber(12_500, "en")).toBe("12,500");
  });

  it("fills placeholders in both dictionaries", () => {
    expect(translate("fr", "sync.pending", { n: 3 })).toBe("3 modifications en attente d’envoi");
    expect(translate("en", "sync.pending", { n: 3 })).toBe("3 changes waiting to be sent");
  });
});

describe("amounts typed by the user", () => {
  it("reads a decimal comma or point into cents, never through floats", () => {
    expect(parseMoneyToCents("12,5")).toBe(1_250);
    expect(parseMoneyToCents("0.07")).toBe(7);
    expect(parseMoneyToCents("1 234,56 €")).toBe(123_456);
    expect(parseMoneyToCents("19.99")).toBe(1_999);
  });

  it("refuses what is not an amount", () => {
    for (const bad of ["", "abc", "1,234", "-3", "1.2.3"]) expect(parseMoneyToCents(bad)).toBeNull();
  });
});
