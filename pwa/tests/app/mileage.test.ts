import { describe, expect, it } from 'vitest';
import { annualKm, mileageParts, priceMileage, priceShown, type PricedLine } from '../../src/app/mileage';
import type { RuleSet } from '../../src/data/policy';

// The scale of the arrêté du 14 mars 2022 as the server sends it (backend/policy/rules.py).
const bands = (a: string, b: string, c: string): [number | null, string][] => [[2000, a], [10000, b], [null, c]];
const RATES: RuleSet['mileage_rates'] = [
  { min_cv: 0, max_cv: 5, bands: bands('0.32', '0.40', '0.23') },
  { min_cv: 6, max_cv: 7, bands: bands('0.41', '0.51', '0.30') },
  { min_cv: 8, max_cv: null, bands: bands('0.45', '0.55', '0.32') },
];
const RULES = [{ name: 'state-2023', valid_from: '2023-09-22', valid_until: null, mileage_rates: RATES }] as unknown as RuleSet[];

describe('mileage priced on the phone as on the server', () => {
  it('splits a line across the bands with the worked figures of the scale', () => {
    expect(mileageParts(500, 1800, 5, RATES)).toEqual([
      { km: 200, euros_per_km: '0.32', cents: 6400 }, { km: 300, euros_per_km: '0.40', cents: 12000 }]);
    expect(mileageParts(9000, 1900, 8, RATES).map((p) => p.cents)).toEqual([4500, 440000, 28800]);
    expect(mileageParts(1000, 9500, 7, RATES).reduce((s, p) => s + p.cents, 0)).toBe(40500);
    expect(mileageParts(10, 2000, 5, RATES)).toEqual([{ km: 10, euros_per_km: '0.40', cents: 400 }]);
  });

  it('counts the declared km of the year and the other mileage lines', () => {
    const profile = { fiscal_cv: 5, year: 2026, declared_km: 1800 };
    const lines = [{ id: 'a', category: 'mileage', spent_on: '2026-03-02', km: 100 },
      { id: 'b', category: 'mileage', spent_on: '2025-12-30', km: 900 }, { id: 'c', category: 'meal', spent_on: '2026-03-02' }];
    expect(annualKm(profile, lines, 2026)).toBe(1900);
    expect(annualKm(profile, lines, 2025)).toBe(900);
    const priced = priceMileage({ id: 'new', category: 'mileage', spent_on: '2026-03-03', km: 500 }, profile, lines, RULES);
    expect(priced).toMatchObject({ ok: true, cents: 100 * 32 + 400 * 40, split: { annual_km_before: 1900 } });
  });

  it('refuses as the server does: no car, no km, no rate', () => {
    const line = { id: 'x', category: 'mileage', spent_on: '2026-03-03', km: 10 };
    expect(priceMileage(line, null, [], RULES)).toEqual({ ok: false, code: 'VEHICLE_PROFILE_MISSING' });
    for (const km of [0, -5, 1.5]) {
      expect(priceMileage({ ...line, km }, { fiscal_cv: 5, year: 2026, declared_km: 0 }, [], RULES)).toEqual({ ok: false, code: 'MILEAGE_KM_INVALID' });
    }
    expect(priceMileage({ ...line, spent_on: '2020-01-01' }, { fiscal_cv: 5, year: 2026, declared_km: 0 }, [], RULES)).toEqual({ ok: false, code: 'MILEAGE_NO_RATE' });
  });
});

describe('a synced mileage line shows the server\'s price while it still applies', () => {
  // The server priced 500 km with 1,800 km before; a later line (2,000 km) would move a preview.
  const split = { parts: [{ km: 200, euros_per_km: '0.32', cents: 6400 }, { km: 300, euros_per_km: '0.40', cents: 12000 }], annual_km_before: 1800, fiscal_cv: 5 };
  const synced: PricedLine = { id: 'l1', category: 'mileage', spent_on: '2026-03-03', km: 500, amount_cents: 18400, mileage: split };
  const profile = { fiscal_cv: 5, year: 2026, declared_km: 1800 };
  const later = { id: 'l2', category: 'mileage', spent_on: '2026-04-01', km: 2000 };
  const preview = (line: { id: string; category: string; spent_on: string; km: number }) => () => priceMileage(line, profile, [synced, later], RULES);

  it('same km and date: the amount and split the server synced, not a re-pricing counting later lines', () => {
    const typed = { id: 'l1', category: 'mileage', spent_on: '2026-03-03', km: 500 };
    expect(preview(typed)()).toMatchObject({ ok: true, cents: 500 * 40 }); // what the phone alone would say
    expect(priceShown(typed, synced, preview(typed))).toEqual({ ok: true, cents: 18400, split });
  });

  it('other km, other date, a split of other km, or no split yet: the phone\'s preview', () => {
    const typed = { id: 'l1', category: 'mileage', spent_on: '2026-03-03', km: 500 };
    expect(priceShown({ ...typed, km: 600 }, synced, preview({ ...typed, km: 600 }))).toMatchObject({ ok: true, cents: 600 * 40 });
    expect(priceShown({ ...typed, spent_on: '2026-03-04' }, synced, preview({ ...typed, spent_on: '2026-03-04' }))).toMatchObject({ ok: true, cents: 500 * 40 });
    expect(priceShown(typed, { ...synced, km: 500, mileage: { ...split, parts: split.parts.slice(1) } }, preview(typed))).toMatchObject({ cents: 500 * 40 });
    expect(priceShown(typed, { ...synced, mileage: undefined }, preview(typed))).toMatchObject({ cents: 500 * 40 });
    expect(priceShown(typed, null, preview(typed))).toMatchObject({ cents: 500 * 40 });
  });
});
