/** The accessibility statement's figures, computed from what the browser tests' axe-core audits
 * found (accessibility-audit.json, written by tests/integration/browser/conftest.py), never
 * typed by hand. */

export type Impact = "critical" | "serious" | "moderate" | "minor";

export interface AuditedScreen {
  audited_at: string;
  path: string;
  axe: string;
  passes: string[];
  incomplete: string[];
  violations: { id: string; impact: Impact | null; help: string; nodes: number }[];
}

export interface AuditData {
  tool: string;
  tags: string[];
  updated_at: string;
  screens: Record<string, AuditedScreen>;
}

export interface FailingRule {
  id: string;
  impact: Impact | null;
  help: string;
  screens: number;
}

export interface AuditSummary {
  screens: number;
  axeVersion: string;
  auditedOn: string;
  /** Rules that passed on every screen where they applied and failed on none. */
  rulesPassed: number;
  /** Rules that failed on at least one screen, worst impact first. */
  failing: FailingRule[];
  /** Rules axe could not decide alone (a person must check them). */
  toReview: number;
  serious: number;
  /** Share of the rules checked that no screen fails (0..1). */
  passRate: number;
}

const ORDER: Record<string, number> = { critical: 0, serious: 1, moderate: 2, minor: 3 };

export function summarize(data: AuditData): AuditSummary {
  const screens = Object.values(data.screens);
  const failing = new Map<string, FailingRule>();
  const passed = new Set<string>();
  const review = new Set<string>();
  for (const screen of screens) {
    screen.passes.forEach((id) => passed.add(id));
    screen.incomplete.forEach((id) => review.add(id));
    for (const v of screen.violations) {
      const known = failing.get(v.id);
      if (known) known.screens += 1;
      else failing.set(v.id, { id: v.id, impact: v.impact, help: v.help, screens: 1 });
    }
  }
  for (const id of failing.keys()) passed.delete(id);
  const failingList = [...failing.values()].sort(
    (a, b) => (ORDER[a.impact ?? "minor"] ?? 4) - (ORDER[b.impact ?? "minor"] ?? 4) || a.id.localeCompare(b.id),
  );
  const checked = passed.size + failingList.length;
  return {
    screens: screens.length,
    axeVersion: screens[0]?.axe ?? "",
    auditedOn: data.updated_at.slice(0, 10),
    rulesPassed: passed.size,
    failing: failingList,
    toReview: [...review].filter((id) => !failing.has(id)).length,
    serious: failingList.filter((r) => r.impact === "serious" || r.impact === "critical").length,
    passRate: checked ? passed.size / checked : 0,
  };
}
