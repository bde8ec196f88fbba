import { describe, expect, it } from "vitest";
import type { Row } from "../../src/data";
import { bookingsOf, bulkApprovable, inProgress, findingsOf, linesToRead, otherMissions, refusalKind, remaining, UndoWindow, type Held } from "../../src/app/decisions";
import { toApprovals } from "../../src/app/rows";

const row = (id: string, data: Row["data"]): Row => ({ id, data } as unknown as Row);

describe("a claim's findings", () => {
  const claim = {
    findings: [
      { line_id: "l1", code: "MEAL_CAP", severity: "warning", message_fr: "Repas au-dessus du plafond", message_en: "Meal above the cap" },
      { line_id: "l2", code: "DUPLICATE_RECEIPT", severity: "warning", message_fr: "Justificatif en double", message_en: "Duplicate receipt" },
      { line_id: "l3", code: "DATE_OUTSIDE", severity: "blocking", message_fr: "Hors dates", message_en: "Outside dates" },
    ],
  };
  it("puts duplicates first, then by severity, in both languages", () => {
    const f = findingsOf(claim.findings);
    expect(f.map((x) => x.code)).toEqual(["DUPLICATE_RECEIPT", "DATE_OUTSIDE", "MEAL_CAP"]);
    expect(f[0]).toMatchObject({ fr: "Justificatif en double", en: "Duplicate receipt", line_id: "l2" });
  });
  it("orders the lines to read: duplicated first, then any finding, then clean ones by date", () => {
    const lines = [{ id: "l0", spent_on: "2026-01-01" }, { id: "l1", spent_on: "2026-01-02" }, { id: "l2", spent_on: "2026-01-03" }];
    expect(linesToRead(lines, findingsOf(claim.findings)).map((l) => l.id)).toEqual(["l2", "l1", "l0"]);
  });
  it("reads a claim without findings (a draft, or one queued on this phone) as none", () => {
    expect(findingsOf()).toEqual([]);
    expect(findingsOf([])).toEqual([]);
  });
});

describe("the approvals list from synced rows", () => {
  const mission = row("m1", { state: "submitted", agent: "a1", agent_name: "Ana", purpose: "Audit", destination: "Lyon", estimated_cost_cents: 30_000 });
  const claim = row("c1", { state: "submitted", agent: "a1", agent_name: "Ana", title: "Frais Lyon", total_cents: 12_000, findings: [{ line_id: "x", code: "DUPLICATE_RECEIPT" }] });
  const mine = row("c2", { state: "submitted", agent: "me", title: "Mine" });
  const open = row("po1", { state: "partially_received", supplier_name: "Acme", ej_number: "EJ1", total_cents: 100_000, certified_cents: 40_000 });
  const done = row("po2", { state: "received", supplier_name: "Done" });
  it("lists service done from purchase_order rows still to certify (what the server syncs)", () => {
    const list = toApprovals([mission], [claim, mine], [open, done], "me");
    expect(list.map((a) => a.id)).toEqual(["mission:m1", "claim:c1", "service_done:po1"]);
    expect(list[2]).toMatchObject({ kind: "service_done", document_id: "po1", amount_cents: 60_000, title: "Acme — EJ1" });
  });
  it("marks a mission passed up the unit tree after its deadline (escalation_level)", () => {
    const up = row("m2", { state: "submitted", agent: "a1", purpose: "Forum", destination: "Nice", escalation_level: 1 });
    const [a, b] = toApprovals([mission, up], [], [], "me");
    expect(a?.escalated).toBeUndefined();
    expect(b?.escalated).toBe(true);
  });
  it("marks a claim passed up the same way (its synced escalation_level)", () => {
    const up = row("c2", { state: "submitted", agent: "a1", title: "Forum Nice", total_cents: 4_200, escalation_level: 1 });
    const [a, b] = toApprovals([], [claim, up], [], "me");
    expect(a?.escalated).toBeUndefined();
    expect(b).toMatchObject({ id: "claim:c2", escalated: true });
  });
  it("only clean missions and claims may be approved in bulk", () => {
    const [m, c, s] = toApprovals([mission], [claim], [open], "me");
    expect(c?.findings).toBe(1);
    expect([m, c, s].map((a) => bulkApprovable(a!))).toEqual([true, false, false]);
  });
});

describe("a mission's context", () => {
  it("reads bookings and counts down to their expiry", () => {
    const [b] = bookingsOf([{ label: "TGV", fare_cents: 9_900, expires_at: "2026-01-02T00:00:00Z", mode: "train" }]);
    expect(b).toEqual({ label: "TGV", fare_cents: 9_900, expires_at: "2026-01-02T00:00:00Z" });
    expect(remaining(b!.expires_at!, Date.parse("2026-01-01T22:58:30Z"))).toEqual({ days: 0, hours: 1, minutes: 1, seconds: 30 });
    expect(remaining(b!.expires_at!, Date.parse("2026-01-02T00:00:01Z"))).toBeNull();
  });
  it("finds the agent's other live missions overlapping the period", () => {
    const m = row("m1", { agent: "a", starts_on: "2026-03-10", ends_on: "2026-03-12", state: "submitted" });
    const rows = [m,
      row("m2", { agent: "a", starts_on: "2026-03-12", ends_on: "2026-03-14", state: "approved" }),
      row("m3", { agent: "a", starts_on: "2026-03-13", ends_on: "2026-03-14", state: "approved" }),
      row("m4", { agent: "b", starts_on: "2026-03-10", ends_on: "2026-03-12", state: "approved" }),
      row("m5", { agent: "a", starts_on: "2026-03-10", ends_on: "2026-03-12", state: "cancelled" })];
    expect(otherMissions(rows, m).map((r) => r.id)).toEqual(["m2"]);
  });
});

describe("a refusal from the server in plain words", () => {
  it("tells a withdrawal, a decision made elsewhere and a change apart", () => {
    expect(refusalKind("STATE_CHANGED", "draft")).toBe("withdrawn");
    expect(refusalKind("STATE_CHANGED", "approved")).toBe("decided");
    expect(refusalKind("ALREADY_DECIDED", "refused")).toBe("decided");
    expect(refusalKind("CONTENT_CHANGED", "submitted")).toBe("changed");
    expect(refusalKind("FORBIDDEN", "submitted")).toBe("other");
  });
});

describe("the undo window", () => {
  function setup() {
    let now = 0;
    const timers = new Map<number, { at: number; fn: () => void }>();
    let next = 1;
    const committed: string[] = [];
    const seen: Held<string>[][] = [];
    const w = new UndoWindow<string>((v) => committed.push(v), (h) => seen.push(h), 5_000, {
      now: () => now, set: (fn, ms) => { timers.set(next, { at: now + ms, fn }); return next++; }, clear: (h) => timers.delete(h as number),
    });
    const advance = (ms: number) => {
      now += ms;
      for (const [k, t] of [...timers]) if (t.at <= now) { timers.delete(k); t.fn(); }
    };
    return { w, committed, advance, seen };
  }
  it("queues a decision only after 5 s", () => {
    const { w, committed, advance } = setup();
    w.hold("a", "approve a");
    advance(4_999);
    expect(committed).toEqual([]);
    expect(w.held.map((h) => h.key)).toEqual(["a"]);
    advance(1);
    expect(committed).toEqual(["approve a"]);
    expect(w.held).toEqual([]);
  });
  it("drops an undone decision for good", () => {
    const { w, committed, advance } = setup();
    w.hold("a", "approve a");
    advance(3_000);
    expect(w.undo("a")).toBe(true);
    advance(10_000);
    expect(committed).toEqual([]);
    expect(w.undo("a")).toBe(false);
  });
  it("sends everything still held when the page goes away", () => {
    const { w, committed } = setup();
    w.hold("a", "1");
    w.hold("b", "2");
    w.flushAll();
    expect(committed).toEqual(["1", "2"]);
  });
});

describe("delegations in progress", () => {
  it("leaves out the ended and the revoked ones", () => {
    const d = (id: string, ends_at: string, revoked_at: string | null = null) => ({ id, ends_at, revoked_at });
    const now = Date.parse("2026-12-06T10:00:00Z");
    const list = [d("on", "2026-12-07T00:00:00Z"), d("ended", "2026-12-06T09:00:00Z"), d("revoked", "2026-12-07T00:00:00Z", "2026-12-05T00:00:00Z")];
    expect(inProgress(list, now).map((x) => x.id)).toEqual(["on"]);
  });
});
