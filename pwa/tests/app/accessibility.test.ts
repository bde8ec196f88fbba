import { describe, expect, it } from "vitest";
import { summarize, type AuditData } from "../../src/app/accessibility";
import shipped from "../../src/app/accessibility-audit.json";

const screen = (passes: string[], violations: AuditData["screens"][string]["violations"] = [], incomplete: string[] = []) => ({
  audited_at: "2026-12-06T01:00:00Z", path: "/", axe: "4.10.0", passes, incomplete, violations,
});

describe("accessibility statement figures", () => {
  it("counts a rule failing on one screen as failing, even where it passed elsewhere", () => {
    const data: AuditData = {
      tool: "axe-core", tags: ["wcag2a"], updated_at: "2026-12-06T01:00:00Z",
      screens: {
        signin: screen(["label", "color-contrast", "region"]),
        missions: screen(["label", "region"], [{ id: "color-contrast", impact: "serious", help: "Contrast", nodes: 2 }], ["aria-valid-attr"]),
        claims: screen(["label"], [{ id: "color-contrast", impact: "serious", help: "Contrast", nodes: 1 }, { id: "list", impact: "moderate", help: "Lists", nodes: 1 }]),
      },
    };
    const summary = summarize(data);
    expect(summary.screens).toBe(3);
    expect(summary.rulesPassed).toBe(2); // label, region
    expect(summary.failing.map((r) => [r.id, r.screens])).toEqual([["color-contrast", 2], ["list", 1]]);
    expect(summary.serious).toBe(1);
    expect(summary.toReview).toBe(1);
    expect(summary.passRate).toBeCloseTo(2 / 4);
    expect(summary.auditedOn).toBe("2026-12-06");
  });

  it("reads the figures the browser tests wrote", () => {
    const summary = summarize(shipped as AuditData);
    expect(summary.screens).toBeGreaterThan(0);
    expect(summary.rulesPassed).toBeGreaterThan(0);
  });
});
