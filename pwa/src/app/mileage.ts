/** A mileage line's price as the phone previews it, offline too: the same rule as the server's
 * (backend/expenses/mileage.py with backend/policy/allowances.py mileage_parts), on the same
 * data (the organisation's rule sets, the agent's synced vehicle profile and lines). The
 * server decides: its price and split replace this preview once the line is synced. */
import type { RuleSet } from "../data/policy";
import { ruleSetAt } from "./policy";

/** The agent's car (entity `vehicle_profile`, id = the agent's user id). */
export interface VehicleProfile {
  fiscal_cv: number;
  year: number;
  /** Professional km driven in `year` before (or outside) Nomade. */
  declared_km: number;
}

/** Kilometres of a line priced at one band's rate (euros per km as a decimal string). */
export interface MileagePart {
  km: number;
  euros_per_km: string;
  cents: number;
}

export interface MileageSplit {
  parts: MileagePart[];
  annual_km_before: number;
  fiscal_cv: number;
}

/** Refusal codes shared with the server (error catalogue, contract.gen.ts). */
export type MileageRefusal = "VEHICLE_PROFILE_MISSING" | "MILEAGE_KM_INVALID" | "MILEAGE_NO_RATE";

export interface MileageLineFacts {
  id: string;
  category: string;
  spent_on: string;
  km?: number | undefined;
}

/** Cents of `km` at `euros` per km, exact for rates with up to 4 decimals (rounded half up). */
function centsOf(km: number, euros: string): number {
  const [whole = "0", fraction = ""] = euros.split(".");
  const tenThousandths = Number(whole) * 10_000 + Number((fraction + "0000").slice(0, 4));
  return Math.round((km * tenThousandths) / 100);
}

/** The line's km band by band: those below a band's upper bound (counting `before`, the
 * agent's km of the year before the line) at its rate, the rest at the next. Empty when no
 * rate covers the car. */
export function mileageParts(km: number, before: number, cv: number, rates: RuleSet["mileage_rates"]): MileagePart[] {
  const rate = rates.find((r) => cv >= r.min_cv && (r.max_cv === null || cv <= r.max_cv));
  if (!rate || km <= 0) return [];
  const parts: MileagePart[] = [];
  let position = Math.max(before, 0), left = km;
  for (const [upper, euros] of rate.bands) {
    const room = upper === null ? left : Math.max(upper - position, 0);
    const taken = Math.min(room, left);
    if (taken > 0) {
      parts.push({ km: taken, euros_per_km: euros, cents: centsOf(taken, euros) });
      position += taken;
      left -= taken;
    }
    if (left <= 0) break;
  }
  return parts;
}

/** The agent's km of `year`: declared on the profile for that year plus their mileage lines
 * of the year (all but `excluding`). */
export function annualKm(profile: VehicleProfile | null, lines: readonly MileageLineFacts[], year: number, excluding = ""): number {
  const declared = profile && profile.year === year ? profile.declared_km : 0;
  return declared + lines
    .filter((l) => l.category === "mileage" && l.id !== excluding && l.spent_on.slice(0, 4) === String(year))
    .reduce((sum, l) => sum + (l.km ?? 0), 0);
}

/** The preview of a mileage line, or the refusal the server would give. */
export function priceMileage(line: MileageLineFacts, profile: VehicleProfile | null, lines: readonly MileageLineFacts[], ruleSets: readonly RuleSet[] | null,
): { ok: true; cents: number; split: MileageSplit } | { ok: false; code: MileageRefusal } {
  const km = line.km ?? 0;
  if (!Number.isInteger(km) || km <= 0) return { ok: false, code: "MILEAGE_KM_INVALID" };
  if (profile === null) return { ok: false, code: "VEHICLE_PROFILE_MISSING" };
  const before = annualKm(profile, lines, Number(line.spent_on.slice(0, 4)), line.id);
  const rules = ruleSetAt(ruleSets, line.spent_on);
  const parts = rules ? mileageParts(km, before, profile.fiscal_cv, rules.mileage_rates) : [];
  if (parts.length === 0) return { ok: false, code: "MILEAGE_NO_RATE" };
  return { ok: true, cents: parts.reduce((s, p) => s + p.cents, 0), split: { parts, annual_km_before: before, fiscal_cv: profile.fiscal_cv } };
}

/** A line as the server last priced it: its amount and split (absent before it priced it). */
export interface PricedLine extends MileageLineFacts {
  amount_cents: number;
  mileage?: MileageSplit | undefined;
}

/** The price to show for `line` as typed: the server's own (amount and split, as synced) while
 * the km and date are those it priced, else the phone's preview (same rule, same data). The
 * server's running counter keeps a line's price when later lines come; a preview of an existing
 * line would count them, so the server's word is shown whenever it still applies. */
export function priceShown(line: MileageLineFacts, synced: PricedLine | null, preview: () => ReturnType<typeof priceMileage>,
): ReturnType<typeof priceMileage> {
  const split = synced?.mileage;
  const pricedKm = split?.parts.reduce((sum, p) => sum + p.km, 0);
  if (split && synced && pricedKm === line.km && synced.km === line.km && synced.spent_on === line.spent_on) {
    return { ok: true, cents: synced.amount_cents, split };
  }
  return preview();
}

/** A stored split as the server sent it (tolerant: an older row has none). */
export function splitOf(value: unknown): MileageSplit | undefined {
  if (typeof value !== "object" || value === null || !Array.isArray((value as Record<string, unknown>)["parts"])) return undefined;
  const v = value as Record<string, unknown>;
  const parts = (v["parts"] as Record<string, unknown>[]).map((p) => ({ km: Number(p["km"] ?? 0), euros_per_km: String(p["euros_per_km"] ?? "0"), cents: Number(p["cents"] ?? 0) }));
  return parts.length ? { parts, annual_km_before: Number(v["annual_km_before"] ?? 0), fiscal_cv: Number(v["fiscal_cv"] ?? 0) } : undefined;
}
